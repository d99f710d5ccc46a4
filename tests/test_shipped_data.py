"""The data the course ships: valid by our loader and by the Frictionless standard,
and consistent with the facts the course text relies on."""

from __future__ import annotations

import pytest
from frictionless import Package

from conftest import ROOT, edit_csv
from track2.data import NON_OFFICIAL_TRACKS, load_course_data, split_list

DATA = load_course_data()


def test_shipped_package_is_valid_frictionless_data():
    report = Package(str(ROOT / "data" / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_frictionless_also_rejects_an_unknown_body(minimal_data):
    """The schema itself (not only our loader) encodes the foreign keys."""
    edit_csv(minimal_data / "memberships.csv", "CSCAP,AUS", "CSCAPP,AUS")
    report = Package(str(minimal_data / "datapackage.json")).validate()
    assert not report.valid
    assert "foreign-key" in {row[0] for row in report.flatten(["type"])}


# Membership counts as of 2026 that the course states, each with the source that states it.
MEMBER_COUNTS = {
    "ASEAN": (11, "ians_tls_asean: Timor-Leste became the 11th member in October 2025"),
    "ARF": (27, "onlineopinion_arf2024: all 27 participants attended in 2024"),
    "APEC": (21, "canada_apec, nation_apec: 21 member economies"),
    "APT": (13, "chinadaily_apt: the ten ASEAN members plus China, Japan and South Korea"),
    "EAS": (18, "aric_eas: 18 participating countries"),
    "SPT": (6, "cfr_spt: six parties"),
}


@pytest.mark.parametrize("body", MEMBER_COUNTS)
def test_full_member_counts_match_the_sources(body):
    expected, source = MEMBER_COUNTS[body]
    members = DATA.memberships[(DATA.memberships.body_id == body) & (DATA.memberships.role == "member")]
    assert len(members) == expected, source


def test_timor_leste_is_in_asean_as_of_2025():
    row = DATA.memberships[(DATA.memberships.body_id == "ASEAN") & (DATA.memberships.member_id == "TLS")]
    assert row["joined_year"].tolist() == [2025]


# For each pair, whether its non-official body was founded before ("predates") or
# after ("follows") its official partner, as the course text and sources describe.
PAIR_ORDER = {
    "ARF-CSCAP": "predates",     # CSCAP (1993) fed ideas to the ARF from its first year (1994)
    "APEC-PECC": "predates",     # the essay: APEC (1989) built on almost a decade of PECC work
    "APEC-PAFTAD": "predates",   # PAFTAD conferences from 1968 laid groundwork for APEC
    "SPT-NEACD": "predates",     # NEACD (1993) described by its host as a precedent for the talks
    "ARF-ASEAN-ISIS": "predates",
    "ASEAN-ASEAN-ISIS": "follows",
    "APT-NEAT": "follows",       # NEAT was set up as APT's Track Two process
    "APT-EAVG": "follows",       # APT leaders set up the Vision Group
    "EAS-ERIA": "follows",       # EAS countries created ERIA
}


def test_every_pair_has_an_expected_order():
    assert set(DATA.pairs.index) == set(PAIR_ORDER)


@pytest.mark.parametrize("pair_id", PAIR_ORDER)
def test_pair_founding_order(pair_id):
    pair = DATA.pairs.loc[pair_id]
    official = DATA.institutions.loc[pair.track1_id, "founded_year"]
    unofficial = DATA.institutions.loc[pair.track2_id, "founded_year"]
    assert ("predates" if unofficial < official else "follows") == PAIR_ORDER[pair_id], (official, unofficial)


def test_pecc_predates_apec_by_almost_a_decade():
    gap = DATA.institutions.loc["APEC", "founded_year"] - DATA.institutions.loc["PECC", "founded_year"]
    assert 8 <= gap <= 10


def test_essay_pairs_are_in_the_data():
    assert {"ARF-CSCAP", "APEC-PECC"} <= set(DATA.pairs.index)
    assert DATA.pairs.loc["ARF-CSCAP", "realm"] == "security"
    assert DATA.pairs.loc["APEC-PECC", "realm"] == "economic"


def test_preventive_diplomacy_transfer_from_cscap_to_arf():
    transfers = DATA.idea_transfers
    pd_rows = transfers[(transfers.from_id == "CSCAP") & (transfers.to_id == "ARF")]
    assert any("preventive diplomacy" in idea.lower() for idea in pd_rows["idea"])


def test_pecc_was_initiated_by_australia_and_japan():
    assert {"Australia", "Japan"} <= set(split_list(DATA.institutions.loc["PECC", "initiators"]))


def test_every_disagreement_has_two_sides_and_points_at_a_real_row():
    keys = {
        "institutions": set(DATA.institutions.index),
        "pairs": set(DATA.pairs.index),
        "idea_transfers": set(DATA.idea_transfers.index),
        "memberships": set(DATA.memberships.body_id + ":" + DATA.memberships.member_id),
    }
    for disagreement_id, claims in DATA.disagreements.groupby("disagreement_id"):
        assert len(claims) >= 2, f"{disagreement_id} has only one side"
        for _, claim in claims.iterrows():
            table = str(claim["table"])
            if table == "memberships" and claim["row_id"] not in keys[table]:
                # a disputed membership may be one the course data leave out: the body must exist
                assert claim["row_id"].split(":")[0] in keys["institutions"], claim["row_id"]
            else:
                assert claim["row_id"] in keys[table], f"{disagreement_id}: {claim['row_id']}"
            assert claim["column"] in getattr(DATA, table).columns, f"{disagreement_id}: {claim['column']}"


def test_non_official_bodies_have_a_track_note_or_a_clear_track():
    # every Track 1.5 body explains the classification in track_note
    mixed = DATA.institutions[DATA.institutions.track == "1.5"]
    assert mixed["track_note"].notna().all()
    assert set(DATA.institutions.track.unique()) <= {"1", *NON_OFFICIAL_TRACKS}
