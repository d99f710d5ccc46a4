"""The quick checks of each exercise set: questions whose text is content, and
questions computed from the course data.

A question that uses no data lives in a content file beside its exercise source,
``exercises/source/<set>.questions.yml``, one entry per question key:

- ``type``: ``multiple choice``, ``true or false`` or ``matching``;
- ``review``: the ``section`` (an anchor in the set's chapter) and its ``title``,
  linked from wrong answers;
- multiple choice: ``prompt`` and ``options``, each with ``label`` and ``why``,
  one of them with ``correct: true``;
- true or false: ``statement``, ``answer`` (true or false) and ``why``;
- matching: ``prompt``, ``choices``, ``rows`` (item -> ``answer`` and ``why``) and
  the feedback ``if_right`` and ``if_wrong``, in which ``{choice}`` and ``{why}``
  stand for the choice picked and the row's ``why``.

Every fact a data-derived question tests (which body came first, who is whose
partner, how many claims the data record) is computed here from
:mod:`track2.data` and :mod:`track2.analysis` when the notebook runs, so a data
correction flows into the questions and their feedback. Student notebooks only
call :func:`quick_checks`; no answer is typed into them. No quick check may state a
value a data task of the same set is graded on (:mod:`track2.checks`): the questions
below are built from other bodies, pairs and counts (``tests/test_questions.py``
checks every set).

>>> checks = quick_checks("03-symbiosis")
>>> sorted(checks)[:2]
['dates', 'head-start']
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from track2.analysis import (
    GREAT_POWERS,
    active_non_official_including,
    active_non_official_with_members,
    bodies_started_by,
    claims_about,
    disagreement_totals,
    disagreements_by_column,
    disputed_rows,
    initiators_of,
    member_counts,
    members_of,
    official_bodies,
    pairs_without_member_lists,
    partners_of,
    track_labels,
)
from track2.data import CourseData, course_path, load_course_data
from track2.i18n import N_, _
from track2.quiz import Option, QuickCheck, Review, matching, multiple_choice, ordering, true_false

def questions_dir() -> Path:
    """The folder the content files are read from: ``exercises/source`` found as the
    course data are (:func:`track2.data.course_path`: the checkout, else the copy
    inside the installed package)."""
    return course_path("exercises", "source")


# --------------------------------------------------------------------------- #
# Questions from the content files


class QuestionFileError(ValueError):
    """A quick-check content file is malformed; the message names the file and the question."""


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a key given twice is an error, not an overwrite."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(key_node, deep=deep) for key_node, _ in node.value]
        twice = sorted({str(key) for key in keys if keys.count(key) > 1})
        if twice:
            raise yaml.constructor.ConstructorError(None, None, f"{', '.join(twice)} given twice", node.start_mark)
        return super().construct_mapping(node, deep=deep)


#: The fields of each entry, by type, with the Python type each value must have.
FIELDS = {
    "multiple choice": {"type": str, "review": dict, "prompt": str, "options": list},
    "true or false": {"type": str, "review": dict, "statement": str, "answer": bool, "why": str},
    "matching": {"type": str, "review": dict, "prompt": str, "choices": list, "rows": dict,
                 "if_right": str, "if_wrong": str},
}

_KIND_NAMES = {str: "text", bool: "true or false", list: "a list", dict: "fields (a mapping)"}


def _fields(entry, fields: dict[str, type], optional: dict[str, type] | None = None, where: str = "") -> dict:
    """``entry``, checked: a mapping with every field of ``fields``, none unknown, each of its type."""
    known = fields | (optional or {})
    if not isinstance(entry, dict):
        raise ValueError(f"{where}expected the fields {', '.join(fields)}, got {entry!r}")
    problems = [f"missing {name}" for name in fields if name not in entry]
    problems += [f"unknown field {name!r}" for name in entry if name not in known]
    problems += [f"{name} should be {_KIND_NAMES[known[name]]}, not {value!r}"
                 for name, value in entry.items() if name in known and not isinstance(value, known[name])]
    if problems:
        raise ValueError(where + "; ".join(problems))
    return entry


def _question(set_id: str, key: str, entry) -> QuickCheck:
    """One entry of a content file as a quick check; a malformed entry raises ``ValueError``."""
    kind = entry.get("type") if isinstance(entry, dict) else None
    if kind not in FIELDS:
        raise ValueError(f"type should be one of: {', '.join(FIELDS)}; got {kind!r}")
    entry = _fields(entry, FIELDS[kind])
    section = _fields(entry["review"], {"section": str, "title": str}, where="review: ")
    # The texts are translated here, as the quick check is built (track2.i18n; the messages are
    # extracted from the file by track2.tools.question_messages); which answer is right is not.
    review = Review(set_id, section["section"], _(section["title"]))
    if kind == "true or false":
        return true_false(key, _(entry["statement"]), entry["answer"], _(entry["why"]), review=review)
    if kind == "multiple choice":
        options = [_fields(option, {"label": str, "why": str}, {"correct": bool}, where=f"option {i + 1}: ")
                   for i, option in enumerate(entry["options"])]
        return multiple_choice(key, _(entry["prompt"]), [Option(_(o["label"]), o.get("correct", False), _(o["why"]))
                                                          for o in options], review=review)
    if not all(isinstance(choice, str) for choice in entry["choices"]):
        raise ValueError(f"every choice should be text: {entry['choices']!r}")
    rows = {}
    for item, row in entry["rows"].items():
        row = _fields(row, {"answer": str, "why": str}, where=f"row {item!r}: ")
        if row["answer"] not in entry["choices"]:
            raise ValueError(f"row {item!r}: answer {row['answer']!r} is not one of the choices")
        rows[_(item)] = [Option(_(choice), choice == row["answer"],
                                _fill(entry, "if_right" if choice == row["answer"] else "if_wrong", _(choice), _(row["why"])))
                         for choice in entry["choices"]]
    return matching(key, _(entry["prompt"]), rows, review=review)


def _fill(entry: dict, field: str, choice: str, why: str) -> str:
    """A matching question's feedback template, filled in."""
    try:
        return _(entry[field]).format(choice=choice, why=why)
    except (KeyError, IndexError, ValueError) as problem:
        raise ValueError(f"{field}: use only {{choice}} and {{why}} in braces ({problem!r})") from None


def content_questions(set_id: str, folder: Path | None = None) -> list[QuickCheck]:
    """The quick checks in ``<set_id>.questions.yml`` (none if the set has no such file).

    Raises:
        QuestionFileError: the file is not valid YAML, or an entry is malformed; the
            message names the file and the question key.
    """
    path = (folder or questions_dir()) / f"{set_id}.questions.yml"
    if not path.is_file():
        return []
    try:
        with path.open(encoding="utf-8") as file:
            content = yaml.load(file, Loader=_StrictLoader)  # a safe loader: plain data only
    except yaml.YAMLError as error:
        raise QuestionFileError(f"{path}: not a valid content file: {error}") from None
    if not isinstance(content, dict):
        raise QuestionFileError(f"{path}: expected questions by key, got {type(content).__name__}")
    checks = []
    for key, entry in content.items():
        try:
            checks.append(_question(set_id, str(key), entry))
        except ValueError as problem:
            raise QuestionFileError(f"{path}, question {key!r}: {problem}") from None
    return checks


# --------------------------------------------------------------------------- #
# Questions computed from the data


def _founded(data: CourseData, body: str) -> str:
    return _("was founded in {year}").format(year=int(data.institutions.loc[body, 'founded_year']))


def _tracks(data: CourseData) -> list[QuickCheck]:
    inst, dis = data.institutions, data.disagreements
    labels = Review("01-tracks", "contested-labels", _("Chapter 1, Contested labels"))

    contested = disputed_rows(dis, "institutions", "track")
    neacd_claims = len(claims_about(dis, "institutions", "NEACD", "track"))
    neacd_settled = "NEACD" not in contested
    settled = true_false(
        "neacd-settled", _("The sources in the course data agree on which track NEACD belongs to."), neacd_settled,
        (_("The data record no disagreement about NEACD's track.") if neacd_settled else
         _("The data record {count} claims about NEACD's track: its host and other sources label "
           "the same forum differently.").format(count=neacd_claims)), review=labels)

    def track_options(body: str) -> list[Option]:
        coded = str(inst.loc[body, "track"])
        options = []
        for track, label in track_labels().items():
            if track == coded:
                why = _("The course data code {body} as {track}.").format(body=body, track=label)
            else:
                why = _("The course data code {body} as {track}, not {other}.").format(
                    body=body, track=track_labels()[coded], other=label)
            if body in contested:
                why += " " + _("Sources disagree on this label: see the disagreements table.")
            options.append(Option(label, track == coded, why))
        return options

    coded = matching("coded-track", _("Match each body to the track the course data give it."),
                     {body: track_options(body) for body in ("ARF", "NEACD", "CSCAP")}, review=labels)
    return [settled, coded]


def _boom(data: CourseData) -> list[QuickCheck]:
    shown = Review("02-boom", "what-the-data-show", _("Chapter 2, What the data show"))
    bodies = ["PECC", "APR", "CSCAP", "NEAT"]
    order = ordering("founding-order", _("Put these non-official bodies in the order they were founded, earliest first."),
                     [(b, int(data.institutions.loc[b, "founded_year"]), _founded(data, b)) for b in bodies],
                     review=shown)
    return [order]


def _symbiosis(data: CourseData) -> list[QuickCheck]:
    inst, pairs = data.institutions, data.pairs
    shown = Review("03-symbiosis", "what-the-data-show", _("Chapter 3, What the data show"))
    dates = Review("03-symbiosis", "when-did-the-arf-take-up-preventive-diplomacy",
                   _("Chapter 3, When did the ARF take up preventive diplomacy?"))

    track2_bodies = ["CSCAP", "PECC", "NEAT", "ERIA"]
    official = sorted({p for b in track2_bodies for p in partners_of(pairs, b)})

    def partner_options(body: str) -> list[Option]:
        options = []
        for candidate in official:
            right = candidate in partners_of(pairs, body)
            if right:
                why = _("{body} is paired with {partner} in the data ({realm}).").format(
                    body=body, partner=candidate, realm=_(str(inst.loc[body, 'realm'])))
            else:
                why = _("{partner}'s Track 2 partners in the data are {partners}; "
                        "{body} works with another official body.").format(
                    partner=candidate, partners=", ".join(partners_of(pairs, candidate)), body=body)
            options.append(Option(candidate, right, why))
        return options

    partners = matching("partners", _("Match each Track 2 body to its Track 1 partner in the course data."),
                        {body: partner_options(body) for body in track2_bodies}, review=shown)

    # No founding years of a pair here: every pair's founding gap is graded (x03-gaps); the
    # head-start question uses made-up gaps (03-symbiosis.questions.yml).

    if "EAS-ERIA" not in pairs_without_member_lists(data.memberships, pairs):
        raise ValueError("the no-jaccard question assumes EAS-ERIA has no Jaccard index")
    jaccard = multiple_choice("no-jaccard", _("Why do the data give no Jaccard index for the EAS-ERIA pair?"), [
        Option(_("ERIA is a research institute: the data hold no list of member states for it"), True,
               _("Without a member list on both sides there is nothing to compare, which says nothing about how "
                 "close the bodies are.")),
        Option(_("The two bodies have exactly the same members"), False,
               _("Identical memberships would give an index of 1, not a missing one.")),
        Option(_("The two bodies share no members at all"), False,
               _("No shared members would give an index of 0; a missing index means a member list is missing.")),
        Option(_("ERIA is older than the East Asia Summit"), False,
               _("The index compares member lists only: which body is older does not enter it. (The founding "
                 "years of both bodies are in data.institutions.)")),
    ], review=shown)

    pd_year = int(data.idea_transfers.loc["T02", "year"])
    in_1990s = 1990 <= pd_year <= 1999
    date = true_false(
        "dates", _("The course data date the ARF's uptake of CSCAP's preventive-diplomacy work to the 1990s, "
                   "as Feng does."), in_1990s,
        _("The data use {year}, the year the ARF formally adopted its paper; Feng places the uptake in the "
          "1990s. The work may have started earlier than the formal decision.").format(year=pd_year), review=dates)
    return [partners, jaccard, date]


#: Initiators whose names take "the" in running text.
_WITH_THE = {"United States", "Philippines", "Republic of Korea", "United Kingdom", "Netherlands"}


def _the(name: str) -> str:
    """``name`` as it reads in a sentence: "the United States", "Japan"."""
    return _("the {name}").format(name=name) if name in _WITH_THE else name


def _middle_powers(data: CourseData) -> list[QuickCheck]:
    inst = data.institutions
    who = Review("04-middle-powers", "who-started-which-body", _("Chapter 4, Who started which body"))
    # The data task x04-great-powers is graded on the bodies the great powers helped start:
    # these questions name neither great power as an initiator, nor the bodies they started.
    great = set(bodies_started_by(inst, GREAT_POWERS)) | set(bodies_started_by(inst, GREAT_POWERS, column="initiator_states"))

    # The first of these that ties for the most bodies is offered; the others tied with
    # it are left out, so that "which of these" has one right answer.
    pool = [name for name in ("Japan", "Australia", "ASEAN", "Malaysia", "Canada") if name not in GREAT_POWERS]
    started = {name: bodies_started_by(inst, [name]) for name in pool}
    top = max(len(bodies) for bodies in started.values())
    tied = [name for name in pool if len(started[name]) == top]
    candidates = [name for name in pool if name not in tied[1:]]

    def count_text(name: str) -> str:
        bodies = sorted(started[name])
        if not bodies:
            return _("The data name {name} as an initiator of no body.").format(name=_the(name))
        if len(bodies) == 1:
            return _("The data name {name} as an initiator of 1 body: {bodies}.").format(name=_the(name), bodies=bodies[0])
        return _("The data name {name} as an initiator of {count} bodies: {bodies}.").format(
            name=_the(name), count=len(bodies), bodies=", ".join(bodies))

    most = multiple_choice("most-initiator", _("Which of these is named as an initiator of the most bodies in the "
                                               "course data?"), [Option(c, len(started[c]) == top, count_text(c)) for c in candidates],
                           review=who)

    bodies = ["PECC", "ARF", "APR", "EAVG"]
    if great & set(bodies):
        raise ValueError(f"the who-started question would name the great powers' bodies {sorted(great & set(bodies))}")
    label = {b: _(" and ").join(_the(name) for name in initiators_of(inst, b)) for b in bodies}
    if len(set(label.values())) != len(bodies):
        raise ValueError(f"two bodies share initiators, so the matching is ambiguous: {label}")

    def starter_options(body: str) -> list[Option]:
        return [Option(text[:1].upper() + text[1:], other == body,
                       _("The data name {initiators} as the initiator(s) of {body}.").format(initiators=text, body=other)
                       if other == body else
                       _("{initiators}: that is who started {other} in the data, not {body}.").format(
                           initiators=text[:1].upper() + text[1:], other=other, body=body))
                for other, text in sorted(label.items(), key=lambda kv: kv[1].removeprefix("the "))]

    starters = matching("who-started", _("Match each body to the initiator(s) the course data name for it."),
                        {b: starter_options(b) for b in bodies}, review=who)
    return [most, starters]


#: What each status a body can have (data/datapackage.json) means, completing "a body ...".
STATUS_MEANINGS = {
    "active": N_("that still meets"),
    "dormant": N_("that has stopped meeting but was never formally closed"),
    "defunct": N_("that has finished its work or been formally closed"),
    "unknown": N_("whose current activity the sources read do not establish"),
}
#: The statuses as readers see them (the data's codes, translated).
STATUS_NAMES = {"active": N_("active"), "dormant": N_("dormant"), "defunct": N_("defunct"), "unknown": N_("unknown")}


def _challenges(data: CourseData) -> list[QuickCheck]:
    inst = data.institutions
    shown = Review("05-challenges", "what-the-data-show", _("Chapter 5, What the data show"))

    status = str(inst.loc["SPT", "status"])
    missing = [s for s in inst["status"].cat.categories if s not in STATUS_MEANINGS]
    if missing:
        raise ValueError(f"say in STATUS_MEANINGS what the status {', '.join(missing)} means")
    meaning = {code: _(text) for code, text in STATUS_MEANINGS.items()}
    name = {code: _(STATUS_NAMES.get(code, code)) for code in STATUS_MEANINGS}
    spt = multiple_choice("spt-status", _("What status do the course data give the Six-Party Talks?"), [
        Option(name[s], s == status, _("The data code the talks as {status}: a body {meaning}.").format(
            status=name[status], meaning=meaning[status])
               + ("" if s == status else " " + _("'{status}' would mean a body {meaning}.").format(
                   status=name[s], meaning=meaning[s])))
        for s in inst["status"].cat.categories
    ], review=shown)
    transfers = data.idea_transfers
    chosen = ["T01", "T02", "T06", "T09"]
    transfer_order = ordering(
        "transfer-order", _("Put these idea transfers in the order the course data date them, earliest first."),
        [(_("{source} to {target}: {idea}").format(source=transfers.loc[t, 'from_id'], target=transfers.loc[t, 'to_id'],
                                                  idea=transfers.loc[t, 'idea']),
          int(transfers.loc[t, "year"]), _("is dated {year} in the data").format(year=int(transfers.loc[t, 'year'])))
         for t in chosen],
        review=shown)
    return [spt, transfer_order]


def _future(data: CourseData) -> list[QuickCheck]:
    inst, memberships = data.institutions, data.memberships
    shown = Review("06-future", "what-the-data-show", _("Chapter 6, What the data show"))

    counts = member_counts(memberships)
    listed = active_non_official_with_members(inst, memberships)
    both = set(active_non_official_including(inst, memberships, GREAT_POWERS))

    def rivals_text(body: str) -> str:
        members = members_of(memberships, body)
        has = [n for n in GREAT_POWERS if n in members]
        if len(has) == 2:
            return _("{body} counts both the United States and China as full members.").format(body=body)
        if has == ["United States"]:
            return _("{body} has the United States but not China.").format(body=body)
        if has:
            return _("{body} has China but not the United States.").format(body=body)
        return _("{body} has neither the United States nor China as a full member.").format(body=body)

    options = sorted(both)[:1] + sorted(set(listed) - both)
    rivals = multiple_choice("both-rivals", _("Which of these active non-official bodies counts both the United States "
                                              "and China as full members?"), [Option(b, b in both, rivals_text(b)) for b in options],
                             review=shown)

    # The member counts of the active non-official bodies are graded (x06-breadth): this
    # question orders official bodies instead, for comparison. One body per list size, so
    # that the order has one right answer, and four at most.
    official = [b for b in official_bodies(inst).index if b in counts.index and b not in listed]
    distinct = list({int(counts[b]): b for b in reversed(official)}.values())[::-1][:4]
    if len(distinct) < 3:
        raise ValueError(f"too few official bodies with member lists of different sizes to order: {distinct}")
    breadth = ordering("breadth", _("For comparison with the non-official bodies: order these official (Track 1) "
                                    "bodies by the number of full members listed in the data, largest first."),
                       [(b, -int(counts[b]), _("has {count} full members listed in the data").format(count=int(counts[b])))
                        for b in distinct],
                       review=shown)
    return [rivals, breadth]


def _evidence(data: CourseData) -> list[QuickCheck]:
    dis = data.disagreements
    shown = Review("07-evidence", "what-the-data-show", _("Chapter 7, What the data show"))

    # The number of disagreements is graded (x07-count): this question asks for the claims,
    # and the number of disagreements is neither an option nor in any feedback.
    totals = disagreement_totals(dis)
    numbers = {"claims": totals["claims"], "sources": totals["sources"],
               "rows": int(dis["row_id"].nunique()), "columns": len(disagreements_by_column(dis))}
    if len(set(numbers.values())) != len(numbers) or totals["disagreements"] in numbers.values():
        raise ValueError(f"two counts coincide, so the question is ambiguous or gives the graded count away: "
                         f"{numbers}, disagreements: {totals['disagreements']}")
    meaning = {
        "claims": _("the number of rows in the file below its header line, one per source's claim; the claims "
                    "about one contested value share a disagreement_id"),
        "sources": _("the number of different sources making claims; one source can make several"),
        "rows": _("the number of different rows of the main tables that are disputed (row_id); one row can be "
                  "disputed in more than one column"),
        "columns": _("the number of different table columns disputed"),
    }
    how_many = multiple_choice("how-many", _("How many source claims does data/disagreements.csv record?"), [
        Option(str(n), what == "claims", _("{number} is {meaning}.").format(number=n, meaning=meaning[what]))
        for what, n in sorted(numbers.items(), key=lambda kv: kv[1])
    ], review=shown)
    return [how_many]


#: Each exercise set and the function that builds its data-derived questions.
SETS: dict[str, Callable[[CourseData], list[QuickCheck]]] = {
    "01-tracks": _tracks,
    "02-boom": _boom,
    "03-symbiosis": _symbiosis,
    "04-middle-powers": _middle_powers,
    "05-challenges": _challenges,
    "06-future": _future,
    "07-evidence": _evidence,
}


def quick_checks(set_id: str, data: CourseData | None = None) -> dict[str, QuickCheck]:
    """The quick checks of one exercise set, by key: those of its content file, then
    those computed from ``data`` (default: the course data)."""
    if set_id not in SETS:
        raise KeyError(f"unknown exercise set {set_id!r}; choose one of: {', '.join(SETS)}")
    checks = {}
    for check in [*content_questions(set_id), *SETS[set_id](data if data is not None else load_course_data())]:
        if check.key in checks:
            raise ValueError(f"{set_id}: two quick checks are called {check.key!r}")
        checks[check.key] = check
    return checks
