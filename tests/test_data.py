"""The loader reads typed frames or says where a file cannot be read; the one validator
(frictionless for the schema, then the course's rules) says where the data break a rule.
Every problem names the file, the row (and line) and the column."""

from __future__ import annotations

import codecs
import os

import pandas as pd
import pytest
from sphinx.cmd.build import build_main

from conftest import edit_csv
from track2.data import (
    FULL_CHECK_ADVICE,
    NON_OFFICIAL_TRACKS,
    DataError,
    load_course_data,
    main,
    read_package,
    split_list,
)
from track2.tools.validate import ACTIVE_EVIDENCE_AFTER, bibliography_keys, validate_data


def problems(check, folder) -> list[str]:
    with pytest.raises(DataError) as caught:
        check(folder)
    return caught.value.problems


def test_minimal_data_loads_typed(minimal_data):
    data = load_course_data(minimal_data)
    institutions = data.institutions
    assert list(institutions.index) == ["ARF", "CSCAP", "APEC", "PECC"]
    assert institutions["founded_year"].dtype == "int64"
    assert isinstance(institutions["track"].dtype, pd.CategoricalDtype)
    assert data.memberships["joined_year"].dtype == "Int64"
    assert data.memberships["joined_year"].isna().sum() == 1
    assert str(data.memberships["as_of"].dtype).startswith("datetime64")
    assert data.memberships.loc[data.memberships.member_id == "TWN", "member"].tolist() == ["Chinese Taipei"]


def test_minimal_data_is_valid(minimal_data):
    validated = validate_data(minimal_data)
    pd.testing.assert_frame_equal(validated.memberships, load_course_data(minimal_data).memberships)


def test_non_official_tracks_are_the_schemas_tracks_other_than_1(minimal_data):
    (institutions,) = [r for r in read_package(minimal_data)["resources"] if r["name"] == "institutions"]
    (track,) = [f for f in institutions["schema"]["fields"] if f["name"] == "track"]
    assert ["1", *NON_OFFICIAL_TRACKS] == track["constraints"]["enum"]


def test_returned_frames_are_copies(minimal_data):
    first = load_course_data(minimal_data).institutions
    first.loc["ARF", "name"] = "changed"
    assert load_course_data(minimal_data).institutions.loc["ARF", "name"] == "ASEAN Regional Forum"


def test_edited_file_is_reread(minimal_data):
    load_course_data(minimal_data)
    edit_csv(minimal_data / "pairs.csv", "Security pair.", "Security pairing.")
    assert load_course_data(minimal_data).pairs.loc["ARF-CSCAP", "link"] == "Security pairing."


def test_an_edit_that_keeps_the_files_size_is_reread(minimal_data):
    path = minimal_data / "institutions.csv"
    assert load_course_data(minimal_data).institutions.loc["CSCAP", "founded_year"] == 1993
    before = path.stat()
    edit_csv(path, "security,1993,", "security,1992,")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    assert path.stat().st_size == before.st_size
    assert load_course_data(minimal_data).institutions.loc["CSCAP", "founded_year"] == 1992


# the years written out, not derived from ACTIVE_EVIDENCE_AFTER: moving the boundary (2014, 2016)
# must fail here, since data/README.md and datapackage.json state 2015
@pytest.mark.parametrize("year, coded_active", [(2015, False), (2016, True)])
def test_active_needs_a_source_dated_after_2015_not_in_it(minimal_data, year, coded_active):
    with (minimal_data / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write(f"@misc{{only{year}, title = {{A source of {year}}}, year = {{{year}}}}}\n")
    edit_csv(minimal_data / "institutions.csv", "Official security dialogue.,,fixture",
             f"Official security dialogue.,,only{year}")
    if coded_active:
        validate_data(minimal_data)  # a source of 2016 is evidence of activity after 2015
    else:
        assert problems(validate_data, minimal_data) == [
            'institutions.csv, row 1 (line 2), column "status": ARF is coded active but none of its sources is dated '
            f"after {ACTIVE_EVIDENCE_AFTER}; cite a recent source or code it 'unknown'"]


def test_split_list():
    assert split_list("Australia; Japan;") == ["Australia", "Japan"]
    assert split_list(pd.NA) == []


# Files the loader cannot read as typed tables: the loader and the validator report
# the same one problem.
UNREADABLE = [
    ("pairs.csv", "pair_id,track1_id", "track1_id",
     "pairs.csv, line 1 (the header): missing column(s) pair_id "
     "(expected: pair_id, track1_id, track2_id, realm, link, sources)"),
    ("pairs.csv", "pair_id,track1_id", "track1_id,pair_id",
     "pairs.csv, line 1 (the header): the columns are in another order "
     "(expected: pair_id, track1_id, track2_id, realm, link, sources)"),
    ("institutions.csv", "security,1993,", "security,c. 1993,",
     'institutions.csv, row 2 (line 3), column "founded_year": expected a whole number (a year such as 1994), '
     "got 'c. 1993'"),
    # a year is a whole number, never rounded or truncated (1993.5 is not 1993), and what the
    # loader reads is what frictionless reads: not 1993.0, not 1e3 (which pandas reads as 1000)
    ("institutions.csv", "security,1993,", "security,1993.5,",
     'institutions.csv, row 2 (line 3), column "founded_year": expected a whole number (a year such as 1994), '
     "got '1993.5'"),
    ("institutions.csv", "security,1993,", "security,1993.0,",
     'institutions.csv, row 2 (line 3), column "founded_year": expected a whole number (a year such as 1994), '
     "got '1993.0'"),
    ("institutions.csv", "security,1993,", "security,1e3,",
     'institutions.csv, row 2 (line 3), column "founded_year": expected a whole number (a year such as 1994), '
     "got '1e3'"),
    ("memberships.csv", "APEC,TWN,member,1991", "APEC,TWN,member,1991.5",  # a column that may be empty
     'memberships.csv, row 5 (line 6), column "joined_year": expected a whole number (a year such as 1994), '
     "got '1991.5'"),
    ("institutions.csv", "security,1993,", "security,,",
     'institutions.csv, row 2 (line 3), column "founded_year": is empty, a value is required'),
    ("institutions.csv", "2,security,1993", "3,security,1993",
     "institutions.csv, row 2 (line 3), column \"track\": '3' is not one of 1, 1.5, 2"),
    ("memberships.csv", "ARF,AUS,member,1994,2026-01-01", "ARF,AUS,member,1994,2026-13-01",
     "memberships.csv, row 1 (line 2), column \"as_of\": expected a date as YYYY-MM-DD, got '2026-13-01'"),
    ("pairs.csv", "Security pair.", "Security, pair.",
     "pairs.csv, row 1 (line 2): has 7 cells, the header has 6 (a comma inside a value must be quoted)"),
    # a blank row is an error (frictionless's rule), in the middle of a file or at its end
    ("members.csv", "JPN,Japan", "\nJPN,Japan", "members.csv, row 2 (line 3): is blank; delete the empty row"),
    ("members.csv", "Chinese Taipei,economy\n", "Chinese Taipei,economy\n\n",
     "members.csv, row 4 (line 5): is blank; delete the empty row"),
]


@pytest.mark.parametrize("file, old, new, expected", UNREADABLE)
def test_unreadable_file_is_one_located_problem_for_loader_and_validator(minimal_data, file, old, new, expected):
    edit_csv(minimal_data / file, old, new)
    assert problems(load_course_data, minimal_data) == [expected]
    assert problems(validate_data, minimal_data) == [expected]


def test_a_reading_problem_says_how_to_run_the_full_check(minimal_data):
    edit_csv(minimal_data / "institutions.csv", "2,security,1993", "3,security,1993")
    with pytest.raises(DataError) as caught:
        load_course_data(minimal_data)
    assert str(caught.value).endswith(FULL_CHECK_ADVICE)


# Data the loader reads but the validator rejects, each with exactly one problem:
# no cascade of errors in the tables that point at the broken row.
INVALID = [
    # a duplicate id; CSCAP disappears with it, but the rows pointing at CSCAP are not reported
    ("institutions.csv", "CSCAP,Council", "ARF,Council",
     "institutions.csv, row 2 (line 3), column \"id\": duplicate 'ARF' (first in row 1)"),
    ("memberships.csv", "ARF,JPN", "ARF,AUS",
     "memberships.csv, row 2 (line 3), columns \"body_id\", \"member_id\": duplicate 'ARF / AUS' (first in row 1)"),
    ("members.csv", "JPN,Japan", "JPN,Australia",
     "members.csv, row 2 (line 3), column \"name\": duplicate 'Australia' (first in row 1)"),
    ("memberships.csv", "CSCAP,AUS", "CSCAPP,AUS",
     "memberships.csv, row 3 (line 4), column \"body_id\": 'CSCAPP' is not a known id in institutions.csv "
     "(did you mean 'CSCAP'?)"),
    ("pairs.csv", "Economic pair.,fixture", "Economic pair.,",
     'pairs.csv, row 2 (line 3), column "sources": is empty, a value is required'),
    ("idea_transfers.csv", "T01,,2001", "T01,,201",
     'idea_transfers.csv, row 1 (line 2), column "year": 201 is outside the plausible range 1945-2026'),
    ("idea_transfers.csv", "T01,,2001", "T1,,2001",
     "idea_transfers.csv, row 1 (line 2), column \"transfer_id\": 'T1' does not have the expected form T[0-9]{2}"),
    # a malformed id: the rows pointing at PECC are not reported as well
    ("institutions.csv", "PECC,Pacific", "pecc,Pacific",
     "institutions.csv, row 4 (line 5), column \"id\": 'pecc' does not have the expected form [A-Z0-9]+(-[A-Z0-9]+)*"),
    # the course's rules
    ("pairs.csv", "Economic pair.,fixture", "Economic pair.,nosuchkey",
     'pairs.csv, row 2 (line 3), column "sources": source key(s) nosuchkey not found in the bibliography'),
    ("pairs.csv", "ARF-CSCAP,ARF,CSCAP", "ARF-APEC,ARF,APEC",
     'pairs.csv, row 1 (line 2), column "track2_id": APEC is Track 1 in institutions.csv, '
     "expected a Track 1.5 or Track 2 body"),
    ("idea_transfers.csv", "CSCAP,ARF", "APEC,ARF",
     'idea_transfers.csv, row 1 (line 2), column "from_id": APEC is Track 1 in institutions.csv, '
     "expected a Track 1.5 or Track 2 body"),
    ("memberships.csv", "APEC,TWN,member,1991", "APEC,TWN,member,1985",
     'memberships.csv, row 5 (line 6), column "joined_year": 1985 is before APEC was founded (1989)'),
    ("idea_transfers.csv", "T01,,2001", "T01,,1993",
     'idea_transfers.csv, row 1 (line 2), column "year": 1993 is before ARF was founded (1994)'),
    ("idea_transfers.csv", "T01,,2001", "T01,2002,2001",
     'idea_transfers.csv, row 1 (line 2), column "proposed_year": 2002 is after the uptake year 2001'),
    ("institutions.csv", "Official security dialogue.,,fixture", "Official security dialogue.,,old1990",
     'institutions.csv, row 1 (line 2), column "status": ARF is coded active but none of its sources is dated '
     "after 2015; cite a recent source or code it 'unknown'"),
    ("institutions.csv", "1994,1994-07-25", "1994,1995-07-25",
     'institutions.csv, row 1 (line 2), column "founded_date": 1995-07-25 does not fall in founded_year 1994'),
    ("institutions.csv", "Australia;Japan,Australia;Japan,Singapore,active,Official",
     "Australia;Japan,Australia;Nippon,Singapore,active,Official",
     'institutions.csv, row 3 (line 4), column "initiator_states": \'Nippon\': expected the name of a state '
     "in members.csv (as members.csv spells it) or ASEAN"),
    ("pairs.csv", "APEC-PECC,APEC", "PECC-APEC,APEC",
     "pairs.csv, row 2 (line 3), column \"pair_id\": expected 'APEC-PECC' (Track 1 id, hyphen, Track 2 id), "
     "got 'PECC-APEC'"),
    # disagreements.csv points at real rows and columns, and has two sides per disagreement
    ("disagreements.csv", "D01,institutions,PECC,track,2", "D01,institutions,CSCPA,track,2",
     "disagreements.csv, row 1 (line 2), column \"row_id\": 'CSCPA' is not a row_id of institutions "
     "(did you mean 'CSCAP'?)"),
    ("disagreements.csv", "D01,institutions,PECC,track,2", "D01,institutions,PECC,foundedyear,2",
     "disagreements.csv, row 1 (line 2), column \"column\": 'foundedyear' is not a column of institutions "
     "(did you mean 'founded_year'?)"),
    ("disagreements.csv", "D01,institutions,PECC,track,2", "D01,memberships,PECC:NZL,role,member",
     "disagreements.csv, row 1 (line 2), column \"row_id\": 'PECC:NZL' is not a row_id of memberships "
     "(did you mean 'PECC:TWN'?)"),
    ("disagreements.csv", "D01,institutions,PECC,track,1.5,fixture2,\n", "",
     'disagreements.csv, row 1 (line 2), column "disagreement_id": D01 has only one side '
     "(a disagreement needs one row per source, at least two)"),
]


@pytest.mark.parametrize("file, old, new, expected", INVALID)
def test_invalid_data_is_one_located_problem(minimal_data, file, old, new, expected):
    edit_csv(minimal_data / file, old, new)
    load_course_data(minimal_data)  # reads: these are not reading problems
    assert problems(validate_data, minimal_data) == [expected]


def test_a_disputed_membership_the_data_leave_out_may_be_named(minimal_data):
    edit_csv(minimal_data / "disagreements.csv", "institutions,PECC,track,2,", "memberships,ARF:TWN,role,member,")
    edit_csv(minimal_data / "disagreements.csv", "institutions,PECC,track,1.5,", "memberships,ARF:TWN,role,observer,")
    validate_data(minimal_data)


def test_every_problem_is_reported_at_once(minimal_data):
    edit_csv(minimal_data / "institutions.csv", "security,1993,", "security,c. 1993,")
    edit_csv(minimal_data / "pairs.csv", "Economic pair.,fixture", "Economic pair.,")
    with pytest.raises(DataError) as caught:
        validate_data(minimal_data)
    assert str(caught.value).startswith("2 problem(s) in the course data:")


def test_excel_csv_utf8_with_a_byte_order_mark_loads(minimal_data):
    expected = load_course_data(minimal_data).members
    for path in minimal_data.glob("*.csv"):
        path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    pd.testing.assert_frame_equal(load_course_data(minimal_data).members, expected)
    pd.testing.assert_frame_equal(validate_data(minimal_data).members, expected)


def test_a_latin1_file_is_a_located_problem_not_a_traceback(minimal_data):
    path = minimal_data / "members.csv"
    path.write_bytes(path.read_text(encoding="utf-8").replace("Japan", "Japé").encode("latin-1"))
    expected = [
        "members.csv, row 2 (line 3): is not UTF-8 (byte b'\\xe9' cannot be read); save the file as \"CSV UTF-8\""
    ]
    assert problems(load_course_data, minimal_data) == expected
    assert problems(validate_data, minimal_data) == expected  # not also in memberships.csv, which points at it


def test_missing_file(minimal_data):
    (minimal_data / "members.csv").unlink()
    expected = [f"members.csv: file is missing from {minimal_data}"]
    assert problems(load_course_data, minimal_data) == expected
    assert problems(validate_data, minimal_data) == expected


def test_missing_bibliography(minimal_data):
    (minimal_data / "references.bib").unlink()
    assert problems(validate_data, minimal_data) == [
        f"{minimal_data / 'references.bib'}: the bibliography that data sources point to is missing"]


def test_bibliography_keys_are_read_by_a_bibtex_parser(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(
        '@string{ pub = "A publisher" }\n'
        "@Book{ spaced_key ,\n  title = {Spaced}, publisher = pub, year = 2020 }\n"
        '@misc(parenthesised, title = "Round brackets")\n',
        encoding="utf-8",
    )
    assert bibliography_keys(bib) == {"spaced_key", "parenthesised"}


def test_the_book_build_stops_on_invalid_data(minimal_data, tmp_path, monkeypatch, capsys):
    """A Sphinx project with the extension, as _config.yml lists it, builds on valid data only."""
    source = tmp_path / "book"
    source.mkdir()
    (source / "conf.py").write_text('extensions = ["track2.tools.validate"]\n', encoding="utf-8")
    (source / "index.rst").write_text("Title\n=====\n", encoding="utf-8")
    monkeypatch.setenv("TRACK2_DATA_DIR", str(minimal_data))
    assert build_main(["-q", "-b", "html", str(source), str(tmp_path / "html")]) == 0
    edit_csv(minimal_data / "institutions.csv", "2,security,1993", "3,security,1993")
    assert build_main(["-q", "-E", "-b", "html", str(source), str(tmp_path / "html")]) != 0
    assert 'institutions.csv, row 2 (line 3), column "track"' in capsys.readouterr().err


def test_python_m_track2_data_reports_and_fails(minimal_data, monkeypatch, capsys):
    monkeypatch.setenv("TRACK2_DATA_DIR", str(minimal_data))
    assert main() == 0
    assert "is valid" in capsys.readouterr().out
    edit_csv(minimal_data / "pairs.csv", "Economic pair.,fixture", "Economic pair.,nosuchkey")
    assert main() == 1
    assert "source key(s) nosuchkey not found in the bibliography" in capsys.readouterr().err


@pytest.mark.parametrize("old, new, expected", [
    ("ARF,JPN,member,1994,2026-01-01,source", "ARF,JPN,member,1994,2026-01-01,guess",
     "memberships.csv, row 2 (line 3), column \"as_of_basis\": 'guess' is not one of source, read"),
    ("ARF,JPN,member,", "ARF,JPN,full,",
     "memberships.csv, row 2 (line 3), column \"role\": 'full' is not one of member, associate, institutional, observer"),
])
def test_membership_categories_and_list_dates_are_read_strictly(minimal_data, old, new, expected):
    edit_csv(minimal_data / "memberships.csv", old, new)
    with pytest.raises(DataError) as error:
        load_course_data(minimal_data)
    assert expected in str(error.value)


# --------------------------------------------------------------------------- #
# The shipped data as a scholar would check it: sources, categories, dates.

#: Hosts whose pages the course does not accept as a source: exam-preparation sites,
#: copies of Wikipedia, Wikipedia itself, and sites that repost news without naming
#: the publisher. The one list; data/README.md explains the rule.
UNACCEPTED_HOSTS = (
    "gkseries.com", "jagranjosh.com", "chinmayaias.com", "classtopper.in", "brainyias.com",
    "wikipedia.org", "wikimili.com", "stringtranslate.com", "wikisum.wiki",
    "bestgrowthstock.com", "wn.com", "bcssolutionbd.com",
)

#: What a complete entry needs, by BibTeX type (besides a title and a year or access date).
#: A newspaper article has no volume, and a chapter of a report published as web pages (the
#: ASEAN Standing Committee's annual reports) has no page numbers.
REQUIRED_FIELDS = {
    "article": ("journal", "volume", "year"),
    "book": ("publisher", "year"),
    "incollection": ("booktitle", "publisher", "year"),
    "techreport": ("institution", "year"),
}
NEWSPAPERS = ("The Jakarta Post",)


def _shipped():
    from pybtex.database import parse_file

    from track2.data import data_dir
    folder = data_dir()
    data = load_course_data(folder)
    keys = {key for table in ("institutions", "memberships", "pairs", "idea_transfers")
            for cell in getattr(data, table)["sources"] for key in split_list(cell)}
    keys |= set(data.disagreements["source"])
    return data, keys, parse_file(str(folder.parent / "book" / "references.bib")).entries


def test_every_data_source_is_a_complete_entry_from_an_accepted_host():
    _, keys, entries = _shipped()
    problems = []
    for key in sorted(keys):
        entry = entries[key]
        fields = entry.fields
        host = fields.get("url", "").split("/")[2] if "://" in fields.get("url", "") else ""
        if any(host == bad or host.endswith("." + bad) for bad in UNACCEPTED_HOSTS):
            problems.append(f"{key}: {host} is not an accepted source")
        required = ("title",) + REQUIRED_FIELDS.get(entry.type, ())
        if fields.get("journal") in NEWSPAPERS:
            required = tuple(name for name in required if name != "volume")
        missing = [name for name in required if name not in fields]
        if "year" not in fields and "urldate" not in fields:
            missing.append("year or urldate")
        if not (entry.persons or {"howpublished", "journal", "institution", "publisher"} & set(fields)):
            missing.append("author or publisher")
        if entry.type == "misc" and not {"url", "howpublished"} & set(fields):
            missing.append("url or howpublished")
        if missing:
            problems.append(f"{key} ({entry.type}) lacks {', '.join(missing)}")
    assert problems == []


def test_membership_categories_follow_the_bodies_own_definitions():
    data, _, _ = _shipped()
    m = data.memberships
    roles = dict(zip(m["body_id"] + ":" + m["member_id"], m["role"], strict=True))
    # PECC's own categories: member committees, an associate member, institutional members.
    assert roles["PECC:PAFTAD"] == roles["PECC:PBEC"] == "institutional"
    assert roles["PECC:FRA"] == "associate"
    # A body that belongs to another body is never counted as one of its full members.
    bodies = set(data.institutions.index)
    assert not ({member for member in m.loc[m["role"] == "member", "member_id"]} & bodies)


def test_list_dates_are_real_dates():
    """A list dated by its source is not dated in the future; an undated page's date is
    the day one of the row's sources was read."""
    data, _, entries = _shipped()
    today = pd.Timestamp.today().normalize()
    for row in data.memberships.itertuples():
        assert row.as_of <= today, row
        if row.as_of_basis == "read":
            read_on = {entries[key].fields.get("urldate") for key in split_list(row.sources)}
            assert row.as_of.strftime("%Y-%m-%d") in read_on, row


def test_transfers_are_dated_and_the_1990s_are_recorded():
    data, _, _ = _shipped()
    transfers = data.idea_transfers
    dated = transfers.dropna(subset=["proposed_year"])
    assert (dated["proposed_year"] <= dated["year"]).all()
    assert transfers["year"].between(1990, 1999).any()
