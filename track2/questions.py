"""The quick checks of each exercise set, built from the course data.

Every fact a question tests (which body came first, who is whose partner, how
many disagreements the data record) is computed here from :mod:`track2.data`
and :mod:`track2.analysis` when the notebook runs, so a data correction flows
into the questions and their feedback. Student notebooks only call
:func:`quick_checks`; no answer is typed into them.

>>> checks = quick_checks("03-symbiosis")
>>> sorted(checks)[:2]
['dates', 'head-start']
"""

from __future__ import annotations

from collections.abc import Callable

from track2.analysis import TRACK_LABELS, founding_gap, member_counts, members_of, membership_overlap
from track2.data import NON_OFFICIAL_TRACKS, CourseData, load_course_data, split_list
from track2.quiz import Option, QuickCheck, Review, matching, multiple_choice, ordering, true_false


def _years(n: int) -> str:
    return f"{abs(n)} year{'s' if abs(n) != 1 else ''}"


def _founded(data: CourseData, body: str) -> str:
    return f"was founded in {int(data.institutions.loc[body, 'founded_year'])}"


# --------------------------------------------------------------------------- #
# 1. The tracks of diplomacy


def _tracks(data: CourseData) -> list[QuickCheck]:
    inst, dis = data.institutions, data.disagreements
    more = Review("01-tracks", "more-than-two-tracks", "Chapter 1, More than two tracks")
    labels = Review("01-tracks", "contested-labels", "Chapter 1, Contested labels")
    epistemic = Review("01-tracks", "epistemic-communities", "Chapter 1, Epistemic communities")

    mixed = multiple_choice("mixed-table", "Serving officials and independent experts meet at the same table. "
                            "What do analysts usually call such a dialogue?", [
        Option("Track 1", False, "Track 1 is diplomacy through official channels only; here non-officials "
               "take part too."),
        Option("Track 1.5", True, "Track 1.5 is the name for dialogue in which officials and non-officials "
               "work together."),
        Option("Track 2", False, "Track 2 is non-official dialogue; officials who attend do so only in a "
               "private capacity, not as equals at the table."),
        Option("Track 3", False, "Track 3 is contact among citizens and private groups, often at the "
               "grassroots, not with serving officials."),
    ], review=more)

    contested = set(dis.loc[(dis["table"] == "institutions") & (dis["column"] == "track"), "row_id"])
    neacd_claims = int(((dis["row_id"] == "NEACD") & (dis["column"] == "track")).sum())
    neacd_settled = "NEACD" not in contested
    settled = true_false(
        "neacd-settled", "The sources in the course data agree on which track NEACD belongs to.", neacd_settled,
        ("The data record no disagreement about NEACD's track." if neacd_settled else
         f"The data record {neacd_claims} claims about NEACD's track: its host and other sources label "
         "the same forum differently."), review=labels)

    def track_options(body: str) -> list[Option]:
        coded = str(inst.loc[body, "track"])
        options = []
        for track, label in TRACK_LABELS.items():
            if track == coded:
                why = f"The course data code {body} as {label}."
            else:
                why = f"The course data code {body} as {TRACK_LABELS[coded]}, not {label}."
            if body in contested:
                why += " Sources disagree on this label: see the disagreements table."
            options.append(Option(label, track == coded, why))
        return options

    coded = matching("coded-track", "Match each body to the track the course data give it.",
                     {body: track_options(body) for body in ("ARF", "NEACD", "CSCAP")}, review=labels)

    haas = multiple_choice("haas", "In Haas's definition, what holds an epistemic community together?", [
        Option("Shared beliefs about cause and effect, shared standards of evidence and a common policy project",
               True, "Haas describes professionals with recognised expertise who share values, causal beliefs, "
               "ways of judging evidence and a policy project."),
        Option("A common employer: they all work for the same government", False,
               "Members are experts, often outside government; what binds them is shared knowledge and beliefs, "
               "not an employer."),
        Option("A treaty that their states have signed", False,
               "A treaty binds states; an epistemic community is a network of experts, bound by ideas."),
        Option("Citizenship of the same country", False,
               "Epistemic communities can cross borders: Simon applies the idea to experts from many states in CSCAP."),
    ], review=epistemic)
    return [mixed, settled, coded, haas]


# --------------------------------------------------------------------------- #
# 2. Why Track 2 boomed


def _boom(data: CourseData) -> list[QuickCheck]:
    reasons = Review("02-boom", "two-reasons-for-the-growth", "Chapter 2, Two reasons for the growth")
    shown = Review("02-boom", "what-the-data-show", "Chapter 2, What the data show")
    why = multiple_choice("two-reasons", "Which two reasons does Feng give for the growth of Track 2 in the 1990s?", [
        Option("Regional institution-building, and new cross-border security problems", True,
               "Track 2 grew as part of ASEAN-led institution-building and as an answer to problems such as the "
               "1997 financial crisis and haze that no state could solve alone."),
        Option("Pressure from the United States, and funding from China", False,
               "Feng stresses that the great powers did not lead; the reasons she gives lie in the region's "
               "institution-building and its new problems."),
        Option("The end of the Vietnam War, and the oil crises of the 1970s", False,
               "These are earlier events; Feng's reasons concern the 1990s, after the Cold War."),
        Option("A fall in the number of official meetings, and cheaper air travel", False,
               "Neither appears in the essay; official multilateralism grew alongside Track 2."),
    ], review=reasons)
    haze = true_false(
        "haze", "Cross-border haze is a problem that one government, or its armed forces, can solve alone.", False,
        "Haze crosses borders, so no single state can stop it, and military means do not help; it calls for "
        "shared rules and monitoring, which experts can help design.", review=reasons)
    bodies = ["PECC", "APR", "CSCAP", "NEAT"]
    order = ordering("founding-order", "Put these non-official bodies in the order they were founded, earliest first.",
                     [(b, int(data.institutions.loc[b, "founded_year"]), _founded(data, b)) for b in bodies],
                     review=shown)
    return [why, haze, order]


# --------------------------------------------------------------------------- #
# 3. Symbiosis


def _symbiosis(data: CourseData) -> list[QuickCheck]:
    inst, pairs = data.institutions, data.pairs
    shown = Review("03-symbiosis", "what-the-data-show", "Chapter 3, What the data show")
    dates = Review("03-symbiosis", "when-did-the-arf-take-up-preventive-diplomacy",
                   "Chapter 3, When did the ARF take up preventive diplomacy?")

    partners_of: dict[str, set[str]] = {}
    for row in pairs.itertuples():
        partners_of.setdefault(row.track2_id, set()).add(row.track1_id)
    track2_bodies = ["CSCAP", "PECC", "NEAT", "ERIA"]
    official = sorted({p for b in track2_bodies for p in partners_of[b]})

    def partner_options(body: str) -> list[Option]:
        options = []
        for candidate in official:
            right = candidate in partners_of[body]
            if right:
                why = f"{body} is paired with {candidate} in the data ({inst.loc[body, 'realm']})."
            else:
                theirs = sorted(b for b, ps in partners_of.items() if candidate in ps)
                why = (f"{candidate}'s Track 2 partners in the data are {', '.join(theirs)}; "
                       f"{body} works with another official body.")
            options.append(Option(candidate, right, why))
        return options

    partners = matching("partners", "Match each Track 2 body to its Track 1 partner in the course data.",
                        {body: partner_options(body) for body in track2_bodies}, review=shown)

    candidates = ["ARF-CSCAP", "APEC-PECC", "APEC-PAFTAD", "APT-NEAT"]
    gaps = {p: founding_gap(inst, pairs, p) for p in candidates}
    best = max(gaps.values())
    if list(gaps.values()).count(best) != 1:
        raise ValueError(f"two pairs tie for the longest head start: {gaps}")

    def gap_text(pair_id: str) -> str:
        t1, t2 = pairs.loc[pair_id, ["track1_id", "track2_id"]]
        gap = gaps[pair_id]
        when = "before" if gap > 0 else "after" if gap < 0 else "in the same year as"
        return f"{t2} was founded {_years(gap) + ' ' if gap else ''}{when} {t1}."

    head_start = multiple_choice(
        "head-start", "In which pair did the Track 2 body have the longest head start on its Track 1 partner?",
        [Option(p, gaps[p] == best, gap_text(p)) for p in candidates], review=shown)

    no_list = [p for p in pairs.index if membership_overlap(data.memberships, pairs, p)["jaccard"] is None]
    assert "EAS-ERIA" in no_list, "the question below assumes EAS-ERIA has no Jaccard index"
    jaccard = multiple_choice("no-jaccard", "Why do the data give no Jaccard index for the EAS-ERIA pair?", [
        Option("ERIA is a research institute: the data hold no list of member states for it", True,
               "Without a member list on both sides there is nothing to compare, which says nothing about how "
               "close the bodies are."),
        Option("The two bodies have exactly the same members", False,
               "Identical memberships would give an index of 1, not a missing one."),
        Option("The two bodies share no members at all", False,
               "No shared members would give an index of 0; a missing index means a member list is missing."),
        Option("ERIA is older than the East Asia Summit", False,
               f"The order of founding does not affect the index, and ERIA {_founded(data, 'ERIA')}, "
               f"after the EAS ({int(inst.loc['EAS', 'founded_year'])})."),
    ], review=shown)

    pd_year = int(data.idea_transfers.loc["T02", "year"])
    in_1990s = 1990 <= pd_year <= 1999
    date = true_false(
        "dates", "The course data date the ARF's uptake of CSCAP's preventive-diplomacy work to the 1990s, "
        "as Feng does.", in_1990s,
        f"The data use {pd_year}, the year the ARF formally adopted its paper; Feng places the uptake in the "
        "1990s. The work may have started earlier than the formal decision.", review=dates)
    return [partners, head_start, jaccard, date]


# --------------------------------------------------------------------------- #
# 4. Middle powers and ASEAN


def _middle_powers(data: CourseData) -> list[QuickCheck]:
    inst = data.institutions
    essay = Review("04-middle-powers", "the-essay-argues", "Chapter 4, The essay argues")
    who = Review("04-middle-powers", "who-started-which-body", "Chapter 4, Who started which body")

    examples = multiple_choice("feng-examples", "Which states does Feng give as examples of the middle powers "
                               "that started Track 2 activity?", [
        Option("Australia, Canada and New Zealand", True, "These are her examples, working with the ASEAN states."),
        Option("The United States and China", False,
               "Feng names these two as the great powers that did not start or lead most of it."),
        Option("Russia and India", False, "The essay does not name them as initiators."),
        Option("The United Kingdom and France", False, "The essay's examples are Asia-Pacific middle powers."),
    ], review=essay)

    named = {}
    for body, cell in inst["initiators"].items():
        for name in split_list(cell):
            named.setdefault(name, []).append(body)
    candidates = ["Japan", "Australia", "ASEAN", "Canada", "United States"]
    top = max(len(named.get(c, [])) for c in candidates)
    if [len(named.get(c, [])) for c in candidates].count(top) != 1:
        raise ValueError("two candidates tie for the most bodies started")

    def count_text(name: str) -> str:
        bodies = sorted(named.get(name, []))
        return (f"The data name {name} as an initiator of {len(bodies)} bod{'y' if len(bodies) == 1 else 'ies'}"
                f"{': ' + ', '.join(bodies) if bodies else ''}.")

    most = multiple_choice("most-initiator", "Which of these is named as an initiator of the most bodies in the "
                           "course data?", [Option(c, len(named.get(c, [])) == top, count_text(c)) for c in candidates],
                           review=who)

    bodies = ["PECC", "ARF", "APR", "NEAT"]
    label = {b: " and ".join(split_list(inst.loc[b, "initiators"])) for b in bodies}
    if len(set(label.values())) != len(bodies):
        raise ValueError(f"two bodies share initiators, so the matching is ambiguous: {label}")

    def starter_options(body: str) -> list[Option]:
        return [Option(text, other == body,
                       f"The data name {text} as the initiator(s) of {other}." if other == body else
                       f"{text}: that is who started {other} in the data, not {body}.")
                for other, text in sorted(label.items(), key=lambda kv: kv[1])]

    starters = matching("who-started", "Match each body to the initiator(s) the course data name for it.",
                        {b: starter_options(b) for b in bodies}, review=who)
    return [examples, most, starters]


# --------------------------------------------------------------------------- #
# 5. Challenges now


def _challenges(data: CourseData) -> list[QuickCheck]:
    inst = data.institutions
    essay = Review("05-challenges", "the-essay-argues", "Chapter 5, The essay argues")
    shown = Review("05-challenges", "what-the-data-show", "Chapter 5, What the data show")

    claim = multiple_choice("feng-claim", "How does Feng judge Track 2's influence today?", [
        Option("Real but modest, and getting weaker", True,
               "She credits Track 2 with helping to build institutions but judges its contribution limited "
               "and its influence waning."),
        Option("Growing fast, thanks to U.S.-China rivalry", False,
               "Feng sees rivalry and power shifts as a threat to Track 2's relevance; growth through rivalry is "
               "an argument other commentators make."),
        Option("Nil: Track 2 never influenced governments", False,
               "She credits Track 2 with real contributions to regional institution-building."),
        Option("Unchanged since the 1990s", False, "She describes influence that is waning, not stable."),
    ], review=essay)

    gap = true_false("no-record", "A decade with no idea transfer in the course data proves that Track 2 had no "
                     "influence in that decade.", False,
                     "The data hold only episodes documented in the sources read; influence through people and "
                     "drafts rarely leaves a dated record. Absence of data is not evidence of absence.", review=shown)

    status = str(inst.loc["SPT", "status"])
    meaning = {"active": "still meets", "dormant": "has stopped meeting but was never formally closed",
               "defunct": "has finished its work or been formally closed"}
    spt = multiple_choice("spt-status", "What status do the course data give the Six-Party Talks?", [
        Option(s, s == status, f"The data code the talks as {status}: a body that {meaning.get(status, status)}."
               + ("" if s == status else f" '{s}' would mean a body that {meaning.get(s, s)}."))
        for s in inst["status"].cat.categories
    ], review=shown)
    transfers = data.idea_transfers
    chosen = ["T01", "T02", "T06", "T09"]
    transfer_order = ordering(
        "transfer-order", "Put these idea transfers in the order the course data date them, earliest first.",
        [(f"{transfers.loc[t, 'from_id']} to {transfers.loc[t, 'to_id']}: {transfers.loc[t, 'idea']}",
          int(transfers.loc[t, "year"]), f"is dated {int(transfers.loc[t, 'year'])} in the data") for t in chosen],
        review=shown)
    return [claim, gap, spt, transfer_order]


# --------------------------------------------------------------------------- #
# 6. The future


def _future(data: CourseData) -> list[QuickCheck]:
    inst, memberships = data.institutions, data.memberships
    essay = Review("06-future", "the-essay-argues", "Chapter 6, The essay argues")
    shown = Review("06-future", "what-the-data-show", "Chapter 6, What the data show")

    excerpt = true_false("excerpt", "The excerpt of the essay in hand sets out Feng's concrete suggestions for "
                         "Track 2's future.", False,
                         "The excerpt only announces them for the conclusion; the chapter sets out what other "
                         "scholars propose instead.", review=essay)

    counts = member_counts(memberships)
    active = inst[inst["track"].isin(NON_OFFICIAL_TRACKS) & (inst["status"] == "active")]
    listed = [b for b in active.index if b in counts.index]
    both = {b for b in listed if {"United States", "China"} <= members_of(memberships, b)}

    def rivals_text(body: str) -> str:
        members = members_of(memberships, body)
        has = [n for n in ("United States", "China") if n in members]
        if len(has) == 2:
            return f"{body} counts both the United States and China as full members."
        if has:
            return f"{body} has {has[0]} but not {'China' if has[0] == 'United States' else 'the United States'}."
        return f"{body} has neither the United States nor China as a full member."

    options = sorted(both)[:1] + sorted(set(listed) - both)
    rivals = multiple_choice("both-rivals", "Which of these active non-official bodies counts both the United States "
                             "and China as full members?", [Option(b, b in both, rivals_text(b)) for b in options],
                             review=shown)

    breadth = ordering("breadth", "Order these active non-official bodies by the number of full members in the data, "
                       "largest first.",
                       [(b, -int(counts[b]), f"has {int(counts[b])} full members in the data") for b in listed],
                       review=shown)
    return [excerpt, rivals, breadth]


# --------------------------------------------------------------------------- #
# 7. Reading the evidence


def _evidence(data: CourseData) -> list[QuickCheck]:
    dis = data.disagreements
    shown = Review("07-evidence", "what-the-data-show", "Chapter 7, What the data show")
    why = Review("07-evidence", "why-sources-disagree", "Chapter 7, Why sources disagree")
    handled = Review("07-evidence", "how-this-course-handles-disagreements",
                     "Chapter 7, How this course handles disagreements")

    numbers = {
        "disagreements": dis["disagreement_id"].nunique(),
        "claims": len(dis),
        "sources": dis["source"].nunique(),
        "columns": dis.groupby(["table", "column"]).ngroups,
    }
    if len(set(numbers.values())) != len(numbers):
        raise ValueError(f"two counts coincide, so the question is ambiguous: {numbers}")
    meaning = {
        "disagreements": "the number of distinct disagreement ids, one per contested value",
        "claims": "the number of rows, one per source's claim; each disagreement has at least two",
        "sources": "the number of different sources making claims",
        "columns": "the number of different table columns disputed",
    }
    how_many = multiple_choice("how-many", "How many disagreements does data/disagreements.csv record?", [
        Option(str(n), what == "disagreements", f"{n} is {meaning[what]}.")
        for what, n in sorted(numbers.items(), key=lambda kv: kv[1])
    ], review=shown)

    reasons = ["decision or first meeting", "institutional self-description", "secondary-source error", "list date"]
    cases = {"D01 (ARF founding)": 0, "D08 (NEACD's track)": 1, "D15 (Viet Nam joins ASEAN)": 2,
             "D20 (PECC members)": 3}
    explain = {
        0: "ministers decided to create the ARF in one year and it first met in the next.",
        1: "the same forum is labelled differently by its host and by other sources.",
        2: "one newspaper article gives a year that the other sources do not support.",
        3: "member lists of different dates list different members.",
    }
    for case in cases:  # the cases must still be in the data
        if case.split()[0] not in set(dis["disagreement_id"]):
            raise ValueError(f"{case} is no longer in disagreements.csv")
    kinds = matching("reasons", "Match each disagreement to the main reason it arises.", {
        case: [Option(reason, i == right, (f"Yes: {explain[right]}" if i == right else
                                           f"'{reason}' is not the main reason here: {explain[right]}"))
               for i, reason in enumerate(reasons)]
        for case, right in cases.items()
    }, review=why)

    average = true_false("averaging", "When sources disagree, the course data store the average of their values.",
                         False, "The main tables keep the one value the course uses, and disagreements.csv keeps "
                         "every source's version with a note; nothing is averaged away.", review=handled)
    return [how_many, kinds, average]


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
    """The quick checks of one exercise set, by key, computed from ``data`` (default: the course data)."""
    if set_id not in SETS:
        raise KeyError(f"unknown exercise set {set_id!r}; choose one of: {', '.join(SETS)}")
    return {check.key: check for check in SETS[set_id](data if data is not None else load_course_data())}
