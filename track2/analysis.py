"""Pure computations on the course data: each takes and returns plain DataFrames."""

from __future__ import annotations

import pandas as pd

from track2.data import NON_OFFICIAL_TRACKS, split_list

TRACK_LABELS = {"1": "Track 1 (official)", "1.5": "Track 1.5 (mixed)", "2": "Track 2 (non-official)"}


def bodies_by_track_and_realm(institutions: pd.DataFrame) -> pd.DataFrame:
    """Count bodies by track (rows) and realm (columns), with totals.

    >>> from track2.data import load_institutions
    >>> table = bodies_by_track_and_realm(load_institutions())
    >>> int(table.loc["All", "All"]) == len(load_institutions())
    True
    """
    counts = pd.crosstab(
        institutions["track"].map(TRACK_LABELS),
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


def members_of(memberships: pd.DataFrame, body_id: str, roles: tuple[str, ...] = ("member",)) -> set[str]:
    """Member names of one body (full members only, unless ``roles`` says otherwise)."""
    rows = memberships[(memberships["body_id"] == body_id) & (memberships["role"].isin(roles))]
    return set(rows["member"])


def member_counts(memberships: pd.DataFrame) -> pd.Series:
    """Number of full members of each body, largest first."""
    full = memberships[memberships["role"] == "member"]
    return full.groupby("body_id").size().sort_values(ascending=False).rename("members")


def pair_bodies(pairs: pd.DataFrame, pair_id: str) -> tuple[str, str]:
    """``(track1_id, track2_id)`` of a pair; an unknown pair lists the valid ones."""
    if pair_id not in pairs.index:
        raise KeyError(f"unknown pair {pair_id!r}; choose one of: {', '.join(pairs.index)}")
    row = pairs.loc[pair_id]
    return row["track1_id"], row["track2_id"]


def membership_overlap(memberships: pd.DataFrame, pairs: pd.DataFrame, pair_id: str) -> dict:
    """Shared members of a pair's two bodies, members of only one, and the Jaccard index.

    The Jaccard index is the number of shared members divided by the number of
    members of either body: 1 means identical membership, 0 none in common. Where
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
        "jaccard": round(len(a & b) / len(a | b), 2) if comparable else None,
    }


def founding_gap(institutions: pd.DataFrame, pairs: pd.DataFrame, pair_id: str) -> int:
    """Years from the Track 2 body's founding to its Track 1 partner's (negative: T2 came later)."""
    official, unofficial = pair_bodies(pairs, pair_id)
    return int(institutions.loc[official, "founded_year"] - institutions.loc[unofficial, "founded_year"])


def pair_summary(institutions: pd.DataFrame, memberships: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """One row per pair: its bodies, founding years, the gap, shared members and Jaccard index."""
    rows = []
    for pair_id, pair in pairs.iterrows():
        overlap = membership_overlap(memberships, pairs, pair_id)
        rows.append({
            "pair": pair_id,
            "realm": pair["realm"],
            "Track 1 body": pair["track1_id"],
            "founded (T1)": int(institutions.loc[pair["track1_id"], "founded_year"]),
            "Track 2 body": pair["track2_id"],
            "founded (T2)": int(institutions.loc[pair["track2_id"], "founded_year"]),
            "years T2 before T1": founding_gap(institutions, pairs, pair_id),
            "shared members": len(overlap["shared"]) if overlap["jaccard"] is not None else pd.NA,
            "Jaccard": overlap["jaccard"] if overlap["jaccard"] is not None else pd.NA,
        })
    return pd.DataFrame(rows).set_index("pair")


def founded_per_decade(institutions: pd.DataFrame) -> pd.DataFrame:
    """Bodies founded in each decade, by track (rows: decades such as 1990)."""
    decade = (institutions["founded_year"] // 10 * 10).rename("decade")
    table = pd.crosstab(decade, institutions["track"].map(TRACK_LABELS))
    table.columns.name = None
    every_decade = range(int(decade.min()), int(decade.max()) + 10, 10)
    return table.reindex(every_decade, fill_value=0).rename_axis("decade")


def initiators_table(institutions: pd.DataFrame) -> pd.DataFrame:
    """How many bodies each initiator (state, body or person) helped start, with the bodies."""
    rows = [
        {"initiator": name, "body": body_id}
        for body_id, cell in institutions["initiators"].items()
        for name in split_list(cell)
    ]
    frame = pd.DataFrame(rows, columns=["initiator", "body"])
    return (frame.groupby("initiator")["body"].agg(bodies=lambda s: ", ".join(sorted(s)), count="size")
            .sort_values(["count", "initiator"], ascending=[False, True])[["count", "bodies"]])


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
    rows = rows.assign(track=rows["track"].map(TRACK_LABELS))
    columns = {"body_id": "Body", "name": "Name", "track": "Track", "realm": "Realm",
               "role": "Role", "joined_year": "Joined"}
    return rows.sort_values(["track", "joined_year", "body_id"])[list(columns)].rename(columns=columns).reset_index(drop=True)


#: The timeline filters readers can choose: label -> (tracks, realms) kept.
TIMELINE_FILTERS = {
    "All bodies": (("1", "1.5", "2"), ("security", "economic", "both")),
    "Track 1 (official) only": (("1",), ("security", "economic", "both")),
    "Track 1.5 and Track 2 only": (("1.5", "2"), ("security", "economic", "both")),
    "Security realm (and both)": (("1", "1.5", "2"), ("security", "both")),
    "Economic realm (and both)": (("1", "1.5", "2"), ("economic", "both")),
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

    >>> cites("feng2019track2;cscap_pd", "feng2019track2")
    True
    """
    return key in split_list(sources)


def membership_as_of(memberships: pd.DataFrame, body_id: str) -> pd.Timestamp:
    """The latest date a source describes for one body's member list."""
    return memberships.loc[memberships["body_id"] == body_id, "as_of"].max()


def role_cards(data, track1_body: str = "ARF", track2_body: str = "CSCAP") -> pd.DataFrame:
    """Role cards for a simulated Track 2 study group, drawn from the data.

    The pool is every full member of both bodies. Members that belong to exactly
    the same set of Track 1 bodies would play the same role, so each such set gets
    one card: the member in most other non-official networks, then the earliest to
    join ``track2_body``, then by name. The last column names the members that could
    take the same card in a larger class.
    """
    inst, full = data.institutions, data.memberships[data.memberships["role"] == "member"]
    official = set(inst.index[inst["track"] == "1"])
    unofficial = set(inst.index[inst["track"].isin(NON_OFFICIAL_TRACKS)])

    def bodies_of(member_id: str, among: set[str]) -> list[str]:
        rows = full[(full["member_id"] == member_id) & full["body_id"].isin(among)]
        return sorted(rows["body_id"])

    def joined(body_id: str, member_id: str):
        year = full.loc[(full["body_id"] == body_id) & (full["member_id"] == member_id), "joined_year"]
        return year.iloc[0] if len(year) else pd.NA

    first, second = (set(full.loc[full["body_id"] == b, "member_id"]) for b in (track1_body, track2_body))
    pool = pd.DataFrame({"member_id": sorted(first & second)})
    pool["name"] = pool["member_id"].map(data.members["name"])
    pool["track1"] = pool["member_id"].map(lambda m: ", ".join(bodies_of(m, official)))
    pool["others"] = pool["member_id"].map(lambda m: [b for b in bodies_of(m, unofficial) if b != track2_body])
    pool["n_others"] = pool["others"].map(len)
    pool["t2_year"] = pool["member_id"].map(lambda m: joined(track2_body, m)).astype("Int64")
    pool["t1_year"] = pool["member_id"].map(lambda m: joined(track1_body, m)).astype("Int64")
    pool = pool.sort_values(["n_others", "t2_year", "name"], ascending=[False, True, True], na_position="last")
    chosen = pool.groupby("track1", sort=False).head(1).sort_values("name")
    shares = pool.groupby("track1")["name"].agg(lambda names: ", ".join(sorted(names)))
    unknown = "not in the data"
    return pd.DataFrame({
        "Card": range(1, len(chosen) + 1),
        "Member committee of": chosen["name"].to_numpy(),
        "Track 1 bodies it belongs to": chosen["track1"].to_numpy(),
        "Other non-official networks": chosen["others"].map(lambda b: ", ".join(b) or "none").to_numpy(),
        f"Joined {track1_body}": chosen["t1_year"].astype("string").fillna(unknown).to_numpy(),
        f"Joined {track2_body}": chosen["t2_year"].astype("string").fillna(unknown).to_numpy(),
        "Same Track 1 bodies as": [
            ", ".join(n for n in shares[t].split(", ") if n != name) or "none"
            for t, name in zip(chosen["track1"], chosen["name"])
        ],
    }).set_index("Card")


def claim_years(disagreements: pd.DataFrame, disagreement_id: str) -> pd.Series:
    """The last year (19xx or 20xx) named in each source's claim in one disagreement."""
    claims = disagreements[disagreements["disagreement_id"] == disagreement_id]
    return claims["claim"].str.findall(r"\b(?:19|20)\d{2}\b").str[-1].astype(int)


def transfers_per_decade(transfers: pd.DataFrame, until_year: int) -> pd.Series:
    """Idea transfers recorded per decade, from the first recorded one to the decade of
    ``until_year`` (e.g. the data's latest as-of date), decades without any included."""
    decade = transfers["year"] // 10 * 10
    return decade.value_counts().reindex(range(int(decade.min()), until_year // 10 * 10 + 10, 10), fill_value=0)


def disagreements_by_column(disagreements: pd.DataFrame) -> pd.DataFrame:
    """How many disagreements and source claims fall on each table and column, with their ids."""
    return (disagreements.groupby(["table", "column"], observed=True)
            .agg(disagreements=("disagreement_id", "nunique"),
                 **{"source claims": ("source", "size")},
                 ids=("disagreement_id", lambda s: ", ".join(sorted(set(s)))))
            .sort_values("disagreements", ascending=False))
