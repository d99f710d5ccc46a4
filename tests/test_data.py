"""The loader: typed frames from good data, a located error for each kind of bad data."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import edit_csv
from track2.data import DataError, load_course_data, split_list


def test_minimal_data_loads_typed(minimal_data):
    data = load_course_data(minimal_data)
    institutions = data.institutions
    assert list(institutions.index) == ["ARF", "CSCAP", "APEC", "PECC"]
    assert institutions["founded_year"].dtype == "int64"
    assert isinstance(institutions["track"].dtype, pd.CategoricalDtype)
    assert list(institutions["track"].cat.categories) == ["1", "1.5", "2"]
    assert data.memberships["joined_year"].dtype == "Int64"
    assert data.memberships["joined_year"].isna().sum() == 1
    assert str(data.memberships["as_of"].dtype).startswith("datetime64")
    assert data.memberships.loc[data.memberships.member_id == "TWN", "member"].tolist() == ["Chinese Taipei"]


def test_returned_frames_are_copies(minimal_data):
    first = load_course_data(minimal_data).institutions
    first.loc["ARF", "name"] = "changed"
    assert load_course_data(minimal_data).institutions.loc["ARF", "name"] == "ASEAN Regional Forum"


def test_edited_file_is_reread(minimal_data):
    load_course_data(minimal_data)
    edit_csv(minimal_data / "pairs.csv", "Security pair.", "Security pairing.")
    assert load_course_data(minimal_data).pairs.loc["ARF-CSCAP", "link"] == "Security pairing."


def test_split_list():
    assert split_list("Australia; Japan;") == ["Australia", "Japan"]
    assert split_list(pd.NA) == []


def problems_for(folder) -> str:
    with pytest.raises(DataError) as caught:
        load_course_data(folder)
    return str(caught.value)


@pytest.mark.parametrize(
    "file, old, new, expected",
    [
        # a missing column names the file and the column
        ("pairs.csv", "pair_id,track1_id", "track1_id", 'pairs.csv: missing column(s) pair_id'),
        # a non-numeric year names file, row, column and what was expected
        ("institutions.csv", "security,1993,", "security,c. 1993,",
         'institutions.csv, row 2 (line 3), column "founded_year": expected a whole number'),
        # a duplicate id
        ("institutions.csv", "CSCAP,Council", "ARF,Council",
         'institutions.csv, row 2 (line 3), column "id": duplicate \'ARF\' (first in row 1)'),
        # a membership of an unknown body lists the known ones
        ("memberships.csv", "CSCAP,AUS", "CSCAPP,AUS",
         'memberships.csv, row 3 (line 4), column "body_id": \'CSCAPP\' is not a known id in institutions.csv'),
        # an empty source
        ("pairs.csv", "Economic pair.,fixture", "Economic pair.,",
         'pairs.csv, row 2 (line 3), column "sources": is empty, a value is required'),
        # a source that the bibliography does not have
        ("pairs.csv", "Economic pair.,fixture", "Economic pair.,nosuchkey",
         "source key(s) nosuchkey not found in the bibliography"),
        # a value outside the allowed list
        ("institutions.csv", "2,security,1993", "3,security,1993",
         'institutions.csv, row 2 (line 3), column "track": \'3\' is not one of 1, 1.5, 2'),
        # an implausible year
        ("idea_transfers.csv", "T01,2001", "T01,201",
         'idea_transfers.csv, row 1 (line 2), column "year": 201 is outside the plausible range 1945-2026'),
        # a bad date
        ("memberships.csv", "ARF,AUS,member,1994,2026-01-01", "ARF,AUS,member,1994,2026-13-01",
         "expected a date as YYYY-MM-DD, got '2026-13-01'"),
        # an unquoted comma shifts the cells
        ("pairs.csv", "Security pair.", "Security, pair.", "pairs.csv, row 1 (line 2): has 7 cells, the header has 6"),
        # a duplicate composite key
        ("memberships.csv", "ARF,JPN", "ARF,AUS", "duplicate body_id/member_id ARF / AUS"),
        # a pair whose Track 2 side is an official body
        ("pairs.csv", "ARF-CSCAP,ARF,CSCAP", "ARF-APEC,ARF,APEC",
         'column "track2_id": APEC is Track 1 in institutions.csv, expected a Track 1.5 or Track 2 body'),
        # an idea transfer that runs the wrong way
        ("idea_transfers.csv", "CSCAP,ARF", "ARF,CSCAP", 'column "from_id": ARF is Track 1'),
        # joining before the body existed
        ("memberships.csv", "APEC,TWN,member,1991", "APEC,TWN,member,1985", "1985 is before APEC was founded (1989)"),
        # an idea taken up before the receiving body existed
        ("idea_transfers.csv", "T01,2001", "T01,1993", "1993 is before ARF was founded (1994)"),
        # a founding date in another year than founded_year
        ("institutions.csv", "1994,1994-07-25", "1994,1995-07-25", "1995-07-25 does not fall in founded_year 1994"),
        # a pair id that does not follow its bodies
        ("pairs.csv", "APEC-PECC,APEC", "PECC-APEC,APEC", "expected 'APEC-PECC'"),
    ],
)
def test_bad_data_is_reported_with_file_row_and_column(minimal_data, file, old, new, expected):
    edit_csv(minimal_data / file, old, new)
    assert expected in problems_for(minimal_data)


def test_every_problem_is_reported_at_once(minimal_data):
    edit_csv(minimal_data / "institutions.csv", "security,1993,", "security,c. 1993,")
    edit_csv(minimal_data / "pairs.csv", "Economic pair.,fixture", "Economic pair.,")
    message = problems_for(minimal_data)
    assert message.startswith("2 problem(s) in the course data:")


def test_missing_file(minimal_data):
    (minimal_data / "members.csv").unlink()
    assert "members.csv: file is missing" in problems_for(minimal_data)


def test_missing_bibliography(minimal_data):
    (minimal_data / "references.bib").unlink()
    assert "the bibliography that data sources point to is missing" in problems_for(minimal_data)
