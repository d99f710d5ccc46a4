"""Pure computations on the course data: each takes and returns plain DataFrames."""

from __future__ import annotations

import itertools

import pandas as pd

from track2.data import NON_OFFICIAL_TRACKS, split_list
from track2.i18n import N_, _

TRACK_LABELS = {"1": N_("Track 1 (official)"), "1.5": N_("Track 1.5 (mixed)"), "2": N_("Track 2 (non-official)")}
#: The data's realms as readers see them (translated where shown).
REALM_LABELS = {"security": N_("security"), "economic": N_("economic"), "both": N_("both")}


def track_labels() -> dict[str, str]:
    """:data:`TRACK_LABELS` in the reader's language (:mod:`track2.i18n`)."""
    return {track: _(label) for track, label in TRACK_LABELS.items()}


def is_non_official(tracks: pd.Series) -> pd.Series:
    """True where a ``track`` value is non-official (Track 1.5 or Track 2): the one
    place the course decides what counts as the "Track 2 side".

    >>> is_non_official(pd.Series(["1", "1.5", "2"])).tolist()
    [False, True, True]
    """
    return tracks.astype("string").isin(NON_OFFICIAL_TRACKS)


def non_official_bodies(institutions: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``institutions`` on Track 1.5 or Track 2."""
    return institutions[is_non_official(institutions["track"])]


def official_bodies(institutions: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``institutions`` on Track 1 (official)."""
    return institutions[~is_non_official(institutions["track"])]


def active_bodies(institutions: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``institutions`` whose ``status`` is "active"."""
    return institutions[institutions["status"] == "active"]


def bodies_with_status(institutions: pd.DataFrame, status: str) -> list[str]:
    """Ids of the bodies coded with one status (active, dormant, defunct, unknown)."""
    return institutions.index[institutions["status"] == status].tolist()


def active_non_official_bodies(institutions: pd.DataFrame) -> pd.DataFrame:
    """The non-official bodies whose ``status`` is "active"."""
    return active_bodies(non_official_bodies(institutions))


def active_non_official_with_members(institutions: pd.DataFrame, memberships: pd.DataFrame) -> list[str]:
    """Ids of the active non-official bodies for which the data hold a list of full
    members (study groups and research institutes have none), in table order."""
    listed = set(member_counts(memberships).index)
    return [body for body in active_non_official_bodies(institutions).index if body in listed]


#: The two great powers whose rivalry the course asks Track 2 to bridge.
GREAT_POWERS = ("United States", "China")


def active_non_official_including(institutions: pd.DataFrame, memberships: pd.DataFrame, members) -> list[str]:
    """Ids of the active non-official bodies whose full members include every one of
    ``members`` (display names), in table order."""
    return [body for body in active_non_official_with_members(institutions, memberships)
            if set(members) <= members_of(memberships, body)]


def bodies_per_track(institutions: pd.DataFrame, relabel: dict[str, str] | None = None) -> pd.Series:
    """Number of bodies on each track ("1", "1.5", "2"), zero where a track has none.

    ``relabel`` (body id -> track) counts as if those bodies carried another label,
    such as the one a disputing source gives them; an unknown id raises ``KeyError``.
    """
    tracks = institutions["track"].astype(str).to_dict()
    for body_id, track in (relabel or {}).items():
        institution(institutions, body_id)  # an unknown id raises KeyError
        tracks[body_id] = track
    return pd.Series(tracks).value_counts().reindex(list(TRACK_LABELS), fill_value=0).rename("bodies")


def bodies_on_track(institutions: pd.DataFrame, track: str) -> pd.DataFrame:
    """The rows of ``institutions`` on one track ("1", "1.5" or "2")."""
    return institutions[institutions["track"].astype("string") == track]


def founded_between(institutions: pd.DataFrame, first: int | None = None, last: int | None = None) -> pd.DataFrame:
    """The bodies founded from ``first`` to ``last``, both years included; leave
    either out for an open end."""
    years = institutions["founded_year"]
    lower = years.min() if first is None else first
    upper = years.max() if last is None else last
    return institutions[years.between(lower, upper)]


def earliest_founded(institutions: pd.DataFrame, realm: str) -> str:
    """Id of the first body founded in ``realm`` (in a tie, the first id alphabetically)."""
    return founding_timeline(institutions[institutions["realm"] == realm])["id"].iloc[0]


#: Column headings for reading (tables shown on the book's pages, in the notebooks and the explorers),
#: marked for translation.
READABLE_COLUMNS = {"founded_year": N_("Founded"), "id": N_("Body"), "name": N_("Name"), "track": N_("Track"),
                    "realm": N_("Realm")}


def for_reading(bodies: pd.DataFrame) -> pd.DataFrame:
    """A table of bodies as readers see it, in the reader's language: the track and the realm in
    words and the columns headed by :data:`READABLE_COLUMNS` (``founded_year`` -> ``Founded``);
    rows and index as they are."""
    labelled = bodies.copy()
    if "track" in labelled:
        labelled["track"] = labelled["track"].astype(str).map(track_labels())
    if "realm" in labelled:
        labelled["realm"] = labelled["realm"].astype(str).map(lambda realm: _(REALM_LABELS.get(realm, realm)))
    return labelled.rename(columns={column: _(heading) for column, heading in READABLE_COLUMNS.items()})


def founding_order_table(institutions: pd.DataFrame) -> pd.DataFrame:
    """The bodies in order of founding, labelled for reading: indexed by the founding year,
    with each body's acronym, name, track (in words) and realm."""
    return for_reading(founding_timeline(institutions)).set_index(_("Founded"))


def non_official_timeline(institutions: pd.DataFrame) -> pd.DataFrame:
    """The Track 1.5 and Track 2 bodies in order of founding, labelled for reading."""
    return founding_order_table(non_official_bodies(institutions))


def bodies_table(institutions: pd.DataFrame) -> pd.DataFrame:
    """Every body, labelled for reading: indexed by its acronym, with its name, track (in
    words), realm and founding year, in the data's order."""
    return for_reading(institutions[["name", "track", "realm", "founded_year"]]).rename_axis(_("Body"))


def bodies_by_track_and_realm(institutions: pd.DataFrame) -> pd.DataFrame:
    """Count bodies by track (rows) and realm (columns), with totals.

    >>> from track2.data import load_institutions
    >>> table = bodies_by_track_and_realm(load_institutions())
    >>> int(table.loc["All", "All"]) == len(load_institutions())
    True
    """
    counts = pd.crosstab(
        institutions["track"].map(track_labels()),
        institutions["realm"],
        margins=True,
        margins_name="All",
        dropna=False,
    )
    counts.index.name = "Track"
    counts.columns.name = "Realm"
    return counts


def founding_timeline(institutions: pd.DataFrame) -> pd.DataFrame:
    """Bodies in order of founding: year, id, name, track and realm."""
    columns = ["founded_year", "id", "name", "track", "realm"]
    return institutions[columns].sort_values(["founded_year", "id"]).reset_index(drop=True)


def institution(institutions: pd.DataFrame, body_id: str) -> pd.Series:
    """One body's row; an unknown id raises ``KeyError`` listing the valid ids."""
    if body_id not in institutions.index:
        raise KeyError(f"unknown body {body_id!r}; choose one of: {', '.join(sorted(institutions.index))}")
    return institutions.loc[body_id]


def full_members(memberships: pd.DataFrame, body_id: str | None = None) -> pd.DataFrame:
    """The membership rows of full members (role ``member``; not observers, dialogue
    partners or institutional members), of one body or of all."""
    rows = memberships[memberships["role"] == "member"]
    return rows if body_id is None else rows[rows["body_id"] == body_id]


def members_of(memberships: pd.DataFrame, body_id: str, roles: tuple[str, ...] = ("member",)) -> set[str]:
    """Member names of one body (full members only, unless ``roles`` says otherwise)."""
    rows = memberships[(memberships["body_id"] == body_id) & (memberships["role"].isin(roles))]
    return set(rows["member"])


def member_counts(memberships: pd.DataFrame) -> pd.Series:
    """Number of full members of each body, largest first."""
    return full_members(memberships).groupby("body_id").size().sort_values(ascending=False).rename("members")


def pair_bodies(pairs: pd.DataFrame, pair_id: str) -> tuple[str, str]:
    """``(track1_id, track2_id)`` of a pair; an unknown pair lists the valid ones."""
    if pair_id not in pairs.index:
        raise KeyError(f"unknown pair {pair_id!r}; choose one of: {', '.join(pairs.index)}")
    row = pairs.loc[pair_id]
    return row["track1_id"], row["track2_id"]


def partners_of(pairs: pd.DataFrame, body_id: str) -> list[str]:
    """Ids of the bodies paired with one body in ``pairs`` (its partners on the other track), sorted."""
    as_track2 = pairs.loc[pairs["track2_id"] == body_id, "track1_id"]
    as_track1 = pairs.loc[pairs["track1_id"] == body_id, "track2_id"]
    return sorted({*as_track2, *as_track1})


def membership_overlap(memberships: pd.DataFrame, pairs: pd.DataFrame, pair_id: str) -> dict:
    """Shared members of a pair's two bodies, members of only one, and the Jaccard index.

    The Jaccard index is the number of shared members divided by the number of
    members of either body: 1 means identical membership, 0 none in common. It is
    not rounded: round it where it is shown. Where
    the data hold no member list for one of the bodies (a study group, a research
    institute), ``jaccard`` is ``None``: there is nothing to compare.
    """
    official, unofficial = pair_bodies(pairs, pair_id)
    a, b = members_of(memberships, official), members_of(memberships, unofficial)
    comparable = bool(a) and bool(b)
    return {
        "shared": sorted(a & b),
        "only_track1": sorted(a - b),
        "only_track2": sorted(b - a),
        "jaccard": len(a & b) / len(a | b) if comparable else None,
    }


def founding_gap(institutions: pd.DataFrame, pairs: pd.DataFrame, pair_id: str) -> int:
    """Years from the Track 2 body's founding to its Track 1 partner's (negative: T2 came later)."""
    official, unofficial = pair_bodies(pairs, pair_id)
    return int(institutions.loc[official, "founded_year"] - institutions.loc[unofficial, "founded_year"])


def pair_summary(institutions: pd.DataFrame, memberships: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """One row per pair: its bodies, founding years, the gap (years by which the Track 2
    body is older; negative where it is younger), shared members and the (unrounded)
    Jaccard index; the last two are ``NA`` where a body has no member list. Headings
    are short, so that the table fits the text column on a desktop."""
    rows = []
    for pair_id, pair in pairs.iterrows():
        overlap = membership_overlap(memberships, pairs, pair_id)
        rows.append({
            "pair": pair_id,
            "realm": pair["realm"],
            "Track 1": pair["track1_id"],
            "T1 founded": int(institutions.loc[pair["track1_id"], "founded_year"]),
            "Track 2": pair["track2_id"],
            "T2 founded": int(institutions.loc[pair["track2_id"], "founded_year"]),
            "gap (years)": founding_gap(institutions, pairs, pair_id),
            "shared members": len(overlap["shared"]) if overlap["jaccard"] is not None else pd.NA,
            "Jaccard": overlap["jaccard"] if overlap["jaccard"] is not None else pd.NA,
        })
    return pd.DataFrame(rows).set_index("pair")


#: Bibliography key of Feng's essay, the course's core reading.
ESSAY_KEY = "feng2018track2"


def _cited(table: pd.DataFrame, key: str) -> pd.Series:
    return table["sources"].map(lambda sources: cites(sources, key))


def citing(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """The rows of ``table`` whose ``sources`` include the bibliography ``key``."""
    return table[_cited(table, key)]


def pairs_table(institutions: pd.DataFrame, memberships: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """:func:`pair_summary` for reading: whether Feng's essay discusses each pair, and
    "no member list" where there is no Jaccard index to give."""
    table = pair_summary(institutions, memberships, pairs)
    for column in ["shared members", "Jaccard"]:
        table[column] = table[column].astype(object).where(table[column].notna(), "no member list")
    table.insert(0, "in the essay?", _cited(pairs, ESSAY_KEY).map({True: "yes", False: "no"}))
    return table


def pairs_by_founding_order(institutions: pd.DataFrame, pairs: pd.DataFrame) -> dict[str, list[str]]:
    """Pair ids grouped by which body came first: ``"track2_first"``, ``"same_year"``
    and ``"track2_later"``."""
    gaps = {pair_id: founding_gap(institutions, pairs, pair_id) for pair_id in pairs.index}
    return {
        "track2_first": [pair_id for pair_id, gap in gaps.items() if gap > 0],
        "same_year": [pair_id for pair_id, gap in gaps.items() if gap == 0],
        "track2_later": [pair_id for pair_id, gap in gaps.items() if gap < 0],
    }


def pairs_without_member_lists(memberships: pd.DataFrame, pairs: pd.DataFrame) -> list[str]:
    """Ids of the pairs with no Jaccard index, because one body has no member list."""
    return [pair_id for pair_id in pairs.index if membership_overlap(memberships, pairs, pair_id)["jaccard"] is None]


def overlap_table(memberships: pd.DataFrame, pairs: pd.DataFrame, pair_ids: list[str],
                  disagreements: pd.DataFrame) -> pd.DataFrame:
    """For each pair named: how many members its bodies share, the members of only one
    of them, the Jaccard index as a range over the readings of disputed lists
    (:func:`jaccard_range`) and the dates of the two lists (:func:`list_date_text`)."""
    rows = {}
    for pair_id in pair_ids:
        overlap = membership_overlap(memberships, pairs, pair_id)
        official, unofficial = pair_bodies(pairs, pair_id)
        rows[pair_id] = {
            "shared members": len(overlap["shared"]),
            "only in the Track 1 body": ", ".join(overlap["only_track1"]) or "none",
            "only in the Track 2 body": ", ".join(overlap["only_track2"]) or "none",
            "Jaccard index": range_text(*jaccard_range(memberships, disagreements, pairs, pair_id)),
            "lists as of": pair_list_dates(memberships, official, unofficial),
        }
    return pd.DataFrame(rows).T.rename_axis("pair")


def jaccard_table(memberships: pd.DataFrame, pairs: pd.DataFrame, disagreements: pd.DataFrame) -> pd.DataFrame:
    """For each pair: the Jaccard index as a range over the readings of disputed lists
    ("n/a" where a body has no member list) and the dates of the two lists."""
    rows = []
    for pair_id in pairs.index:
        official, unofficial = pair_bodies(pairs, pair_id)
        low, high = jaccard_range(memberships, disagreements, pairs, pair_id)
        comparable = low is not None
        rows.append({
            "pair": pair_id,
            "Jaccard index": range_text(low, high) if comparable else "n/a",
            "lists as of": pair_list_dates(memberships, official, unofficial) if comparable
                           else "no member list on one side",
        })
    return pd.DataFrame(rows).set_index("pair")


def disputed_full_members(memberships: pd.DataFrame, disagreements: pd.DataFrame, body_id: str) -> list[str]:
    """Ids of the listed full members of one body whose membership a source disputes."""
    listed = set(full_members(memberships, body_id)["member_id"])
    return [m for m in disputed_members(disagreements, body_id) if m in listed]


def member_count_range(memberships: pd.DataFrame, disagreements: pd.DataFrame, body_id: str) -> tuple[int, int]:
    """Fewest and most full members of one body: the most counts every full member the
    data list; the fewest leaves out those whose membership a source disputes."""
    listed = len(members_of(memberships, body_id))
    return listed - len(disputed_full_members(memberships, disagreements, body_id)), listed


def jaccard_range(memberships: pd.DataFrame, disagreements: pd.DataFrame, pairs: pd.DataFrame,
                  pair_id: str) -> tuple[float | None, float | None]:
    """Lowest and highest Jaccard index of a pair over every reading of its lists: each
    disputed full member (:func:`disputed_full_members`) of either body counted in or
    left out. Unrounded; ``(None, None)`` where a body has no member list. A reading that
    leaves a body with no members has no index and is not part of the range."""
    if membership_overlap(memberships, pairs, pair_id)["jaccard"] is None:
        return None, None
    disputed = [(body, member) for body in pair_bodies(pairs, pair_id)
                for member in disputed_full_members(memberships, disagreements, body)]
    values = []
    for left_out in itertools.product([False, True], repeat=len(disputed)):
        reading = memberships
        for (body, member), drop in zip(disputed, left_out, strict=True):
            if drop:
                reading = without_members(reading, body, [member])
        values.append(membership_overlap(reading, pairs, pair_id)["jaccard"])
    values = [value for value in values if value is not None]
    return (min(values), max(values)) if values else (None, None)


def range_text(low, high, digits: int = 2) -> str:
    """A value that depends on which source one trusts, for reading: ``"0.70"`` when
    both ends agree, ``"0.67 to 0.74"`` when they do not (floats rounded to ``digits``)."""
    show = (lambda v: f"{v:.{digits}f}") if isinstance(low, float) else str
    return show(low) if show(low) == show(high) else _("{low} to {high}").format(low=show(low), high=show(high))


def pair_list_dates(memberships: pd.DataFrame, official: str, unofficial: str) -> str:
    """The dates of a pair's two member lists, for reading (a table cell, the pair explorer)."""
    return (f"{official}: {list_date_text(memberships, official)}; "
            f"{unofficial}: {list_date_text(memberships, unofficial)}")


def list_date_text(memberships: pd.DataFrame, body_id: str) -> str:
    """How old one body's member list is, for reading: its as-of date, and whether that
    is the source's own date or the day an undated page was read."""
    rows = full_members(memberships, body_id)
    latest = membership_as_of(memberships, body_id)
    day = date_text(latest)
    undated = (rows.loc[rows["as_of"] == latest, "as_of_basis"] == "read").any()
    return _("undated page(s) read on {date}").format(date=day) if undated else day


#: Month names, translated where shown (:func:`date_text`).
MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"), N_("July"),
          N_("August"), N_("September"), N_("October"), N_("November"), N_("December"))


def date_text(day) -> str:
    """A date for reading, in the reader's language: ``3 May 2024`` (``2024年5月3日``)."""
    return _("{day} {month} {year}").format(day=day.day, month=_(MONTHS[day.month - 1]), year=day.year)


def transfers_table(transfers: pd.DataFrame) -> pd.DataFrame:
    """The idea transfers for reading: year, the two bodies, the idea, and whether
    Feng's essay reports it."""
    in_essay = _cited(transfers, ESSAY_KEY).map({True: "yes", False: "no"})
    return (transfers.assign(in_essay=in_essay)
            .rename(columns={"from_id": "from (T2)", "to_id": "to (T1)", "in_essay": "in the essay?"})
            [["year", "from (T2)", "to (T1)", "idea", "in the essay?"]]
            .rename_axis("transfer"))


def founded_per_decade(institutions: pd.DataFrame) -> pd.DataFrame:
    """Bodies founded in each decade, by track (rows: decades such as 1990)."""
    decade = (institutions["founded_year"] // 10 * 10).rename("decade")
    table = pd.crosstab(decade, institutions["track"].map(track_labels()))
    table.columns.name = None
    every_decade = range(int(decade.min()), int(decade.max()) + 10, 10)
    return table.reindex(every_decade, fill_value=0).rename_axis("decade")


def decade_text(decade: int) -> str:
    """A decade as text in the reader's language: ``2000`` -> ``"2000s"``."""
    return _("{decade}s").format(decade=decade)


def busiest_decade(institutions: pd.DataFrame) -> tuple[int, int]:
    """The decade in which most of ``institutions`` were founded, and how many: a pair
    such as ``(2000, 6)`` for the 2000s. In a tie the earliest such decade is given.

    Pass a subset (for example ``non_official_bodies(...)``) to ask about one side.
    """
    counts = (institutions["founded_year"] // 10 * 10).value_counts()
    most = int(counts.max())
    return int(counts[counts == most].index.min()), most


#: Where the data record who started each body: ``initiators`` names them as the sources do
#: (states, bodies, institutes or persons); ``initiator_states`` codes each at state level (the
#: state of an institute or person, or ASEAN where ASEAN's governments acted together; the rule
#: is in data/README.md).
INITIATOR_COLUMNS = ("initiators", "initiator_states")


def _initiator_column(column: str) -> str:
    if column not in INITIATOR_COLUMNS:
        raise ValueError(f"column must be one of {INITIATOR_COLUMNS}, got {column!r}")
    return column


def initiators_table(institutions: pd.DataFrame, column: str = "initiators") -> pd.DataFrame:
    """How many bodies each initiator helped start, with the bodies.

    ``column="initiators"`` counts states, bodies and people as the sources name them;
    ``column="initiator_states"`` counts at state level."""
    column = _initiator_column(column)
    rows = [
        {"initiator": name, "body": body_id}
        for body_id, cell in institutions[column].items()
        for name in split_list(cell)
    ]
    frame = pd.DataFrame(rows, columns=["initiator", "body"])
    return (frame.groupby("initiator")["body"].agg(bodies=lambda s: ", ".join(sorted(s)), count="size")
            .sort_values(["count", "initiator"], ascending=[False, True])[["count", "bodies"]])


def initiators_of(institutions: pd.DataFrame, body_id: str, column: str = "initiators") -> list[str]:
    """The initiators the data name for one body (as named, or at state level: see ``initiators_table``)."""
    return split_list(institution(institutions, body_id)[_initiator_column(column)])


def bodies_started_by(institutions: pd.DataFrame, names, column: str = "initiators") -> list[str]:
    """Ids of the bodies that any of ``names`` helped start, in table order."""
    return [body_id for body_id in institutions.index
            if set(initiators_of(institutions, body_id, column)) & set(names)]


def bodies_started_only_by(institutions: pd.DataFrame, names, column: str = "initiators") -> list[str]:
    """Ids of the bodies whose initiators all come from ``names`` (bodies with no initiator excluded)."""
    return [body_id for body_id in institutions.index
            if (started := set(initiators_of(institutions, body_id, column))) and started <= set(names)]


def bodies_without_initiators(institutions: pd.DataFrame, column: str = "initiators") -> list[str]:
    """Ids of the bodies for which the data name no initiator (in ``column``)."""
    return [body_id for body_id in institutions.index if not initiators_of(institutions, body_id, column)]


#: The middle powers chapter 4 counts: the three Feng names, and South Korea, which the
#: literature the chapter cites treats as one (Robertson and Carr's six states include it).
MIDDLE_POWERS = ("Australia", "Canada", "New Zealand", "Republic of Korea")


def initiator_groups(memberships: pd.DataFrame, middle=MIDDLE_POWERS, with_japan: bool = True) -> dict[str, set[str]]:
    """Chapter 4's two sides, as ``{label: names}`` for :func:`initiators_by_selection` and
    :func:`bodies_started_by` on the ``initiator_states`` column.

    ``middle or ASEAN``: the ``middle`` powers, Japan (unless ``with_japan`` is false), ASEAN and
    each of ASEAN's full members; ``US or China``: :data:`GREAT_POWERS`."""
    side = set(middle) | {"ASEAN"} | members_of(memberships, "ASEAN")
    if with_japan:
        side.add("Japan")
    return {"middle or ASEAN": side, "US or China": set(GREAT_POWERS)}


def convened_bodies(institutions: pd.DataFrame, memberships: pd.DataFrame,
                    conveners: tuple[str, ...] = ("ASEAN", "ADMM"), core: str = "ASEAN") -> pd.DataFrame:
    """The bodies that ``conveners`` started and that bring in full members from outside
    ``core`` (by default: ASEAN-convened bodies reaching beyond ASEAN's own states)."""
    core_members = members_of(memberships, core)
    counts = member_counts(memberships)
    outside = f"non-{core}"
    rows = []
    for body_id in bodies_started_by(institutions, conveners):
        others = members_of(memberships, body_id) - core_members
        if others:
            rows.append({"body": body_id, "name": institutions.loc[body_id, "name"],
                         "founded": int(institutions.loc[body_id, "founded_year"]),
                         "started by": ", ".join(sorted(initiators_of(institutions, body_id))),
                         "members": int(counts[body_id]), outside: len(others),
                         "members as of": membership_as_of(memberships, body_id).year})
    columns = ["body", "name", "founded", "started by", "members", outside, "members as of"]
    return pd.DataFrame(rows, columns=columns).set_index("body")


def member_profile(memberships: pd.DataFrame, institutions: pd.DataFrame, member: str) -> pd.DataFrame:
    """The bodies one state, economy or organisation belongs to, by track, with the year joined.

    ``member`` is a display name (``"Japan"``) or a member id (``"JPN"``). An unknown
    member raises ``KeyError`` listing the valid names.
    """
    known = memberships.drop_duplicates("member_id")
    if member in set(known["member_id"]):
        member_id = member
    elif member in set(known["member"]):
        member_id = known.loc[known["member"] == member, "member_id"].iloc[0]
    else:
        raise KeyError(f"unknown member {member!r}; choose one of: {', '.join(sorted(known['member']))}")
    rows = memberships[memberships["member_id"] == member_id].merge(
        institutions[["id", "name", "track", "realm", "founded_year"]], left_on="body_id", right_on="id"
    )
    columns = {"body_id": "Body", "name": "Name", "track": "Track", "realm": "Realm",
               "role": "Role", "joined_year": "Joined"}
    rows = rows.sort_values(["track", "joined_year", "body_id"])  # by the track's code: labels sort differently in translation
    rows = rows.assign(track=rows["track"].astype(str).map(track_labels()))
    return rows[list(columns)].rename(columns=columns).reset_index(drop=True)


def most_connected_member(memberships: pd.DataFrame) -> str:
    """The display name of the state, economy or organisation that belongs to the most bodies
    (any role); in a tie, the first alphabetically."""
    bodies = memberships.groupby("member", observed=True)["body_id"].nunique()
    return str(bodies[bodies == bodies.max()].sort_index().index[0])


def member_bodies_per_track(memberships: pd.DataFrame, institutions: pd.DataFrame, member: str) -> pd.Series:
    """How many bodies of each track one member belongs to, by track label (tracks with
    none left out); ``member`` as in :func:`member_profile`."""
    return member_profile(memberships, institutions, member).groupby("Track", observed=True).size()


#: The timeline filters readers can choose: label -> (tracks, realms) kept.
TIMELINE_FILTERS = {  # labels translated where shown (track2.widgets.timeline_explorer)
    N_("All bodies"): (("1", "1.5", "2"), ("security", "economic", "both")),
    N_("Track 1 (official) only"): (("1",), ("security", "economic", "both")),
    N_("Track 1.5 and Track 2 only"): (("1.5", "2"), ("security", "economic", "both")),
    N_("Security realm (and both)"): (("1", "1.5", "2"), ("security", "both")),
    N_("Economic realm (and both)"): (("1", "1.5", "2"), ("economic", "both")),
}


def timeline(institutions: pd.DataFrame, transfers: pd.DataFrame, choice: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bodies kept by one of :data:`TIMELINE_FILTERS`, in founding order, and the idea
    transfers between two kept bodies."""
    if choice not in TIMELINE_FILTERS:
        raise KeyError(f"unknown timeline filter {choice!r}; choose one of: {', '.join(TIMELINE_FILTERS)}")
    tracks, realms = TIMELINE_FILTERS[choice]
    kept = institutions[institutions["track"].isin(tracks) & institutions["realm"].isin(realms)]
    bodies = founding_timeline(kept)
    links = transfers[transfers["from_id"].isin(kept.index) & transfers["to_id"].isin(kept.index)]
    return bodies, links.sort_values(["year", "transfer_id"]).reset_index(drop=True)


def cites(sources, key: str) -> bool:
    """Does a ``sources`` cell (semicolon-separated keys) include ``key``?

    >>> cites("feng2018track2;cscap_pd", "feng2018track2")
    True
    """
    return key in split_list(sources)


def membership_as_of(memberships: pd.DataFrame, body_id: str) -> pd.Timestamp:
    """The latest date a source describes for one body's list of full members."""
    return full_members(memberships, body_id)["as_of"].max()


def joined_year(memberships: pd.DataFrame, body_id: str, member_id: str):
    """The year one member joined one body: an int, or ``pd.NA`` if the data do not say
    (or the member does not belong)."""
    rows = memberships[(memberships["body_id"] == body_id) & (memberships["member_id"] == member_id)]
    return rows["joined_year"].iloc[0] if len(rows) else pd.NA


def role_cards(institutions: pd.DataFrame, members: pd.DataFrame, memberships: pd.DataFrame,
               track1_body: str = "ARF", track2_body: str = "CSCAP",
               required: tuple[str, ...] = ()) -> pd.DataFrame:
    """Role cards for a simulated Track 2 study group, drawn from the data.

    The pool is every full member of both bodies. Members that belong to exactly
    the same set of Track 1 bodies would play the same role, so each such set gets
    one card: the member in most other non-official networks, then the earliest to
    join ``track2_body``, then by name. The last column names the members that could
    take the same card in a larger class.

    ``required`` lists member ids that the scenario cannot do without (a module on
    U.S.-China rivalry needs both rivals at the table): each one in the pool gets a
    card of its own, whatever its group, and is not offered as a spare role.
    """
    full = full_members(memberships)
    official = set(official_bodies(institutions).index)
    unofficial = set(non_official_bodies(institutions).index)

    def bodies_of(member_id: str, among: set[str]) -> list[str]:
        rows = full[(full["member_id"] == member_id) & full["body_id"].isin(among)]
        return sorted(rows["body_id"])

    first, second = (set(full.loc[full["body_id"] == b, "member_id"]) for b in (track1_body, track2_body))
    pool = pd.DataFrame({"member_id": sorted(first & second)})
    pool["name"] = pool["member_id"].map(members["name"])
    pool["track1"] = pool["member_id"].map(lambda m: ", ".join(bodies_of(m, official)))
    pool["others"] = pool["member_id"].map(lambda m: [b for b in bodies_of(m, unofficial) if b != track2_body])
    pool["n_others"] = pool["others"].map(len)
    pool["t2_year"] = pool["member_id"].map(lambda m: joined_year(full, track2_body, m)).astype("Int64")
    pool["t1_year"] = pool["member_id"].map(lambda m: joined_year(full, track1_body, m)).astype("Int64")
    pool = pool.sort_values(["n_others", "t2_year", "name"], ascending=[False, True, True], na_position="last")
    must = pool["member_id"].isin(required)
    rest = pool[~must]
    chosen = pd.concat([rest.groupby("track1", sort=False).head(1), pool[must]]).sort_values("name")
    shares = rest.groupby("track1")["name"].agg(lambda names: ", ".join(sorted(names)))
    unknown = "not in the data"
    return pd.DataFrame({
        "Card": range(1, len(chosen) + 1),
        "Committee of": chosen["name"].to_numpy(),
        "In Track 1 bodies": chosen["track1"].to_numpy(),
        "Other networks": chosen["others"].map(lambda b: ", ".join(b) or "none").to_numpy(),
        f"Joined {track1_body}": chosen["t1_year"].astype("string").fillna(unknown).to_numpy(),
        f"Joined {track2_body}": chosen["t2_year"].astype("string").fillna(unknown).to_numpy(),
        "Same Track 1 bodies as": [
            "none" if member in required
            else ", ".join(n for n in shares[t].split(", ") if n != name) or "none"
            for t, name, member in zip(chosen["track1"], chosen["name"], chosen["member_id"], strict=True)
        ],
    }).set_index("Card")


def claims_of(disagreements: pd.DataFrame, disagreement_id: str, mentioning: str | None = None) -> pd.DataFrame:
    """The source claims in one disagreement; with ``mentioning``, only the claims
    whose text contains it."""
    claims = disagreements[disagreements["disagreement_id"] == disagreement_id]
    if mentioning is not None:
        claims = claims[claims["claim"].str.contains(mentioning, regex=False)]
    return claims


def claim_years(disagreements: pd.DataFrame, disagreement_id: str) -> pd.Series:
    """The last year (19xx or 20xx) named in each source's claim in one disagreement,
    indexed by source."""
    claims = claims_of(disagreements, disagreement_id).set_index("source")
    return claims["claim"].str.findall(r"\b(?:19|20)\d{2}\b").str[-1].astype(int)


def sources_naming_latest_year(disagreements: pd.DataFrame, disagreement_id: str) -> list[str]:
    """The sources in one disagreement whose claim names its latest year."""
    years = claim_years(disagreements, disagreement_id)
    return sorted(years.index[years == years.max()])


def claims_on(disagreements: pd.DataFrame, table: str, column: str) -> pd.DataFrame:
    """Every source claim about one column of one table."""
    return disagreements[(disagreements["table"] == table) & (disagreements["column"] == column)]


def claims_about(disagreements: pd.DataFrame, table: str, row_id: str, column: str) -> pd.DataFrame:
    """Every source claim about one value: one column of one row of one table."""
    claims = claims_on(disagreements, table, column)
    return claims[claims["row_id"] == row_id]


def disputed_rows(disagreements: pd.DataFrame, table: str, column: str) -> list[str]:
    """Ids of the rows of ``table`` whose ``column`` the sources dispute, in file order."""
    return list(dict.fromkeys(claims_on(disagreements, table, column)["row_id"]))


def track_claims_table(institutions: pd.DataFrame, disagreements: pd.DataFrame) -> pd.DataFrame:
    """Each source's claim about a body's track, beside the track the course data use."""
    claims = claims_on(disagreements, "institutions", "track")
    coded = claims["row_id"].map(institutions["track"].astype(str).map(track_labels()))
    return (claims.assign(coded=coded)
            .rename(columns={"row_id": "Body", "claim": "What the source says", "source": "Source key",
                             "coded": "Coded as"})
            .set_index("Body")[["What the source says", "Source key", "Coded as"]])


def disputed_members(disagreements: pd.DataFrame, body_id: str) -> list[str]:
    """Ids of the members whose membership of one body the sources dispute (a
    disagreement on the ``role`` of the membership; a disputed join year does not count)."""
    rows = disagreements.loc[(disagreements["table"] == "memberships") & (disagreements["column"] == "role"), "row_id"]
    return list(dict.fromkeys(row.split(":", 1)[1] for row in rows if row.split(":", 1)[0] == body_id))


def without_members(memberships: pd.DataFrame, body_id: str, member_ids) -> pd.DataFrame:
    """``memberships`` with the given members of one body left out."""
    dropped = (memberships["body_id"] == body_id) & memberships["member_id"].isin(list(member_ids))
    return memberships[~dropped]


def disagreement_totals(disagreements: pd.DataFrame) -> dict[str, int]:
    """How many disagreements, source claims and distinct sources the data record."""
    return {"disagreements": disagreements["disagreement_id"].nunique(),
            "claims": len(disagreements),
            "sources": disagreements["source"].nunique()}


def next_disagreement_id(disagreements: pd.DataFrame) -> str:
    """The id a new disagreement would take: one after the highest ``Dnn`` in use."""
    highest = disagreements["disagreement_id"].str.removeprefix("D").astype(int).max()
    return f"D{highest + 1:02d}"


def disagreements_per_table(disagreements: pd.DataFrame) -> pd.Series:
    """How many disagreements concern each data table."""
    return disagreements.groupby("table", observed=True)["disagreement_id"].nunique()


def transfers_per_decade(transfers: pd.DataFrame, until_year: int) -> pd.Series:
    """Idea transfers recorded per decade, from the first recorded one to the decade of
    ``until_year`` (e.g. the data's latest as-of date), decades without any included."""
    decade = transfers["year"] // 10 * 10
    return decade.value_counts().reindex(range(int(decade.min()), until_year // 10 * 10 + 10, 10), fill_value=0)


def decades_without_transfers(transfers: pd.DataFrame, until_year: int) -> list[int]:
    """The decades of :func:`transfers_per_decade` with no recorded idea transfer."""
    per_decade = transfers_per_decade(transfers, until_year)
    return per_decade.index[per_decade == 0].tolist()


def transfers_in(transfers: pd.DataFrame, institutions: pd.DataFrame, first: int, last: int,
                 realms: tuple[str, ...] = ("security", "economic", "both")) -> pd.DataFrame:
    """The idea transfers taken up from ``first`` to ``last`` (inclusive) by a Track 1
    body of one of ``realms``, in date order."""
    realm = transfers["to_id"].map(institutions["realm"])
    kept = transfers[transfers["year"].between(first, last) & realm.isin(realms)]
    return kept.sort_values(["year", "transfer_id"])


def transfer_summary(transfers: pd.DataFrame) -> str:
    """Transfers for a sentence: "PECC to APEC, 1993 (open regionalism ...); ...".
    The idea is given in lower case after its first word."""
    return "; ".join(_("{source} to {target}, {year} ({idea})").format(
        source=row.from_id, target=row.to_id, year=row.year, idea=row.idea[0].lower() + row.idea[1:])
                     for row in transfers.itertuples())


def transfers_from(transfers: pd.DataFrame, body_id: str) -> pd.DataFrame:
    """The idea transfers recorded from one body."""
    return transfers[transfers["from_id"] == body_id]


def transfers_between(transfers: pd.DataFrame, from_id: str, to_id: str) -> pd.DataFrame:
    """The idea transfers recorded from one body to another, in order of year."""
    return transfers[(transfers["from_id"] == from_id) & (transfers["to_id"] == to_id)].sort_values("year")


def bodies_without_transfers(institutions: pd.DataFrame, transfers: pd.DataFrame) -> list[str]:
    """Ids of the non-official bodies from which no idea transfer is recorded."""
    senders = set(transfers["from_id"])
    return [body_id for body_id in non_official_bodies(institutions).index if body_id not in senders]


def transfer_record(institutions: pd.DataFrame, transfers: pd.DataFrame) -> pd.DataFrame:
    """Each non-official body's track, status and founding year, with how many idea
    transfers are recorded from it and the latest; most transfers first."""
    bodies = non_official_bodies(institutions)
    sent = transfers.groupby("from_id")["year"].agg(["size", "max"])
    return pd.DataFrame({
        "body": bodies["id"],
        "track": bodies["track"].map(track_labels()),
        "status": bodies["status"].astype(str),
        "founded": bodies["founded_year"],
        "idea transfers recorded": sent["size"].reindex(bodies.index).fillna(0).astype(int),
        "latest recorded transfer": [str(int(sent.loc[b, "max"])) if b in sent.index else "none recorded"
                                     for b in bodies.index],
    }).set_index("body").sort_values(["idea transfers recorded", "founded"], ascending=[False, True])


def non_official_breadth(institutions: pd.DataFrame, memberships: pd.DataFrame, pairs: pd.DataFrame,
                         disagreements: pd.DataFrame) -> pd.DataFrame:
    """The active non-official bodies: their track, how many full members the data
    hold (a range where sources dispute the list, see :func:`member_count_range`), how
    old the list is, whether both :data:`GREAT_POWERS` are among them, and their Track 1
    partners; largest first."""
    bodies = active_non_official_bodies(institutions)
    counts = member_counts(memberships)
    with_both = set(active_non_official_including(institutions, memberships, GREAT_POWERS))
    partners = pairs.groupby("track2_id")["track1_id"].agg(lambda ids: ", ".join(sorted(ids)))
    listed = [b for b in bodies.index if b in counts.index]
    table = pd.DataFrame({
        "body": bodies["id"],
        "track": bodies["track"].map(track_labels()),
        "full members in the data": [range_text(*member_count_range(memberships, disagreements, b)) if b in listed
                                     else "no member list" for b in bodies.index],
        "list as of": [list_date_text(memberships, b) if b in listed else "" for b in bodies.index],
        "U.S. and China both members": [
            ("yes" if b in with_both else "no") if b in listed else "no list" for b in bodies.index],
        "Track 1 partner(s)": partners.reindex(bodies.index).fillna("none in the data"),
    }, index=bodies.index).assign(_size=counts.reindex(bodies.index))
    table = table.sort_values("_size", ascending=False, na_position="last").drop(columns="_size")
    return table.set_index("body")


def member_list_dates(memberships: pd.DataFrame) -> pd.DataFrame:
    """For each body with a list of full members: how many, and the earliest and latest
    as-of dates its rows carry (largest list first)."""
    counts = member_counts(memberships)
    dates = full_members(memberships).groupby("body_id")["as_of"].agg(earliest="min", latest="max").reindex(counts.index)
    return dates.assign(**{"full members": counts})[["full members", "earliest", "latest"]]


def as_of_table(memberships: pd.DataFrame) -> pd.DataFrame:
    """:func:`member_list_dates` for reading: one date, or a range, per list, and what
    the date is (the source's own, or the day an undated page was read); oldest first."""
    dates = member_list_dates(memberships)
    as_of = [first.strftime("%Y-%m-%d") if first == last else f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"
             for first, last in zip(dates["earliest"], dates["latest"], strict=True)]
    undated = full_members(memberships).groupby("body_id")["as_of_basis"].agg(lambda basis: (basis == "read").any())
    table = pd.DataFrame({
        "full members": dates["full members"],
        "list as of": as_of,
        "date is": ["the day an undated page was read" if undated[b] else "the source's own" for b in dates.index],
    }).sort_values("list as of")
    table.index.name = "body"
    return table


def lists_dated(memberships: pd.DataFrame, day: pd.Timestamp) -> list[str]:
    """Ids of the bodies whose member list's latest as-of date is ``day``."""
    dates = member_list_dates(memberships)
    return dates.index[dates["latest"] == day].tolist()


def disagreements_by_column(disagreements: pd.DataFrame) -> pd.DataFrame:
    """How many disagreements and source claims fall on each table and column, with their ids."""
    return (disagreements.groupby(["table", "column"], observed=True)
            .agg(disagreements=("disagreement_id", "nunique"),
                 **{"source claims": ("source", "size")},
                 ids=("disagreement_id", lambda s: ", ".join(sorted(set(s)))))
            .sort_values("disagreements", ascending=False))


def body_selections(institutions: pd.DataFrame, dropped: dict[str, list[str]] | None = None,
                    before: int = 2000) -> dict[str, list[str]]:
    """Alternative sets of bodies for a sensitivity check, as ``{label: [body ids]}``, in order.

    Always: every body in the data; bodies founded before ``before``; bodies founded in or after
    ``before``. ``dropped`` adds one set per entry: every body except the ids listed (for example
    ``{"without the bodies added for China": ["BXF", "BFA", "NACT"]}``). An id that is not in the
    data is an error, so a renamed body cannot silently stay in a set.
    """
    every = list(institutions.index)
    selections = {"every body in the data": every}
    for label, ids in (dropped or {}).items():
        unknown = sorted(set(ids) - set(every))
        if unknown:
            raise KeyError(f"unknown body ids {unknown} in selection {label!r}")
        selections[label] = [body_id for body_id in every if body_id not in ids]
    selections[f"founded before {before}"] = list(founded_between(institutions, last=before - 1).index)
    selections[f"founded {before} or later"] = list(founded_between(institutions, first=before).index)
    return selections


def initiators_by_selection(institutions: pd.DataFrame, selections: dict[str, list[str]],
                            groups: dict[str, set[str]], column: str = "initiators") -> pd.DataFrame:
    """How chapter 4's count of who started which body moves when the set of bodies changes.

    One row per selection (``{label: [body ids]}``, as from :func:`body_selections`), in order:
    ``bodies`` (how many the selection holds), ``with an initiator`` (how many of them name at
    least one initiator), one column per group in ``groups`` (``{label: names}``: how many bodies
    name at least one initiator from that group; a body started jointly by two groups counts
    for both) and ``most frequent initiators`` (the name or names that head
    :func:`initiators_table` on that selection, with their count). ``column`` chooses the
    initiators as named or at state level (``"initiator_states"``).
    """
    rows = []
    for label, ids in selections.items():
        chosen = institutions.loc[list(ids)]
        counts = initiators_table(chosen, column)["count"]
        top = sorted(counts.index[counts == counts.max()]) if len(counts) else []
        row = {"selection": label, "bodies": len(chosen),
               "with an initiator": len(chosen) - len(bodies_without_initiators(chosen, column))}
        for group, names in groups.items():
            row[group] = len(bodies_started_by(chosen, names, column))
        each = " each" if len(top) > 1 else ""
        row["most frequent initiators"] = f"{', '.join(top)} ({int(counts.max())}{each})" if top else ""
        rows.append(row)
    return pd.DataFrame(rows).set_index("selection")
