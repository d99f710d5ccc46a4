"""track2.analysis on the small fixture dataset, where every answer can be checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from track2 import analysis
from track2.data import load_course_data


@pytest.fixture
def data(minimal_data):
    return load_course_data(minimal_data)


def test_bodies_by_track_and_realm(data):
    table = analysis.bodies_by_track_and_realm(data.institutions)
    assert table.loc["Track 1 (official)", "security"] == 1
    assert table.loc["Track 2 (non-official)", "economic"] == 1
    assert table.loc["All", "All"] == 4


def test_founding_timeline_is_in_order(data):
    assert analysis.founding_timeline(data.institutions)["id"].tolist() == ["PECC", "APEC", "CSCAP", "ARF"]


def test_membership_overlap(data):
    overlap = analysis.membership_overlap(data.memberships, data.pairs, "APEC-PECC")
    # APEC: Australia, Chinese Taipei; PECC: Australia, Japan: 1 shared of 3, not rounded
    assert overlap == {"shared": ["Australia"], "only_track1": ["Chinese Taipei"],
                       "only_track2": ["Japan"], "jaccard": 1 / 3}


def test_overlap_is_none_without_a_member_list(data, minimal_data):
    memberships = data.memberships[data.memberships.body_id != "CSCAP"]
    assert analysis.membership_overlap(memberships, data.pairs, "ARF-CSCAP")["jaccard"] is None


def test_unknown_pair_lists_the_valid_ones(data):
    with pytest.raises(KeyError, match="unknown pair 'ARF-PECC'; choose one of: ARF-CSCAP, APEC-PECC"):
        analysis.membership_overlap(data.memberships, data.pairs, "ARF-PECC")


def test_founding_gap(data):
    assert analysis.founding_gap(data.institutions, data.pairs, "APEC-PECC") == 9
    assert analysis.founding_gap(data.institutions, data.pairs, "ARF-CSCAP") == 1


def test_pair_summary(data):
    summary = analysis.pair_summary(data.institutions, data.memberships, data.pairs)
    assert summary.loc["ARF-CSCAP", "shared members"] == 1
    assert summary.loc["ARF-CSCAP", "Jaccard"] == 0.5
    assert summary.loc["APEC-PECC", "gap (years)"] == 9


def test_member_counts(data):
    assert analysis.member_counts(data.memberships).to_dict() == {"APEC": 2, "ARF": 2, "PECC": 2, "CSCAP": 1}


def test_founded_per_decade_includes_empty_decades(data):
    table = analysis.founded_per_decade(data.institutions)
    assert table.index.tolist() == [1980, 1990]
    assert table.loc[1990, "Track 1 (official)"] == 1


def test_initiators_table(data):
    table = analysis.initiators_table(data.institutions)
    assert table.loc["Australia", "count"] == 2
    assert table.loc["Australia", "bodies"] == "APEC, PECC"
    assert table.index[0] == "Australia"
    # CSCAP's initiators are empty in the fixture: it is not counted under any name
    assert "nan" not in table.index and "CSCAP" not in " ".join(table["bodies"])


def test_cites():
    assert analysis.cites("feng2018track2; cscap_pd", "cscap_pd")
    assert not analysis.cites("feng2018track2", "feng2018")
    assert not analysis.cites(float("nan"), "feng2018track2")


def test_membership_as_of(data):
    assert str(analysis.membership_as_of(data.memberships, "ARF").date()) == "2026-01-01"


def test_role_cards_draws_one_card_per_set_of_track1_bodies(data):
    cards = analysis.role_cards(data.institutions, data.members, data.memberships, "ARF", "CSCAP")
    # only Australia is in both the fixture's ARF and CSCAP
    assert cards["Committee of"].tolist() == ["Australia"]
    assert cards.loc[1, "In Track 1 bodies"] == "APEC, ARF"
    assert cards.loc[1, "Other networks"] == "PECC"
    assert cards.loc[1, "Joined CSCAP"] == "1993"
    assert cards.loc[1, "Same Track 1 bodies as"] == "none"


def test_role_cards_on_the_course_data_cover_every_member_of_both():
    data = load_course_data()
    cards = analysis.role_cards(data.institutions, data.members, data.memberships)
    full = data.memberships[data.memberships.role == "member"]
    both = set(full[full.body_id == "ARF"].member) & set(full[full.body_id == "CSCAP"].member)
    named = set(cards["Committee of"])
    for others in cards["Same Track 1 bodies as"]:
        named |= {n for n in others.split(", ") if n != "none"}
    assert named == both
    assert cards["In Track 1 bodies"].is_unique


def test_claim_years_takes_the_last_year_of_each_claim():
    dis = pd.DataFrame({"disagreement_id": ["D10", "D10", "D11"], "source": ["wiki", "daily", "other"],
                        "claim": ["talks ran 2003 to 2007", "last round December 2008", "1999"]})
    assert analysis.claim_years(dis, "D10").to_dict() == {"wiki": 2007, "daily": 2008}


def test_next_disagreement_id_follows_the_highest_in_use_not_the_last_row():
    dis = pd.DataFrame({"disagreement_id": ["D01", "D09", "D23", "D23", "D10"]})
    assert analysis.next_disagreement_id(dis) == "D24"
    assert analysis.next_disagreement_id(pd.DataFrame({"disagreement_id": ["D08"]})) == "D09"


def test_transfers_per_decade_includes_empty_decades(data):
    per_decade = analysis.transfers_per_decade(data.idea_transfers, 2026)
    assert per_decade.to_dict() == {2000: 1, 2010: 0, 2020: 0}


def test_disagreements_by_column(data):
    table = analysis.disagreements_by_column(data.disagreements)
    row = table.loc[("institutions", "track")]
    assert (row["disagreements"], row["source claims"], row["ids"]) == (1, 2, "D01")


# --------------------------------------------------------------------------- #
# The named functions the book's pages call. Fixture facts used below, read off
# tests/fixtures/minimal: ARF (Track 1, security, 1994, started by ASEAN),
# CSCAP (Track 2, security, 1993, no initiator), APEC (Track 1, economic, 1989,
# Australia and Japan), PECC (Track 2, economic, 1980, Australia and Japan), all
# active. Full members: ARF Australia, Japan; CSCAP Australia; APEC Australia,
# Chinese Taipei; PECC Australia, Japan (no joining year). One transfer, T01
# (2001, CSCAP to ARF); one disagreement, D01 (PECC's track: "2" and "1.5").


def without_body(memberships, body_id):
    """The memberships with one body's member list taken out."""
    return memberships[memberships.body_id != body_id]


def test_the_two_sides_of_the_tracks(data):
    assert analysis.is_non_official(pd.Series(["1", "1.5", "2"])).tolist() == [False, True, True]
    assert analysis.non_official_bodies(data.institutions).index.tolist() == ["CSCAP", "PECC"]
    assert analysis.official_bodies(data.institutions).index.tolist() == ["ARF", "APEC"]


def test_active_bodies_leave_out_dormant_and_defunct_ones(data):
    inst = data.institutions
    inst.loc["PECC", "status"] = "dormant"
    inst.loc["ARF", "status"] = "defunct"
    assert analysis.active_bodies(inst).index.tolist() == ["CSCAP", "APEC"]
    assert analysis.active_non_official_bodies(inst).index.tolist() == ["CSCAP"]


def test_active_non_official_with_members(data):
    inst, memberships = data.institutions, data.memberships
    assert analysis.active_non_official_with_members(inst, memberships) == ["CSCAP", "PECC"]
    assert analysis.active_non_official_with_members(inst, without_body(memberships, "CSCAP")) == ["PECC"]


def test_active_non_official_including(data):
    inst, memberships = data.institutions, data.memberships
    assert analysis.active_non_official_including(inst, memberships, ["Australia"]) == ["CSCAP", "PECC"]
    assert analysis.active_non_official_including(inst, memberships, ["Australia", "Japan"]) == ["PECC"]
    assert analysis.active_non_official_including(inst, memberships, analysis.GREAT_POWERS) == []


def test_bodies_per_track_and_as_if_relabelled(data):
    inst = data.institutions
    assert analysis.bodies_per_track(inst).to_dict() == {"1": 2, "1.5": 0, "2": 2}
    assert analysis.bodies_per_track(inst, relabel={"PECC": "1.5"}).to_dict() == {"1": 2, "1.5": 1, "2": 1}
    assert analysis.bodies_per_track(inst).to_dict() == {"1": 2, "1.5": 0, "2": 2}  # the data are unchanged
    with pytest.raises(KeyError, match="unknown body 'NEACD'"):
        analysis.bodies_per_track(inst, relabel={"NEACD": "2"})


def test_busiest_decade(data):
    inst = data.institutions
    # PECC 1980, APEC 1989, CSCAP 1993, ARF 1994: the 1980s and 1990s tie at two; the earlier wins
    assert analysis.busiest_decade(inst) == (1980, 2)
    assert analysis.busiest_decade(inst.loc[["PECC", "CSCAP", "ARF"]]) == (1990, 2)
    assert analysis.busiest_decade(analysis.non_official_bodies(inst)) == (1980, 1)


def test_founded_between_includes_both_ends(data):
    inst = data.institutions
    assert analysis.founded_between(inst, 1980, 1989).index.tolist() == ["APEC", "PECC"]
    assert analysis.founded_between(inst, 1989, 1993).index.tolist() == ["CSCAP", "APEC"]
    assert analysis.founded_between(inst, last=1989).index.tolist() == ["APEC", "PECC"]
    assert analysis.founded_between(inst, first=1990).index.tolist() == ["ARF", "CSCAP"]
    assert len(analysis.founded_between(inst)) == 4


def test_earliest_founded(data):
    assert analysis.earliest_founded(data.institutions, "security") == "CSCAP"  # 1993, the ARF 1994
    assert analysis.earliest_founded(data.institutions, "economic") == "PECC"  # 1980, APEC 1989


def test_non_official_timeline(data):
    timeline = analysis.non_official_timeline(data.institutions)
    assert timeline.index.tolist() == [1980, 1993]
    assert timeline["Body"].tolist() == ["PECC", "CSCAP"]
    assert timeline["Track"].tolist() == ["Track 2 (non-official)", "Track 2 (non-official)"]


def with_essay_source(table, row_id):
    """A copy of a table whose row ``row_id`` also cites Feng's essay."""
    table = table.copy()
    table.loc[row_id, "sources"] = f"fixture;{analysis.ESSAY_KEY}"
    return table


def test_citing(data):
    pairs = with_essay_source(data.pairs, "APEC-PECC")
    assert analysis.citing(pairs, analysis.ESSAY_KEY).index.tolist() == ["APEC-PECC"]
    assert analysis.citing(pairs, "fixture").index.tolist() == ["ARF-CSCAP", "APEC-PECC"]
    assert analysis.citing(pairs, "fixture2").empty


def test_pairs_table(data):
    pairs = with_essay_source(data.pairs, "APEC-PECC")
    table = analysis.pairs_table(data.institutions, data.memberships, pairs)
    assert table["in the essay?"].to_dict() == {"ARF-CSCAP": "no", "APEC-PECC": "yes"}
    assert table.loc["ARF-CSCAP", "Jaccard"] == 0.5  # Australia shared, of Australia and Japan
    table = analysis.pairs_table(data.institutions, without_body(data.memberships, "CSCAP"), pairs)
    assert table.loc["ARF-CSCAP", ["shared members", "Jaccard"]].tolist() == ["no member list"] * 2
    assert table.loc["APEC-PECC", "shared members"] == 1


def test_pairs_by_founding_order(data):
    inst = data.institutions
    # PECC is 9 years older than APEC, CSCAP 1 year older than the ARF
    assert analysis.pairs_by_founding_order(inst, data.pairs) == {
        "track2_first": ["ARF-CSCAP", "APEC-PECC"], "same_year": [], "track2_later": []}
    inst.loc["CSCAP", "founded_year"] = 1995
    inst.loc["PECC", "founded_year"] = 1989
    assert analysis.pairs_by_founding_order(inst, data.pairs) == {
        "track2_first": [], "same_year": ["APEC-PECC"], "track2_later": ["ARF-CSCAP"]}


def test_pairs_without_member_lists(data):
    assert analysis.pairs_without_member_lists(data.memberships, data.pairs) == []
    assert analysis.pairs_without_member_lists(without_body(data.memberships, "PECC"), data.pairs) == ["APEC-PECC"]


def disputing(disagreements, row_id, column="role"):
    """``disagreements`` with two sources disputing one value of ``memberships``."""
    claims = pd.DataFrame({"disagreement_id": ["D99", "D99"], "table": "memberships", "row_id": row_id,
                           "column": column, "claim": ["in", "out"], "source": ["fixture", "fixture2"],
                           "note": pd.NA})
    return pd.concat([disagreements, claims], ignore_index=True)


def test_overlap_table(data):
    dis = data.disagreements
    table = analysis.overlap_table(data.memberships, data.pairs, ["APEC-PECC", "ARF-CSCAP"], dis)
    assert table.index.tolist() == ["APEC-PECC", "ARF-CSCAP"]
    assert table.loc["APEC-PECC"].tolist() == [1, "Chinese Taipei", "Japan", "0.33",
                                               "APEC: 1 January 2026; PECC: 1 January 2026"]
    assert table.loc["ARF-CSCAP"].tolist()[:4] == [1, "Japan", "none", "0.50"]
    # With Japan's PECC membership disputed, the index is 1/3 with it and 1/2 without.
    table = analysis.overlap_table(data.memberships, data.pairs, ["APEC-PECC"], disputing(dis, "PECC:JPN"))
    assert table.loc["APEC-PECC", "Jaccard index"] == "0.33 to 0.50"


def test_jaccard_table(data):
    table = analysis.jaccard_table(data.memberships, data.pairs, data.disagreements)
    assert table.loc["APEC-PECC"].tolist() == ["0.33", "APEC: 1 January 2026; PECC: 1 January 2026"]
    table = analysis.jaccard_table(without_body(data.memberships, "CSCAP"), data.pairs, data.disagreements)
    assert table.loc["ARF-CSCAP"].tolist() == ["n/a", "no member list on one side"]


def test_ranges_over_disputed_members(data):
    m, dis = data.memberships, data.disagreements
    assert analysis.member_count_range(m, dis, "PECC") == (2, 2)
    assert analysis.jaccard_range(m, dis, data.pairs, "APEC-PECC") == (1 / 3, 1 / 3)
    disputed = disputing(dis, "PECC:JPN")
    assert analysis.disputed_full_members(m, disputed, "PECC") == ["JPN"]
    assert analysis.member_count_range(m, disputed, "PECC") == (1, 2)
    assert analysis.jaccard_range(m, disputed, data.pairs, "APEC-PECC") == (1 / 3, 1 / 2)
    # A disputed join year does not make the membership itself disputed.
    assert analysis.member_count_range(m, disputing(dis, "PECC:JPN", "joined_year"), "PECC") == (2, 2)
    # Nor does a dispute about a member the data do not list as a full member.
    assert analysis.member_count_range(m, disputing(dis, "PECC:TWN"), "PECC") == (2, 2)
    assert analysis.jaccard_range(without_body(m, "CSCAP"), dis, data.pairs, "ARF-CSCAP") == (None, None)


def test_jaccard_range_runs_from_the_lowest_reading_to_the_highest_in_any_order(data):
    """Leaving out a member both bodies list lowers the index: then the first reading (every
    listed member counted) is the highest, and the range must still be (lowest, highest)."""
    m, pairs = data.memberships, data.pairs
    disputed = disputing(data.disagreements, "PECC:AUS")
    # APEC: AUS, TWN; PECC: AUS, JPN -> 1 shared of 3. Without PECC's AUS: PECC: JPN -> 0 shared of 3.
    assert analysis.jaccard_range(m, disputed, pairs, "APEC-PECC") == (0, 1 / 3)
    assert analysis.range_text(*analysis.jaccard_range(m, disputed, pairs, "APEC-PECC")) == "0.00 to 0.33"
    # Also APEC's TWN disputed: the four readings give 1/3, 0 (no PECC AUS), 1/2 (no APEC TWN), 0 (neither).
    both = disputing(disputed, "APEC:TWN")
    assert analysis.jaccard_range(m, both, pairs, "APEC-PECC") == (0, 1 / 2)


def test_jaccard_range_leaves_out_a_reading_that_empties_a_member_list(data):
    """PECC lists AUS and JPN; with both disputed, the reading without either leaves PECC no
    members and so no index: the range is over the other three readings (1/3, 0, 1/2)."""
    m, pairs = data.memberships, data.pairs
    disputed = disputing(disputing(data.disagreements, "PECC:AUS"), "PECC:JPN")
    assert analysis.jaccard_range(m, disputed, pairs, "APEC-PECC") == (0, 1 / 2)


def test_range_text():
    assert analysis.range_text(1 / 3, 1 / 3) == "0.33"
    assert analysis.range_text(1 / 3, 1 / 2) == "0.33 to 0.50"
    assert analysis.range_text(0.701, 0.704) == "0.70"
    assert analysis.range_text(20, 23) == "20 to 23"
    assert analysis.range_text(21, 21) == "21"


def test_list_date_text_says_when_a_page_was_undated(data):
    m = data.memberships
    assert analysis.list_date_text(m, "ARF") == "1 January 2026"
    m.loc[m.body_id == "ARF", "as_of_basis"] = "read"
    assert analysis.list_date_text(m, "ARF") == "undated page(s) read on 1 January 2026"


def test_only_full_members_count(data):
    m = data.memberships
    m.loc[(m.body_id == "PECC") & (m.member_id == "JPN"), "role"] = "institutional"
    assert analysis.member_counts(m)["PECC"] == 1
    assert analysis.membership_overlap(m, data.pairs, "APEC-PECC")["jaccard"] == 1 / 2


def test_transfers_table(data):
    table = analysis.transfers_table(data.idea_transfers)
    assert table.loc["T01"].tolist() == [2001, "CSCAP", "ARF", "Preventive diplomacy", "no"]
    table = analysis.transfers_table(with_essay_source(data.idea_transfers, "T01"))
    assert table.loc["T01", "in the essay?"] == "yes"


def test_initiators_of_and_bodies_started_by(data):
    inst = data.institutions
    assert analysis.initiators_of(inst, "APEC") == ["Australia", "Japan"]
    assert analysis.initiators_of(inst, "CSCAP") == []
    assert analysis.bodies_started_by(inst, ["Japan"]) == ["APEC", "PECC"]
    assert analysis.bodies_started_by(inst, {"ASEAN", "Japan"}) == ["ARF", "APEC", "PECC"]
    assert analysis.bodies_started_by(inst, analysis.GREAT_POWERS) == []
    assert analysis.bodies_without_initiators(inst) == ["CSCAP"]


def test_convened_bodies(data):
    inst, memberships = data.institutions, data.memberships
    # ASEAN started the ARF; of its members Australia and Japan, only Japan is outside CSCAP
    table = analysis.convened_bodies(inst, memberships, conveners=("ASEAN",), core="CSCAP")
    assert table.index.tolist() == ["ARF"]
    assert table.loc["ARF"].tolist() == ["ASEAN Regional Forum", 1994, "ASEAN", 2, 1, 2026]
    assert "non-CSCAP" in table.columns
    # every ARF member is also in the ARF: nothing reaches outside it
    assert analysis.convened_bodies(inst, memberships, conveners=("ASEAN",), core="ARF").empty


def test_joined_year(data):
    assert analysis.joined_year(data.memberships, "PECC", "AUS") == 1980
    assert analysis.joined_year(data.memberships, "PECC", "JPN") is pd.NA  # no year in the data
    assert analysis.joined_year(data.memberships, "ARF", "TWN") is pd.NA  # not a member


def test_claims_of(data):
    dis = data.disagreements
    assert analysis.claims_of(dis, "D01")["source"].tolist() == ["fixture", "fixture2"]
    assert analysis.claims_of(dis, "D01", mentioning="1.5")["source"].tolist() == ["fixture2"]
    assert analysis.claims_of(dis, "D99").empty


def test_sources_naming_latest_year():
    dis = pd.DataFrame({"disagreement_id": ["D10"] * 3, "source": ["wiki", "cfr", "igcc"],
                        "claim": ["2003 to 2007", "halted in 2009", "met between 2003 and 2009"]})
    assert analysis.sources_naming_latest_year(dis, "D10") == ["cfr", "igcc"]


def test_claims_on_and_disputed_rows(data):
    dis = data.disagreements
    assert len(analysis.claims_on(dis, "institutions", "track")) == 2
    assert analysis.disputed_rows(dis, "institutions", "track") == ["PECC"]
    assert analysis.disputed_rows(dis, "institutions", "founded_year") == []
    assert analysis.disputed_rows(dis, "pairs", "track") == []


def test_track_claims_table(data):
    table = analysis.track_claims_table(data.institutions, data.disagreements)
    assert table.index.tolist() == ["PECC", "PECC"]
    assert table["What the source says"].tolist() == ["2", "1.5"]
    assert table["Source key"].tolist() == ["fixture", "fixture2"]
    assert set(table["Coded as"]) == {"Track 2 (non-official)"}


def test_disputed_members_and_without_members(data):
    dis = pd.DataFrame({"table": ["memberships", "memberships", "memberships", "memberships", "memberships",
                                  "institutions"],
                        "row_id": ["CSCAP:PNG", "CSCAP:PNG", "EAS:USA", "CSCAP:LAO", "CSCAP:CHN", "CSCAP"],
                        "column": ["role", "role", "role", "role", "joined_year", "track"]})
    assert analysis.disputed_members(dis, "CSCAP") == ["PNG", "LAO"]  # a disputed join year is not counted
    assert analysis.disputed_members(dis, "ARF") == []
    kept = analysis.without_members(data.memberships, "PECC", ["JPN"])
    assert sorted(zip(kept.body_id, kept.member_id, strict=True)) == [
        ("APEC", "AUS"), ("APEC", "TWN"), ("ARF", "AUS"), ("ARF", "JPN"), ("CSCAP", "AUS"), ("PECC", "AUS")]


def test_disagreement_totals_and_per_table(data):
    assert analysis.disagreement_totals(data.disagreements) == {"disagreements": 1, "claims": 2, "sources": 2}
    assert analysis.disagreements_per_table(data.disagreements).to_dict() == {"institutions": 1}


def test_decades_without_transfers(data):
    # T01 is in 2001: the 2010s and 2020s (up to 2026) have none
    assert analysis.decades_without_transfers(data.idea_transfers, 2026) == [2010, 2020]
    assert analysis.decades_without_transfers(data.idea_transfers, 2005) == []


def test_transfers_from_and_bodies_without_transfers(data):
    transfers = data.idea_transfers
    assert analysis.transfers_from(transfers, "CSCAP").index.tolist() == ["T01"]
    assert analysis.transfers_from(transfers, "PECC").empty
    assert analysis.bodies_without_transfers(data.institutions, transfers) == ["PECC"]


def test_transfer_record(data):
    table = analysis.transfer_record(data.institutions, data.idea_transfers)
    assert table.index.tolist() == ["CSCAP", "PECC"]  # most transfers first
    assert table.loc["CSCAP", ["idea transfers recorded", "latest recorded transfer"]].tolist() == [1, "2001"]
    assert table.loc["PECC", ["idea transfers recorded", "latest recorded transfer"]].tolist() == [0, "none recorded"]


def test_non_official_breadth(data):
    table = analysis.non_official_breadth(data.institutions, data.memberships, data.pairs, data.disagreements)
    assert table.index.tolist() == ["PECC", "CSCAP"]  # 2 full members, then 1
    assert table.loc["PECC"].tolist() == ["Track 2 (non-official)", "2", "1 January 2026", "no", "APEC"]
    table = analysis.non_official_breadth(data.institutions, data.memberships, data.pairs,
                                          disputing(data.disagreements, "PECC:JPN"))
    assert table.loc["PECC", "full members in the data"] == "1 to 2"
    table = analysis.non_official_breadth(data.institutions, without_body(data.memberships, "CSCAP"), data.pairs,
                                          data.disagreements)
    assert table.loc["CSCAP"].tolist() == ["Track 2 (non-official)", "no member list", "", "no list", "ARF"]


def test_member_list_dates_and_as_of_table(data):
    memberships = data.memberships
    memberships.loc[(memberships.body_id == "ARF") & (memberships.member_id == "JPN"), "as_of"] = pd.Timestamp("2024-05-01")
    memberships.loc[memberships.body_id == "APEC", "as_of"] = pd.Timestamp("2025-02-03")
    dates = analysis.member_list_dates(memberships)
    assert dates.loc["ARF"].tolist() == [2, pd.Timestamp("2024-05-01"), pd.Timestamp("2026-01-01")]
    assert len(dates) == 4
    table = analysis.as_of_table(memberships)
    assert table["list as of"].tolist() == ["2024-05-01 to 2026-01-01", "2025-02-03", "2026-01-01", "2026-01-01"]
    assert set(table["date is"]) == {"the source's own"}
    memberships.loc[memberships.body_id == "APEC", "as_of_basis"] = "read"
    assert analysis.as_of_table(memberships).loc["APEC", "date is"] == "the day an undated page was read"
    assert table.index[:2].tolist() == ["ARF", "APEC"]
    assert analysis.lists_dated(memberships, pd.Timestamp("2026-01-01")) == ["ARF", "PECC", "CSCAP"]
    assert analysis.lists_dated(memberships, pd.Timestamp("2025-02-03")) == ["APEC"]


# --------------------------------------------------------------------------- #
# Functions the widgets and quick checks call instead of filtering data themselves
# (fixture facts as listed above).


def test_bodies_on_track(data):
    assert analysis.bodies_on_track(data.institutions, "2").index.tolist() == ["CSCAP", "PECC"]
    assert analysis.bodies_on_track(data.institutions, "1").index.tolist() == ["ARF", "APEC"]
    assert analysis.bodies_on_track(data.institutions, "1.5").empty


def test_partners_of_either_side_of_a_pair(data):
    assert analysis.partners_of(data.pairs, "CSCAP") == ["ARF"]
    assert analysis.partners_of(data.pairs, "APEC") == ["PECC"]
    assert analysis.partners_of(data.pairs, "NATO") == []


def test_claims_about_one_value(data):
    claims = analysis.claims_about(data.disagreements, "institutions", "PECC", "track")
    assert claims["source"].tolist() == ["fixture", "fixture2"]
    assert analysis.claims_about(data.disagreements, "institutions", "ARF", "track").empty


def test_transfers_between_two_bodies(data):
    assert analysis.transfers_between(data.idea_transfers, "CSCAP", "ARF").index.tolist() == ["T01"]
    assert analysis.transfers_between(data.idea_transfers, "PECC", "APEC").empty


def test_member_bodies_per_track(data):
    japan = analysis.member_bodies_per_track(data.memberships, data.institutions, "Japan")
    assert japan.to_dict() == {"Track 1 (official)": 1, "Track 2 (non-official)": 1}  # ARF; PECC
    australia = analysis.member_bodies_per_track(data.memberships, data.institutions, "AUS")
    assert australia.to_dict() == {"Track 1 (official)": 2, "Track 2 (non-official)": 2}


def test_role_cards_give_a_required_member_its_own_card():
    # issue 13: the simulation needs China, which shares its Track 1 bodies with Japan and Korea
    data = load_course_data()
    plain = analysis.role_cards(data.institutions, data.members, data.memberships)
    cards = analysis.role_cards(data.institutions, data.members, data.memberships, required=("CHN",))
    assert "China" not in set(plain["Committee of"])
    assert set(cards["Committee of"]) == set(plain["Committee of"]) | {"China"}
    china = cards[cards["Committee of"] == "China"].iloc[0]
    assert china["Same Track 1 bodies as"] == "none"
    spares = {n for others in cards["Same Track 1 bodies as"] for n in others.split(", ")}
    assert "China" not in spares


def test_transfers_in_a_period_include_both_of_its_years(data):
    inst, transfers = data.institutions, data.idea_transfers  # T01: CSCAP to ARF, 2001
    assert analysis.transfers_in(transfers, inst, 2001, 2005)["transfer_id"].tolist() == ["T01"]
    assert analysis.transfers_in(transfers, inst, 1995, 2001)["transfer_id"].tolist() == ["T01"]
    assert analysis.transfers_in(transfers, inst, 2002, 2005).empty


def test_transfers_in_a_period_and_realm(data):
    inst, transfers = data.institutions, data.idea_transfers
    assert analysis.transfers_in(transfers, inst, 2000, 2009)["transfer_id"].tolist() == ["T01"]
    assert analysis.transfers_in(transfers, inst, 1990, 1999).empty
    assert analysis.transfers_in(transfers, inst, 2001, 2001, ("economic",)).empty  # ARF is a security body
    assert analysis.transfer_summary(transfers) == "CSCAP to ARF, 2001 (preventive diplomacy)"


def test_bodies_with_status(data):
    inst = data.institutions
    assert analysis.bodies_with_status(inst, "active") == ["ARF", "CSCAP", "APEC", "PECC"]
    inst.loc["PECC", "status"] = "unknown"
    assert analysis.bodies_with_status(inst, "unknown") == ["PECC"]


def test_body_selections(data):
    """Fixture: ARF 1994, CSCAP 1993, APEC 1989, PECC 1980."""
    inst = data.institutions
    selections = analysis.body_selections(inst, {"without PECC": ["PECC"]}, before=1990)
    assert selections == {"every body in the data": ["ARF", "CSCAP", "APEC", "PECC"],
                          "without PECC": ["ARF", "CSCAP", "APEC"],
                          "founded before 1990": ["APEC", "PECC"],
                          "founded 1990 or later": ["ARF", "CSCAP"]}
    with pytest.raises(KeyError, match="unknown body ids \\['NOPE'\\]"):
        analysis.body_selections(inst, {"typo": ["NOPE"]})


def test_initiators_by_selection_moves_with_the_set_of_bodies(data):
    """Fixture initiators: ARF by ASEAN, APEC and PECC by Australia and Japan, CSCAP none."""
    inst = data.institutions
    selections = analysis.body_selections(inst, {"without PECC": ["PECC"]}, before=1990)
    table = analysis.initiators_by_selection(inst, selections, {"Japan": {"Japan"}, "ASEAN": {"ASEAN"}})
    assert list(table.columns) == ["bodies", "with an initiator", "Japan", "ASEAN", "most frequent initiators"]
    assert table.loc["every body in the data"].tolist() == [4, 3, 2, 1, "Australia, Japan (2 each)"]
    assert table.loc["without PECC"].tolist() == [3, 2, 1, 1, "ASEAN, Australia, Japan (1 each)"]
    assert table.loc["founded before 1990"].tolist() == [2, 2, 2, 0, "Australia, Japan (2 each)"]
    assert table.loc["founded 1990 or later"].tolist() == [2, 1, 0, 1, "ASEAN (1)"]


def _with_institute_initiators(institutions: pd.DataFrame) -> pd.DataFrame:
    """The fixture with institutes as CSCAP's initiators: one Australian, one Korean and one
    American institute (names as the sources give them), coded at state level."""
    inst = institutions.copy()
    inst.loc["CSCAP", "initiators"] = "Australian Institute;Korean Institute;American Institute"
    inst.loc["CSCAP", "initiator_states"] = "Australia;Republic of Korea;United States"
    return inst


def test_initiators_at_state_level_count_institutes_for_their_states(data):
    """With CSCAP started by three institutes: as named, each institute counts once and
    Australia twice (APEC, PECC); at state level Australia counts three times."""
    inst = _with_institute_initiators(data.institutions)
    named = analysis.initiators_table(inst)
    states = analysis.initiators_table(inst, column="initiator_states")
    assert named.loc["Australia", "count"] == 2 and "Korean Institute" in named.index
    assert states.loc["Australia"].tolist() == [3, "APEC, CSCAP, PECC"]
    assert states.loc["Republic of Korea", "count"] == 1 and "Korean Institute" not in states.index
    assert analysis.initiators_of(inst, "CSCAP", column="initiator_states") == [
        "Australia", "Republic of Korea", "United States"]
    assert analysis.bodies_started_by(inst, {"United States"}) == []
    assert analysis.bodies_started_by(inst, {"United States"}, column="initiator_states") == ["CSCAP"]
    assert analysis.bodies_without_initiators(inst, column="initiator_states") == []
    assert analysis.bodies_started_only_by(inst, {"Australia", "Japan"}) == ["APEC", "PECC"]
    assert analysis.bodies_started_only_by(inst, {"Australia"}, column="initiator_states") == []
    assert analysis.bodies_started_only_by(inst, {"Australia", "Republic of Korea", "United States"},
                                           column="initiator_states") == ["CSCAP"]
    with pytest.raises(ValueError, match="column must be one of"):
        analysis.initiators_table(inst, column="founders")


def test_initiator_groups_put_south_korea_and_asean_states_with_the_middle_powers(data):
    groups = analysis.initiator_groups(data.memberships)
    assert set(groups) == {"middle or ASEAN", "US or China"}
    # the fixture has no ASEAN member list, so the side is the middle powers, Japan and ASEAN
    assert groups["middle or ASEAN"] == {"Australia", "Canada", "New Zealand", "Republic of Korea", "Japan", "ASEAN"}
    assert groups["US or China"] == {"United States", "China"}
    assert "Japan" not in analysis.initiator_groups(data.memberships, with_japan=False)["middle or ASEAN"]
    memberships = pd.concat([data.memberships, data.memberships.iloc[[0]].assign(body_id="ASEAN", member_id="SGP", member="Singapore")])
    assert "Singapore" in analysis.initiator_groups(memberships)["middle or ASEAN"]


def test_initiators_by_selection_at_state_level(data):
    """CSCAP (1993) by Australian, Korean and American institutes: at state level it counts for
    both sides and for the great powers after 1990; as named, for neither."""
    inst = _with_institute_initiators(data.institutions)
    selections = analysis.body_selections(inst, before=1990)
    groups = analysis.initiator_groups(data.memberships)
    named = analysis.initiators_by_selection(inst, selections, groups)
    states = analysis.initiators_by_selection(inst, selections, groups, column="initiator_states")
    assert named.loc["founded 1990 or later"].tolist() == [
        2, 2, 1, 0, "ASEAN, American Institute, Australian Institute, Korean Institute (1 each)"]
    assert states.loc["founded 1990 or later"].tolist() == [
        2, 2, 2, 1, "ASEAN, Australia, Republic of Korea, United States (1 each)"]
    assert states.loc["every body in the data"].tolist() == [4, 4, 4, 1, "Australia (3)"]


def test_most_connected_member_counts_bodies_and_breaks_ties_alphabetically():
    from track2.analysis import most_connected_member

    memberships = pd.DataFrame({
        "body_id": ["ARF", "APEC", "CSCAP", "ARF", "APEC", "CSCAP", "ARF", "ARF"],
        "member": ["Viet Nam", "Viet Nam", "Viet Nam", "Australia", "Australia", "Australia", "ASEAN Secretariat",
                   "Australia"],
    })
    # Australia and Viet Nam belong to 3 bodies each (Australia's second ARF row counts once)
    assert most_connected_member(memberships) == "Australia"
    assert most_connected_member(memberships[memberships["member"] != "Australia"]) == "Viet Nam"


def test_tables_for_reading_label_columns_and_tracks_and_show_every_body():
    from track2.analysis import TRACK_LABELS, bodies_table, founding_order_table, non_official_timeline
    from track2.data import load_institutions

    inst = load_institutions()
    table = bodies_table(inst)
    assert list(table.columns) == ["Name", "Track", "Realm", "Founded"] and table.index.name == "Body"
    assert list(table.index) == list(inst.index) and set(table["Track"]) <= set(TRACK_LABELS.values())
    assert table.loc["CSCAP", "Founded"] == inst.loc["CSCAP", "founded_year"]
    order = founding_order_table(inst)
    assert order.index.name == "Founded" and list(order.columns) == ["Body", "Name", "Track", "Realm"]
    assert list(order.index) == sorted(inst["founded_year"]) and len(order) == len(inst)
    assert non_official_timeline(inst).equals(founding_order_table(inst[inst["track"].astype(str) != "1"]))
