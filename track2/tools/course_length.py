"""How long the course is, from the files that say it: the home page's figures.

The chapters are those ``_toc.yml`` lists under ``book/chapters/``; each chapter and each
exercise set (``exercises/source/``) states its own time on a line such as
``**Time:** about 50 minutes``. :func:`course_length` adds them up, and, listed under
``sphinx.extra_extensions`` in ``_config.yml``, this module hands the results to the book
as MyST substitutions, so ``book/intro.md`` writes ``{{ chapters_in_words }} chapters``
and never a number typed by hand: add a chapter to ``_toc.yml`` and the home page follows.

>>> length = course_length()
>>> length["chapters"] == len(length["chapter_minutes"])
True
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from track2.i18n import SOURCE_LANGUAGE, translation

ROOT = Path(__file__).resolve().parents[2]
TIME_LINE = re.compile(r"^\*\*Time:\*\* about (\d+) minutes", flags=re.M)
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
                "nineteen", "twenty")


def in_words(number: int, lang: str = SOURCE_LANGUAGE) -> str:
    """``7`` -> ``"seven"`` (up to twenty, as English style guides write small numbers; digits
    beyond); in a translated edition, digits, as Chinese and Indonesian textbooks write counts."""
    if lang != SOURCE_LANGUAGE:
        return str(number)
    return NUMBER_WORDS[number] if 0 <= number < len(NUMBER_WORDS) else str(number)


def minutes_range(minutes: list[int], lang: str = SOURCE_LANGUAGE) -> str:
    """``"50 to 55"`` (in ``lang``, from the track2 package's catalogue), or ``"50"`` when every
    value is the same."""
    low, high = min(minutes), max(minutes)
    return str(low) if low == high else translation(lang).gettext("{low} to {high}").format(low=low, high=high)


def stated_minutes(path: Path) -> int:
    """The minutes a page's ``**Time:** about N minutes`` line gives."""
    found = TIME_LINE.search(path.read_text(encoding="utf-8"))
    if not found:
        raise ValueError(f"{path}: no '**Time:** about N minutes' line; add one (CONTRIBUTING.md, recipe 1)")
    return int(found.group(1))


def toc_documents(root: Path = ROOT) -> list[str]:
    """Every document ``_toc.yml`` names, root first, as a path without suffix ('book/intro')."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    found = [toc["root"]]

    def walk(node) -> None:
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({key: value for key, value in toc.items() if key != "root"})
    return [str(Path(doc).with_suffix("")) for doc in found]


def toc_chapters(root: Path = ROOT) -> list[Path]:
    """The chapter sources ``_toc.yml`` lists (``book/chapters/*.md``), in its order."""
    return [root / f"{doc}.md" for doc in toc_documents(root) if doc.startswith("book/chapters/")]


def course_length(root: Path = ROOT, lang: str = SOURCE_LANGUAGE) -> dict:
    """The course's length: how many chapters, each chapter's and exercise set's minutes,
    and the figures the home page shows (as :data:`substitutions` names them), written for
    a page in ``lang``."""
    chapters = toc_chapters(root)
    chapter_minutes = [stated_minutes(chapter) for chapter in chapters]
    sets = [root / "exercises" / "source" / chapter.name for chapter in chapters]
    exercise_minutes = [stated_minutes(source) for source in sets if source.is_file()]
    hours = round(sum(chapter_minutes) / 60)
    return {
        "chapters": len(chapters),
        "chapter_minutes": chapter_minutes,
        "exercise_minutes": exercise_minutes,
        "reading_hours": hours,
        "substitutions": {
            "chapters_in_words": in_words(len(chapters), lang),
            "reading_hours_in_words": in_words(hours, lang),
            "chapter_minutes": minutes_range(chapter_minutes, lang),
            "exercise_minutes": minutes_range(exercise_minutes, lang),
        },
    }


def _add_substitutions(app, config) -> None:
    if not toc_chapters(Path(app.confdir)):  # a book with no chapters (the tests' small books) states no length
        return
    lang = (config.language or SOURCE_LANGUAGE).replace("-", "_")
    config.myst_substitutions = {**course_length(Path(app.confdir), lang)["substitutions"],
                                 **(config.myst_substitutions or {})}


def setup(app):
    """Sphinx extension: the course's length as MyST substitutions (``{{ chapters_in_words }}``...)."""
    app.connect("config-inited", _add_substitutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
