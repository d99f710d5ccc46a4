"""The one loader for the course data in ``data/``.

Every table is described by ``data/datapackage.json`` (Frictionless Table Schema).
:func:`load_course_data` reads every CSV, checks it against that schema and
against the facts the course relies on, and returns typed pandas DataFrames. Bad
data never loads half-way: every problem found is reported at once, each naming
the file, the row and the column, and what was expected.

>>> from track2.data import load_institutions
>>> institutions = load_institutions()
>>> institutions.loc["ARF", "track"]
'1'
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

#: Where the data lives in a clone of the course repository (an editable install).
REPOSITORY_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
#: Where a non-editable install (``pip install git+...``, as on Colab) puts it.
INSTALLED_DATA_DIR = Path(sys.prefix) / "share" / "track2" / "data"

#: Tracks counted as non-official (the "Track 2 side" of a pair).
NON_OFFICIAL_TRACKS = ("1.5", "2")

_MAX_REPORTED = 30
_BIBTEX_KEY = re.compile(r"@\s*\w+\s*\{\s*([^,\s]+)\s*,")


class DataError(ValueError):
    """The course data is malformed. ``problems`` lists each one, already located."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        shown = self.problems[:_MAX_REPORTED]
        more = len(self.problems) - len(shown)
        lines = [f"{len(self.problems)} problem(s) in the course data:"]
        lines += [f"  - {p}" for p in shown]
        if more:
            lines.append(f"  ... and {more} more")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class CourseData:
    """Every table of the course, validated and typed."""

    institutions: pd.DataFrame
    members: pd.DataFrame
    memberships: pd.DataFrame
    pairs: pd.DataFrame
    idea_transfers: pd.DataFrame
    disagreements: pd.DataFrame


def data_dir() -> Path:
    """The folder the course data is read from, whatever the working directory:
    ``TRACK2_DATA_DIR`` if set, else the repository's ``data/``, else the installed copy."""
    if "TRACK2_DATA_DIR" in os.environ:
        return Path(os.environ["TRACK2_DATA_DIR"]).resolve()
    return REPOSITORY_DATA_DIR if REPOSITORY_DATA_DIR.is_dir() else INSTALLED_DATA_DIR


def load_course_data(directory: str | Path | None = None) -> CourseData:
    """Load and validate every table in ``directory`` (default: :func:`data_dir`).

    Results are cached per folder; the frames returned are copies, so changing
    one never changes what the next caller gets.

    Raises:
        DataError: listing every problem, each with file, row and column.
    """
    folder = Path(directory).resolve() if directory is not None else data_dir()
    cached = _load_cached(folder, _fingerprint(folder))
    return CourseData(**{name: frame.copy() for name, frame in vars(cached).items()})


def load_institutions(directory: str | Path | None = None) -> pd.DataFrame:
    """Institutions indexed by ``id`` (for example ``"ARF"``)."""
    return load_course_data(directory).institutions


def load_members(directory: str | Path | None = None) -> pd.DataFrame:
    """States, economies and organisations indexed by ``member_id``."""
    return load_course_data(directory).members


def load_memberships(directory: str | Path | None = None) -> pd.DataFrame:
    """One row per body and member, with the member's display name added."""
    return load_course_data(directory).memberships


def load_pairs(directory: str | Path | None = None) -> pd.DataFrame:
    """Track 1 - Track 2 pairs indexed by ``pair_id`` (for example ``"ARF-CSCAP"``)."""
    return load_course_data(directory).pairs


def load_idea_transfers(directory: str | Path | None = None) -> pd.DataFrame:
    """Idea transfers from Track 2 to Track 1 bodies, indexed by ``transfer_id``."""
    return load_course_data(directory).idea_transfers


def load_disagreements(directory: str | Path | None = None) -> pd.DataFrame:
    """Claims on which the sources disagree, one row per source."""
    return load_course_data(directory).disagreements


def split_list(value) -> list[str]:
    """Split a semicolon-separated cell such as ``"Australia;Japan"`` into a list."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return []
    return [item.strip() for item in str(value).split(";") if item.strip()]


# --------------------------------------------------------------------------- #
# Implementation


def _fingerprint(folder: Path) -> tuple:
    """Changes whenever a data file changes, so an edited CSV is re-read."""
    files = sorted(folder.glob("*.csv")) + [folder / "datapackage.json"]
    return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.exists())


@lru_cache(maxsize=8)
def _load_cached(folder: Path, fingerprint: tuple) -> CourseData:
    package_path = folder / "datapackage.json"
    if not package_path.is_file():
        raise DataError([f"{package_path}: the data description is missing"])
    try:
        package = json.loads(package_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DataError([f"{package_path}: not valid JSON ({error})"]) from None

    problems: list[str] = []
    raw: dict[str, list[dict[str, str]]] = {}
    resources = {resource["name"]: resource for resource in package["resources"]}
    for name, resource in resources.items():
        raw[name] = _read_table(folder / resource["path"], resource["schema"], problems)
    if problems:  # cannot check keys or types of tables that did not parse
        raise DataError(problems)

    bib_keys = _bibtex_keys((folder / package["bibliography"]).resolve(), problems)
    for name, resource in resources.items():
        _check_fields(resource, raw[name], bib_keys, problems)
    for name, resource in resources.items():
        _check_keys(resource, raw, resources, problems)
    _check_course_rules(raw, resources, problems)
    if problems:
        raise DataError(problems)

    frames = {name: _to_frame(raw[name], resource["schema"]) for name, resource in resources.items()}
    return _finish(frames)


def _where(path_name: str, index: int, column: str | None = None) -> str:
    """'institutions.csv, row 3 (line 4), column "track"' for data row ``index`` (0-based)."""
    place = f"{path_name}, row {index + 1} (line {index + 2})"
    return f'{place}, column "{column}"' if column else place


def _read_table(path: Path, schema: dict, problems: list[str]) -> list[dict[str, str]]:
    if not path.is_file():
        problems.append(f"{path.name}: file is missing from {path.parent}")
        return []
    expected = [field["name"] for field in schema["fields"]]
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            problems.append(f"{path.name}: the file is empty (expected a header row: {', '.join(expected)})")
            return []
        header = [h.strip() for h in header]
        missing = [c for c in expected if c not in header]
        extra = [c for c in header if c not in expected]
        if missing:
            problems.append(f'{path.name}: missing column(s) {", ".join(missing)} (expected: {", ".join(expected)})')
        if extra:
            problems.append(f'{path.name}: unexpected column(s) {", ".join(extra)} (expected: {", ".join(expected)})')
        if missing or extra:
            return []
        rows = []
        for index, cells in enumerate(reader):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                problems.append(
                    f"{_where(path.name, index)}: has {len(cells)} cells, the header has {len(header)} "
                    "(a comma inside a value must be quoted)"
                )
                continue
            rows.append({column: cell.strip() for column, cell in zip(header, cells)} | {"__index": index})
        return rows


def _bibtex_keys(path: Path, problems: list[str]) -> set[str]:
    if not path.is_file():
        problems.append(f"{path}: the bibliography that data sources point to is missing")
        return set()
    return set(_BIBTEX_KEY.findall(path.read_text(encoding="utf-8")))


def _check_fields(resource: dict, rows: list[dict], bib_keys: set[str], problems: list[str]) -> None:
    file_name = resource["path"]
    for field in resource["schema"]["fields"]:
        column, kind = field["name"], field["type"]
        rules = field.get("constraints", {})
        seen: dict[str, int] = {}
        for row in rows:
            value, where = row[column], _where(file_name, row["__index"], column)
            if value == "":
                if rules.get("required"):
                    problems.append(f"{where}: is empty, a value is required")
                continue
            if kind == "integer":
                if not re.fullmatch(r"-?[0-9]+", value):
                    problems.append(f"{where}: expected a whole number (a year such as 1994), got {value!r}")
                    continue
                number = int(value)
                low, high = rules.get("minimum"), rules.get("maximum")
                if (low is not None and number < low) or (high is not None and number > high):
                    problems.append(f"{where}: {number} is outside the plausible range {low}-{high}")
            elif kind == "date":
                if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) or pd.isna(
                    pd.to_datetime(value, format="%Y-%m-%d", errors="coerce")
                ):
                    problems.append(f"{where}: expected a date as YYYY-MM-DD, got {value!r}")
            if "enum" in rules and value not in rules["enum"]:
                problems.append(f"{where}: {value!r} is not one of {', '.join(rules['enum'])}")
            if "pattern" in rules and not re.fullmatch(rules["pattern"], value):
                problems.append(f"{where}: {value!r} does not have the expected form {rules['pattern']}")
            if rules.get("unique"):
                if value in seen:
                    problems.append(f"{where}: duplicate {value!r} (first in row {seen[value] + 1})")
                seen.setdefault(value, row["__index"])
            if column in ("sources", "source"):
                unknown = [key for key in split_list(value) if key not in bib_keys]
                if unknown:
                    problems.append(f"{where}: source key(s) {', '.join(unknown)} not found in the bibliography")


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _check_keys(resource: dict, raw: dict, resources: dict, problems: list[str]) -> None:
    schema, file_name, rows = resource["schema"], resource["path"], raw[resource["name"]]
    primary = _as_list(schema.get("primaryKey", []))
    if len(primary) > 1:
        seen: dict[tuple, int] = {}
        for row in rows:
            key = tuple(row[c] for c in primary)
            if key in seen:
                problems.append(
                    f"{_where(file_name, row['__index'])}: duplicate {'/'.join(primary)} "
                    f"{' / '.join(key)} (first in row {seen[key] + 1})"
                )
            seen.setdefault(key, row["__index"])
    for foreign in schema.get("foreignKeys", []):
        (column,) = _as_list(foreign["fields"])
        target = resources[foreign["reference"]["resource"]]
        (target_column,) = _as_list(foreign["reference"]["fields"])
        known = {r[target_column] for r in raw[target["name"]]}
        for row in rows:
            if row[column] and row[column] not in known:
                problems.append(
                    f"{_where(file_name, row['__index'], column)}: {row[column]!r} is not a known "
                    f"{target_column} in {target['path']} (known: {', '.join(sorted(known))})"
                )


def _check_course_rules(raw: dict, resources: dict, problems: list[str]) -> None:
    """Facts beyond the schema: a pair joins a Track 1 body to a non-official one, and so on."""
    track = {row["id"]: row["track"] for row in raw["institutions"]}
    founded = {row["id"]: row["founded_year"] for row in raw["institutions"]}
    checks = [
        ("pairs", "track1_id", lambda t: t == "1", "a Track 1 body"),
        ("pairs", "track2_id", lambda t: t in NON_OFFICIAL_TRACKS, "a Track 1.5 or Track 2 body"),
        ("idea_transfers", "from_id", lambda t: t in NON_OFFICIAL_TRACKS, "a Track 1.5 or Track 2 body"),
        ("idea_transfers", "to_id", lambda t: t == "1", "a Track 1 body"),
    ]
    for table, column, allowed, wanted in checks:
        for row in raw[table]:
            body = row[column]
            if body in track and not allowed(track[body]):
                problems.append(
                    f"{_where(resources[table]['path'], row['__index'], column)}: {body} is Track "
                    f"{track[body]} in institutions.csv, expected {wanted}"
                )
    for row in raw["pairs"]:
        expected = f"{row['track1_id']}-{row['track2_id']}"
        if row["pair_id"] != expected:
            problems.append(
                f"{_where(resources['pairs']['path'], row['__index'], 'pair_id')}: expected {expected!r} "
                f"(Track 1 id, hyphen, Track 2 id), got {row['pair_id']!r}"
            )
    for row in raw["memberships"]:
        body, joined = row["body_id"], row["joined_year"]
        if joined.isdigit() and founded.get(body, "").isdigit() and int(joined) < int(founded[body]):
            problems.append(
                f"{_where(resources['memberships']['path'], row['__index'], 'joined_year')}: {joined} is "
                f"before {body} was founded ({founded[body]})"
            )
    for row in raw["idea_transfers"]:
        for column in ("from_id", "to_id"):
            body, year = row[column], row["year"]
            if year.isdigit() and founded.get(body, "").isdigit() and int(year) < int(founded[body]):
                problems.append(
                    f"{_where(resources['idea_transfers']['path'], row['__index'], 'year')}: {year} is "
                    f"before {body} was founded ({founded[body]})"
                )
    for row in raw["institutions"]:
        date, year = row["founded_date"], row["founded_year"]
        if date and year and not date.startswith(year):
            problems.append(
                f"{_where(resources['institutions']['path'], row['__index'], 'founded_date')}: "
                f"{date} does not fall in founded_year {year}"
            )


def _to_frame(rows: list[dict], schema: dict) -> pd.DataFrame:
    columns = [field["name"] for field in schema["fields"]]
    frame = pd.DataFrame([{c: row[c] for c in columns} for row in rows], columns=columns)
    for field in schema["fields"]:
        column, rules = field["name"], field.get("constraints", {})
        values = frame[column].replace("", pd.NA)
        if field["type"] == "integer":
            frame[column] = values.astype("Int64") if not rules.get("required") else values.astype("int64")
        elif field["type"] == "date":
            frame[column] = pd.to_datetime(values, format="%Y-%m-%d")
        elif "enum" in rules:
            frame[column] = pd.Categorical(values, categories=rules["enum"])
        else:
            frame[column] = values
    return frame


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
    """``python -m track2.data``: validate the data and print a one-line summary per table."""
    try:
        data = load_course_data()
    except DataError as error:
        print(error, file=sys.stderr)
        return 1
    for name, frame in vars(data).items():
        print(f"{name:15} {len(frame):4d} rows")
    print(f"OK: {data_dir()} is valid")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
