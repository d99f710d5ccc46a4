"""A Babel extractor for the quick checks' content files (``exercises/source/*.questions.yml``).

The question texts live once, in those files, in English; :mod:`track2.questions` translates
each one when it builds a quick check (``track2.i18n._``), so the answers (which option is
right, which choice each row takes) stay in one place and only the words are translated.
``make catalogues`` runs ``pybabel extract`` with ``track2/locale/babel.cfg``, which names
this function for those files: every text a student reads (prompts, statements, options,
choices, matching rows, the feedback and the review link's title) becomes a message, with
the question key as a comment for the translator. Keys, types, anchors and answers are not
messages; nor is a text with no letter in it (``"12"``), which reads the same in every language.
"""

from __future__ import annotations

import yaml

#: The fields whose text a student reads (see track2.questions for the file format).
TEXT_FIELDS = {"prompt", "statement", "why", "title", "label", "if_right", "if_wrong"}


def _messages(node, key: str, field: str | None):
    """(line, text, question key) of every student-facing text under ``node``."""
    if isinstance(node, yaml.ScalarNode):
        if field is not None and any(ch.isalpha() for ch in node.value):
            yield node.start_mark.line + 1, node.value, key
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _messages(item, key, "choices" if field == "choices" else None)
    elif isinstance(node, yaml.MappingNode):
        for name_node, value in node.value:
            name = name_node.value
            if field == "rows":  # a matching row: its item is read, then its answer's reason
                yield from _messages(name_node, key, "row")
                yield from _messages(value, key, None)
            elif name in TEXT_FIELDS or name == "choices":
                yield from _messages(value, key, name)
            elif name in ("options", "review", "rows"):
                yield from _messages(value, key, name if name == "rows" else None)


def extract_questions(fileobj, keywords, comment_tags, options):
    """Babel's extractor interface: ``(line, function, message, comments)`` per text."""
    root = yaml.compose(fileobj.read().decode("utf-8"))
    if root is None:
        return
    if not isinstance(root, yaml.MappingNode):
        raise ValueError(f"{getattr(fileobj, 'name', 'questions file')}: expected questions by key")
    for key_node, entry in root.value:
        for line, text, key in _messages(entry, key_node.value, None):
            yield line, None, text, [f"quick check {key!r}"]
