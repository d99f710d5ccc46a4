"""track2.analysis on the small fixture dataset, where every answer can be checked by hand."""

from __future__ import annotations

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
    # APEC: Australia, Chinese Taipei; PECC: Australia, Japan
    assert overlap == {"shared": ["Australia"], "only_track1": ["Chinese Taipei"],
                       "only_track2": ["Japan"], "jaccard": 0.33}


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
    assert summary.loc["APEC-PECC", "years T2 before T1"] == 9


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
    assert analysis.cites("feng2019track2; cscap_pd", "cscap_pd")
    assert not analysis.cites("feng2019track2", "feng2019")
    assert not analysis.cites(float("nan"), "feng2019track2")


def test_membership_as_of(data):
    assert str(analysis.membership_as_of(data.memberships, "ARF").date()) == "2026-01-01"


def test_role_cards_draws_one_card_per_set_of_track1_bodies(data):
    cards = analysis.role_cards(data, "ARF", "CSCAP")
    # only Australia is in both the fixture's ARF and CSCAP
    assert cards["Member committee of"].tolist() == ["Australia"]
    assert cards.loc[1, "Track 1 bodies it belongs to"] == "APEC, ARF"
    assert cards.loc[1, "Other non-official networks"] == "PECC"
    assert cards.loc[1, "Joined CSCAP"] == "1993"
    assert cards.loc[1, "Same Track 1 bodies as"] == "none"


def test_role_cards_on_the_course_data_cover_every_member_of_both():
    data = load_course_data()
    cards = analysis.role_cards(data)
    full = data.memberships[data.memberships.role == "member"]
    both = set(full[full.body_id == "ARF"].member) & set(full[full.body_id == "CSCAP"].member)
    named = set(cards["Member committee of"])
    for others in cards["Same Track 1 bodies as"]:
        named |= {n for n in others.split(", ") if n != "none"}
    assert named == both
    assert cards["Track 1 bodies it belongs to"].is_unique


def test_claim_years_takes_the_last_year_of_each_claim():
    import pandas as pd

    dis = pd.DataFrame({"disagreement_id": ["D10", "D10", "D11"],
                        "claim": ["talks ran 2003 to 2007", "last round December 2008", "1999"]})
    assert analysis.claim_years(dis, "D10").tolist() == [2007, 2008]


def test_transfers_per_decade_includes_empty_decades(data):
    per_decade = analysis.transfers_per_decade(data.idea_transfers, 2026)
    assert per_decade.to_dict() == {2000: 1, 2010: 0, 2020: 0}


def test_disagreements_by_column(data):
    table = analysis.disagreements_by_column(data.disagreements)
    row = table.loc[("institutions", "track")]
    assert (row["disagreements"], row["source claims"], row["ids"]) == (1, 2, "D01")
