"""The data the course ships: valid by the one validator (frictionless for the schema,
then the course's rules), and consistent with the facts the course text relies on."""

from __future__ import annotations

import pytest

from conftest import ROOT
from track2.data import load_course_data, split_list
from track2.tools.validate import validate_data

DATA = load_course_data(ROOT / "data")


def test_shipped_data_pass_every_check():
    validate_data(ROOT / "data")  # raises DataError listing every problem


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
    "ADMM-NADI": "follows",      # NADI (2007) was set up as the ADMM's (2006) Track II
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


def test_every_track_1_5_body_explains_its_classification_in_track_note():
    mixed = DATA.institutions[DATA.institutions.track == "1.5"]
    assert len(mixed) and mixed["track_note"].notna().all()


# --------------------------------------------------------------------------- #
# Track codings against the sources' own claims (issue 24).

#: How a source's claim names a track, most specific label first.
TRACK_LABELS_IN_CLAIMS = (
    ("1.5", r"track[ -]?1\.5|1\.5[ -]track|track one-and-a-half"),
    ("2", r"track[ -]?(?:2|ii|two)\b|second[ -]?track"),
    ("1", r"track[ -]?(?:1|i|one)\b|government officials"),
)


def claimed_track(claim: str) -> str | None:
    """The track a source's claim names, or None when it describes the body without a label."""
    import re
    for track, pattern in TRACK_LABELS_IN_CLAIMS:
        if re.search(pattern, claim, re.IGNORECASE):
            return track
    return None


def _readme_section(title: str) -> str:
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    start = text.index(title)
    end = text.find("\n#", start + len(title))
    return text[start:end if end != -1 else None]


def test_claimed_track_reads_the_labels_the_sources_use():
    assert claimed_track("NEACD was founded as a Track II experiment.") == "2"
    assert claimed_track("NEACD is a Track 1.5 forum.") == "1.5"
    assert claimed_track("a '1.5 Track' mechanism") == "1.5"
    assert claimed_track("the second track in the East Asian cooperation mechanism") == "2"
    assert claimed_track("The group consisted of government officials.") == "1"
    assert claimed_track("A summit of defence ministers.") is None


def test_every_track_claim_agrees_with_the_data_or_the_readme_says_why_not():
    """Each body whose track is disputed keeps a value that at least one source names
    (or, where no source names any track, the README calls the value a coding call),
    and every claim that names another track (or none) is listed, body and source, in
    the README's section on track codings that differ from a source."""
    inst, dis = DATA.institutions, DATA.disagreements
    claims = dis[(dis["table"] == "institutions") & (dis["column"] == "track")]
    assert len(claims)
    section = _readme_section("## Track codings that differ from a source")
    lines = [line for line in section.splitlines() if line.startswith("|")]
    unexplained, unsupported = [], []
    for body, group in claims.groupby("row_id"):
        coded = str(inst.loc[body, "track"])
        named = {row.source: claimed_track(row.claim) for row in group.itertuples()}
        # A coding call: no source names a track, and the README's table says so for the body.
        coding_call = any(f"| {body} |" in line and "coding call" in line for line in lines)
        if coded not in named.values() and not coding_call:
            unsupported.append(f"{body}: coded {coded}, but no source's claim names it ({named})")
        for source, track in named.items():
            if track != coded and not any(f"| {body} |" in line and f"`{source}`" in line for line in lines):
                unexplained.append(f"{body}: {source} says {track or 'no label'}, the data use {coded}")
    assert unsupported == []
    assert unexplained == []


def test_shangri_la_dialogue_is_coded_as_its_sources_classify_it():
    """Every source read that names the Shangri-La Dialogue's track calls it 1.5 (issue 24)."""
    assert DATA.institutions.loc["SLD", "track"] == "1.5"


def test_transfers_state_the_proposal_as_proposed():
    """The Eminent Persons Group proposed three dates; Bogor adopted two (jp1994_epg, bogor1994)."""
    t12 = DATA.idea_transfers.set_index("transfer_id").loc["T12"]
    assert "2015" in t12["idea"] and "2015" in t12["evidence"]


def test_a_join_year_a_dated_source_gives_is_filled():
    m = DATA.memberships.set_index(["body_id", "member_id"])
    assert m.loc[("APT", "KHM"), "joined_year"] == 1999  # apt1999_joint lists Cambodia's leader


def test_1990s_security_transfers_are_dated_from_primary_documents_and_counted_in_the_readme():
    """Issue 24: every 1990s security transfer has a dated proposal and uptake, and its
    uptake document (an ARF statement or report) is among its sources; the data README
    states how many there are, so a reader sees at once that the issue's three are not met."""
    from track2.analysis import transfers_in
    security = transfers_in(DATA.idea_transfers, DATA.institutions, 1990, 1999, ("security", "both"))
    for row in security.itertuples():
        assert row.proposed_year <= row.year
        assert any(key.startswith("arf_") for key in split_list(row.sources)), row.transfer_id
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert f"**1990s security transfers recorded: {len(security)}**" in readme


def test_the_arf_origin_is_a_disagreement_not_a_transfer():
    """Review W1 (December 2026): CSCAP's founding statement, the only Track 2 source read on
    the ARF's origin, says the 1991-92 conferences welcomed initiatives already under way at
    the official level, so no row counts the ARF's origin as a Track 2 idea taken up; the
    readings are disagreement D25 on the ARF's initiators."""
    transfers = DATA.idea_transfers
    assert not ((transfers["to_id"] == "ARF") & transfers["sources"].str.contains("cscap_kl1993")).any()
    d25 = DATA.disagreements[DATA.disagreements["disagreement_id"] == "D25"]
    assert set(zip(d25["table"], d25["row_id"], d25["column"])) == {("institutions", "ARF", "initiators")}
    assert DATA.institutions.loc["ARF", "initiators"] == "ASEAN"
    kl = d25.set_index("source").loc["cscap_kl1993", "claim"]
    assert "welcomed" in kl and "official level" in kl


def test_new_non_official_bodies_did_not_fall_away_after_2000():
    """Chapter 2 says the busiest decade for new non-official bodies has more than any
    other decade, and that non-official bodies did not give way to official ones after 2000."""
    from track2.analysis import busiest_decade, founded_between, non_official_bodies, official_bodies
    inst = DATA.institutions
    nonoff = non_official_bodies(inst)
    decade, most = busiest_decade(nonoff)
    per_decade = (nonoff["founded_year"] // 10 * 10).value_counts()
    assert (per_decade == most).sum() == 1, "the text says one decade has the most"
    assert len(founded_between(nonoff, first=2000)) >= len(founded_between(official_bodies(inst), first=2000))


def test_the_arf_origin_is_left_undetermined_until_the_1991_memorandum_is_read():
    """Review: what the course could not find (ASEAN-ISIS's June 1991 memorandum) is no
    evidence that Track 2 only supported an idea already on the official agenda."""
    d25 = DATA.disagreements[DATA.disagreements["disagreement_id"] == "D25"]
    for text in [*d25["note"], (ROOT / "book/chapters/05-challenges.md").read_text()]:
        assert "not inventing" not in text and "not its authorship" not in text
    assert d25["note"].str.contains("undetermined").all() and d25["note"].str.contains("A Time for Initiative").all()


def test_bodies_set_up_by_governments_record_their_track_dispute():
    """Review (December 2026): ERIA, the APEC Eminent Persons Group and the Boao Forum were
    created or hosted by governments though coded non-official; each keeps its sources'
    claims in disagreements.csv, and NADI's note carries the limit its terms of reference set."""
    dis = DATA.disagreements
    track = dis[(dis["table"] == "institutions") & (dis["column"] == "track")]
    for body in ["ERIA", "APEC-EPG", "BFA"]:
        assert track["row_id"].eq(body).sum() >= 2, body
    assert "nadi_tor" in DATA.institutions.loc["NADI", "track_note"]
    assert "not go beyond" in DATA.institutions.loc["NADI", "track_note"]
