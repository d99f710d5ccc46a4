"""The one loader for the course data in ``data/``.

Every table is described by ``data/datapackage.json`` (Frictionless Table Schema).
:func:`load_course_data` reads every CSV with the types that file declares and
returns typed pandas DataFrames. A file it cannot read that way (not UTF-8, a
missing column, a blank row, a row with the wrong number of cells, a cell that is
not of its column's type or allowed values) raises a :class:`DataError` naming the
file, the row and the column, and what was expected; every such problem is
reported at once.

Reading is not checking. The full check (the Table Schema's required fields,
patterns, ranges, unique and foreign keys, checked by ``frictionless``, and the
course's own rules, such as every source key being in the bibliography) is
:func:`track2.tools.validate.validate_data`. ``python -m track2.data``, the book
build and the tests run it; a notebook does not.

Why the check is not run when a notebook loads the data (measured on the course
data with Python 3.11 on 2 CPUs, pandas already imported): reading the tables
takes 0.05-0.09 s in a fresh kernel; the full check, importing frictionless
included, takes 0.85-1.04 s (0.2-0.35 s when repeated), over the second a
notebook's first cell may take. And the launch environment (``requirements.txt``,
294 MB installed) would grow by 47 MB with frictionless and its dependencies
(341 MB; 342 MB with pybtex), against a target of 400 MB. So frictionless and
pybtex stay in the build and development environment (the package's ``tools``
extra), and the student runtime needs only pandas.

>>> from track2.data import load_institutions
>>> institutions = load_institutions()
>>> institutions.loc["ARF", "track"]
'1'
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import pandas as pd

#: The checkout this module was imported from, if it was (an editable install, or
#: Python started in the repository).
PACKAGE_CHECKOUT = Path(__file__).resolve().parent.parent
#: Where the data lives in that checkout.
REPOSITORY_DATA_DIR = PACKAGE_CHECKOUT / "data"
#: The copy of the course files shipped inside the package (pyproject.toml's
#: package-dir), laid out as in the repository: ``data/``, ``book/references.bib``,
#: ``exercises/source/*.questions.yml``. Read with importlib.resources, so it is found
#: wherever pip put the package (Colab's /usr/local, a venv, a --root or --user install).
PACKAGED_COURSE = "_course"

#: Tracks counted as non-official (the "Track 2 side" of a pair).
NON_OFFICIAL_TRACKS = ("1.5", "2")

#: Printed with a reading error: how to run every check.
FULL_CHECK_ADVICE = (
    "To check every rule, run `python -m track2.data` in the development environment "
    "(`pip install -r requirements-dev.txt`)."
)

_MAX_REPORTED = 30


class DataError(ValueError):
    """The course data is malformed. ``problems`` lists each one, already located."""

    def __init__(self, problems: list[str], advice: str | None = None):
        self.problems = list(problems)
        shown = self.problems[:_MAX_REPORTED]
        more = len(self.problems) - len(shown)
        lines = [f"{len(self.problems)} problem(s) in the course data:"]
        lines += [f"  - {p}" for p in shown]
        if more:
            lines.append(f"  ... and {more} more")
        if advice:
            lines.append(advice)
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class CourseData:
    """Every table of the course, typed."""

    institutions: pd.DataFrame
    members: pd.DataFrame
    memberships: pd.DataFrame
    pairs: pd.DataFrame
    idea_transfers: pd.DataFrame
    disagreements: pd.DataFrame


def data_dir() -> Path:
    """The folder the course data is read from: ``course_path("data")``."""
    if "TRACK2_DATA_DIR" in os.environ:
        return Path(os.environ["TRACK2_DATA_DIR"]).resolve()
    return course_path("data")


def course_path(*parts: str) -> Path:
    """A file or folder of the course (``course_path("data")``, ``course_path("book",
    "references.bib")``), found the same way on every launch path, first match wins:

    1. the checkout of the course repository that contains the working directory (a
       notebook runs in its own folder): on Binder, in a hub user's nbgitpuller copy or
       in a clone, the notebooks read that checkout's files, even when the package was
       installed from a copy (repo2docker runs ``pip install .`` after
       ``requirements.txt``), so an instructor's edit to ``data/`` is what they see;
    2. the checkout the package was imported from (an editable install used elsewhere);
    3. the copy shipped inside the installed package, read with importlib.resources
       (Colab: ``pip install git+<repository>``, with no checkout at all).

    Raises:
        DataError: when none of them has the file, saying where it looked.
    """
    tried = []
    for root in _checkouts():
        candidate = root.joinpath(*parts)
        if candidate.exists():
            return candidate
        tried.append(str(candidate))
    packaged = _packaged_course()
    if packaged is not None and packaged.joinpath(*parts).exists():
        return packaged.joinpath(*parts)
    tried.append(f"the copy inside the track2 package ({packaged or 'not a folder on disk'})")
    raise DataError([
        f"{'/'.join(parts)}: not found. Looked in: {'; '.join(tried)}. Run the notebook inside a "
        "copy of the course repository, or reinstall the package (it carries the data)."
    ])


def is_checkout(folder: Path) -> bool:
    """Whether ``folder`` is the root of a copy of the course repository."""
    return (folder / "data" / "datapackage.json").is_file() and (folder / "track2" / "__init__.py").is_file()


def _checkouts() -> list[Path]:
    found = []
    try:
        here = Path.cwd().resolve()
    except OSError:  # the working directory was deleted
        here = None
    if here is not None:
        found += [folder for folder in (here, *here.parents) if is_checkout(folder)][:1]
    if is_checkout(PACKAGE_CHECKOUT) and PACKAGE_CHECKOUT not in found:
        found.append(PACKAGE_CHECKOUT)
    return found


def _packaged_course() -> Path | None:
    """The package's own copy of the course files, as a folder on disk (a zipped
    install has none)."""
    try:
        folder = files("track2").joinpath(PACKAGED_COURSE)
    except (ModuleNotFoundError, TypeError):
        return None
    return folder if isinstance(folder, Path) else None


def load_course_data(directory: str | Path | None = None) -> CourseData:
    """Read every table in ``directory`` (default: :func:`data_dir`) with its schema's types.

    Results are cached per folder; the frames returned are copies, so changing
    one never changes what the next caller gets.

    Raises:
        DataError: listing every table that cannot be read, each with file, row and column.
    """
    folder = Path(directory).resolve() if directory is not None else data_dir()
    cached = _load_cached(folder, _fingerprint(folder))
    return CourseData(**{name: frame.copy() for name, frame in vars(cached).items()})


def load_institutions(directory: str | Path | None = None) -> pd.DataFrame:
    """Institutions indexed by ``id`` (for example ``"ARF"``)."""
    return load_course_data(directory).institutions


def split_list(value) -> list[str]:
    """Split a semicolon-separated cell such as ``"Australia;Japan"`` into a list."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return []
    return [item.strip() for item in str(value).split(";") if item.strip()]


# --------------------------------------------------------------------------- #
# Reading, shared with track2.tools.validate so that both word a problem the same way


def read_package(folder: Path) -> dict:
    """The parsed ``datapackage.json`` of ``folder``."""
    path = folder / "datapackage.json"
    if not path.is_file():
        raise DataError([f"{path}: the data description is missing"])
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DataError([f"{path}: not valid JSON ({error})"]) from None


def where(file_name: str, row: int, column: str | None = None) -> str:
    """``'institutions.csv, row 3 (line 4), column "track"'`` for data row ``row`` (1-based;
    row 0 is the header). Every row of the course data is one line of its file."""
    place = f"{file_name}, line 1 (the header)" if row == 0 else f"{file_name}, row {row} (line {row + 1})"
    return f'{place}, column "{column}"' if column else place


def header_problem(file_name: str, header: list[str], expected: list[str]) -> str:
    """What is wrong with a header row that is not exactly ``expected``."""
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    wrong = [f"missing column(s) {', '.join(missing)}"] if missing else []
    wrong += [f"unexpected column(s) {', '.join(extra)}"] if extra else []
    found = "; ".join(wrong) or "the columns are in another order"
    return f"{where(file_name, 0)}: {found} (expected: {', '.join(expected)})"


def type_problem(file_name: str, row: int, field: dict, value: str) -> str:
    """A cell that is not of its field's type (a whole number, a date)."""
    kinds = {"integer": "a whole number (a year such as 1994)", "date": "a date as YYYY-MM-DD"}
    expected = kinds.get(field["type"], field["type"])
    return f"{where(file_name, row, field['name'])}: expected {expected}, got {value!r}"


def enum_problem(file_name: str, row: int, field: dict, value: str) -> str:
    """A cell whose value is not in its field's list of allowed values."""
    allowed = ", ".join(field["constraints"]["enum"])
    return f"{where(file_name, row, field['name'])}: {value!r} is not one of {allowed}"


def read_table(path: Path, schema: dict, problems: list[str]) -> list[list[str]]:
    """The data rows of one CSV file as lists of cells, or ``[]`` with the reason in ``problems``.

    The file must be UTF-8 (a byte-order mark, as Excel's "CSV UTF-8" writes, is
    fine), its header must name the schema's fields in order, and every row must
    have one cell per field; a blank row is an error, as it is for frictionless.
    """
    if not path.is_file():
        problems.append(f"{path.name}: file is missing from {path.parent}")
        return []
    raw = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        row = raw.count(b"\n", 0, error.start)
        problems.append(
            f"{where(path.name, row)}: is not UTF-8 (byte {raw[error.start:error.start + 1]!r} cannot be read); "
            'save the file as "CSV UTF-8"'
        )
        return []
    expected = [field["name"] for field in schema["fields"]]
    header, *rows = list(csv.reader(io.StringIO(text, newline=""))) or [[]]
    if header != expected:
        problems.append(
            f"{path.name}: the file is empty (expected a header row: {', '.join(expected)})"
            if not header
            else header_problem(path.name, header, expected)
        )
        return []
    shape_problems = []
    for row, cells in enumerate(rows, start=1):
        if not any(cells):
            shape_problems.append(f"{where(path.name, row)}: is blank; delete the empty row")
        elif len(cells) != len(expected):
            shape_problems.append(
                f"{where(path.name, row)}: has {len(cells)} cells, the header has {len(expected)} "
                "(a comma inside a value must be quoted)"
            )
    problems += shape_problems
    return [] if shape_problems else rows


# --------------------------------------------------------------------------- #
# Implementation


def _fingerprint(folder: Path) -> tuple:
    """Changes whenever a data file changes, so an edited CSV is re-read."""
    files = sorted(folder.glob("*.csv")) + [folder / "datapackage.json"]
    return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.exists())


@lru_cache(maxsize=8)
def _load_cached(folder: Path, fingerprint: tuple) -> CourseData:
    resources = read_package(folder)["resources"]
    problems: list[str] = []
    rows = {r["name"]: read_table(folder / r["path"], r["schema"], problems) for r in resources}
    if problems:  # a table that could not be read has no cells to type
        raise DataError(problems, advice=FULL_CHECK_ADVICE)
    frames = {r["name"]: _to_frame(rows[r["name"]], r, problems) for r in resources}
    if problems:
        raise DataError(problems, advice=FULL_CHECK_ADVICE)
    return _finish(frames)


def _to_frame(rows: list[list[str]], resource: dict, problems: list[str]) -> pd.DataFrame:
    """The cells typed by the schema; an empty cell is missing. Cells that cannot be
    typed are reported in ``problems`` (their column is left as text)."""
    fields = resource["schema"]["fields"]
    frame = pd.DataFrame(rows, columns=[field["name"] for field in fields], dtype=str)
    for field in fields:
        values = frame[field["name"]].replace("", pd.NA)
        bad = _untypable(values, field)
        for position in bad[bad].index:
            problems.append(_cell_problem(resource["path"], position + 1, field, frame.at[position, field["name"]]))
        if not bad.any():
            frame[field["name"]] = _typed(values, field)
    return frame


def _untypable(values: pd.Series, field: dict) -> pd.Series:
    """Which cells cannot be read as the field's type (or allowed values)."""
    rules = field.get("constraints", {})
    if field["type"] == "integer":
        # digits with an optional sign, as frictionless reads an integer: 1994.5 is not
        # truncated to 1994, and 1994.0 or 1e3 (1000 to pandas) are not years either
        whole = values.str.fullmatch(r"\s*[+-]?\d+\s*", na=False)
        bad = values.notna() & ~whole
        return bad | values.isna() if rules.get("required") else bad  # int64 cannot hold a missing value
    if field["type"] == "date":
        return values.notna() & pd.to_datetime(values, format="%Y-%m-%d", errors="coerce").isna()
    if "enum" in rules:
        return values.notna() & ~values.isin(rules["enum"])
    return pd.Series(False, index=values.index)


def _typed(values: pd.Series, field: dict):
    """Integers (``Int64`` where the field may be empty), dates, categories for fields
    with allowed values, else strings."""
    rules = field.get("constraints", {})
    if field["type"] == "integer":
        return pd.to_numeric(values).astype("int64" if rules.get("required") else "Int64")
    if field["type"] == "date":
        return pd.to_datetime(values, format="%Y-%m-%d")
    if "enum" in rules:
        return pd.Categorical(values, categories=rules["enum"])
    return values


def _cell_problem(file_name: str, row: int, field: dict, value: str) -> str:
    if "enum" in field.get("constraints", {}):
        return enum_problem(file_name, row, field, value)
    if value:
        return type_problem(file_name, row, field, value)
    return f"{where(file_name, row, field['name'])}: is empty, a value is required"


def _finish(frames: dict[str, pd.DataFrame]) -> CourseData:
    names = frames["members"].set_index("member_id")["name"]
    memberships = frames["memberships"]
    memberships.insert(2, "member", memberships["member_id"].map(names))
    return CourseData(
        institutions=frames["institutions"].set_index("id", drop=False).rename_axis(None),
        members=frames["members"].set_index("member_id", drop=False).rename_axis(None),
        memberships=memberships,
        pairs=frames["pairs"].set_index("pair_id", drop=False).rename_axis(None),
        idea_transfers=frames["idea_transfers"].set_index("transfer_id", drop=False).rename_axis(None),
        disagreements=frames["disagreements"],
    )


def main() -> int:
    """``python -m track2.data``: check the data fully and print a one-line summary per table."""
    try:
        from track2.tools.validate import validate_data
    except ImportError as missing:
        print(
            f"The full check needs {missing.name}, which is not installed here (it is in the "
            "development environment: pip install -r requirements-dev.txt).",
            file=sys.stderr,
        )
        return 2
    try:
        data = validate_data()
    except DataError as error:
        print(error, file=sys.stderr)
        return 1
    for name, frame in vars(data).items():
        print(f"{name:15} {len(frame):4d} rows")
    print(f"OK: {data_dir()} is valid")
    return 0


if __name__ == "__main__":
    # Run this module's package copy, whose DataError is the one track2.tools.validate raises.
    from track2.data import main as package_main

    raise SystemExit(package_main())
