"""The full check of the course data: the Table Schema by frictionless, the course's rules beside it.

:func:`validate_data` is the one validation path. ``python -m track2.data``, the
book build and the tests run it. It needs frictionless and pybtex, which are in
the build and development environment, not in the student runtime (see
:mod:`track2.data` for the figures behind that choice).

It works in stages, so that one mistake gives one message rather than a cascade:

1. ``frictionless`` checks every table against ``datapackage.json``: encoding,
   header, types, required fields, allowed values, patterns, ranges, unique and
   primary keys, foreign keys. A table whose file or header is wrong reports only
   that; a blank row reports only that it is blank; a foreign key into a table
   that has problems of its own is not reported (fix that table first).
2. Once every table matches its schema, the course's rules that Table Schema
   cannot express (:func:`course_rule_problems`): source keys exist in the
   bibliography, a pair joins a Track 1 body to a non-official one, nothing joins
   or adopts before a body was founded, ``disagreements.csv`` points at real rows
   and columns, and so on.

Listed under ``sphinx.extra_extensions`` in ``_config.yml``, this module also
stops the book build, before any page is read, when the data are not valid.
It is a build and development tool: frictionless and pybtex come with the
package's ``tools`` extra, not with the student runtime.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import frictionless
import pandas as pd
import pybtex.database
from frictionless import errors

from track2.data import (
    NON_OFFICIAL_TRACKS,
    CourseData,
    DataError,
    data_dir,
    enum_problem,
    header_problem,
    load_course_data,
    read_package,
    read_table,
    split_list,
    type_problem,
    where,
)

#: Errors about reading a file: frictionless also raises them for a table whose
#: foreign key points at the unreadable file, so they are located by reading the file.
_FILE_ERRORS = (errors.EncodingError, errors.SchemeError, errors.SourceError, errors.FormatError)
#: A row that is blank or has the wrong number of cells is reported for that alone.
_SHAPE_ERRORS = (errors.BlankRowError, errors.ExtraCellError, errors.MissingCellError)


def validate_data(directory: str | Path | None = None) -> CourseData:
    """Check every table in ``directory`` (default: :func:`track2.data.data_dir`) and return it loaded.

    Raises:
        DataError: listing every problem found, each with file, row and column.
    """
    folder = Path(directory).resolve() if directory is not None else data_dir()
    package = read_package(folder)
    problems = schema_problems(folder, package)
    if problems:
        raise DataError(problems)
    data = load_course_data(folder)
    problems = course_rule_problems(data, package, bibliography_years(folder / package["bibliography"]))
    if problems:
        raise DataError(problems)
    return data


def bibliography_keys(path: Path) -> set[str]:
    """The citation keys of a BibTeX file, read with pybtex."""
    return set(bibliography_years(path))


def bibliography_years(path: Path) -> dict[str, int | None]:
    """Each citation key of a BibTeX file with the year of its entry (``None`` when it
    has no four-digit ``year``), read with pybtex."""
    if not path.is_file():
        raise DataError([f"{path}: the bibliography that data sources point to is missing"])
    try:
        entries = pybtex.database.parse_file(str(path), bib_format="bibtex").entries
    except pybtex.database.PybtexError as error:
        raise DataError([f"{path}: cannot be read as BibTeX ({error})"]) from None
    years = {key: re.fullmatch(r"\d{4}", entry.fields.get("year", "").strip()) for key, entry in entries.items()}
    return {key: int(match.group()) if match else None for key, match in years.items()}


# --------------------------------------------------------------------------- #
# Stage 1: the Table Schema, by frictionless


def schema_problems(folder: Path, package: dict) -> list[str]:
    """frictionless's report on ``folder``'s data package, as located problems."""
    try:
        report = frictionless.Package(str(folder / "datapackage.json")).validate()
    except frictionless.FrictionlessException as error:
        return [f"{folder / 'datapackage.json'}: {error.error.message}"]
    resources = {resource["name"]: resource for resource in package["resources"]}
    found = {task.name: _table_problems(task.errors, resources[task.name], folder) for task in report.tasks}
    broken = {name for name, problems in found.items() if problems}
    for task in report.tasks:
        for error in task.errors:
            if isinstance(error, errors.ForeignKeyError) and error.reference_name not in broken:
                found[task.name].append(_foreign_key_problem(error, resources[task.name], resources, folder))
    package_level = [f"{folder / 'datapackage.json'}: {error.message}" for error in report.errors]
    return package_level + [problem for name in resources for problem in found.get(name, [])]


def _table_problems(table_errors: list, resource: dict, folder: Path) -> list[str]:
    """One table's problems, foreign keys aside: those of its file or header alone if it
    has any, else one per cell (one per row for a row of the wrong shape)."""
    file_name, fields = resource["path"], resource["schema"]["fields"]
    if any(isinstance(error, _FILE_ERRORS) for error in table_errors):
        problems: list[str] = []
        read_table(folder / file_name, resource["schema"], problems)
        return problems  # empty if the unreadable file is another table's, reported there
    others = [e for e in table_errors if not isinstance(e, (errors.RowError, errors.HeaderError))]
    if others:
        return [f"{file_name}: {error.message}" for error in others]
    labels = next((e.labels for e in table_errors if isinstance(e, errors.HeaderError)), None)
    if labels is not None:
        return [header_problem(file_name, labels, [field["name"] for field in fields])]
    misshapen_rows = {e.row_number for e in table_errors if isinstance(e, _SHAPE_ERRORS)}
    problems = []
    for error in table_errors:
        if isinstance(error, errors.ForeignKeyError) or (
            error.row_number in misshapen_rows and not isinstance(error, _SHAPE_ERRORS)
        ):
            continue
        problem = _row_problem(error, resource)
        if problem not in problems:  # frictionless reports each extra or missing cell of a row
            problems.append(problem)
    return problems


def _row_problem(error: errors.RowError, resource: dict) -> str:
    file_name, row = resource["path"], error.row_number - 1  # frictionless counts the header as row 1
    fields = {field["name"]: field for field in resource["schema"]["fields"]}
    if isinstance(error, errors.BlankRowError):
        return f"{where(file_name, row)}: is blank; delete the empty row"
    if isinstance(error, (errors.ExtraCellError, errors.MissingCellError)):
        return (
            f"{where(file_name, row)}: has {len(error.cells)} cells, the header has {len(fields)} "
            "(a comma inside a value must be quoted)"
        )
    if isinstance(error, errors.TypeError):
        return type_problem(file_name, row, fields[error.field_name], error.cell)
    if isinstance(error, errors.ConstraintError):
        return _constraint_problem(error, fields[error.field_name], file_name, row)
    if isinstance(error, (errors.UniqueError, errors.PrimaryKeyError)):
        columns = [error.field_name] if isinstance(error, errors.UniqueError) else resource["schema"]["primaryKey"]
        names = list(fields)
        values = " / ".join(error.cells[names.index(column)] for column in columns)
        first = int(re.search(r"position (\d+)", error.note).group(1)) - 1
        return f'{where(file_name, row)}, {_columns(columns)}: duplicate {values!r} (first in row {first})'
    return f"{where(file_name, row)}: {error.message}"


def _constraint_problem(error: errors.ConstraintError, field: dict, file_name: str, row: int) -> str:
    """The message for the constraint frictionless names in the error's note."""
    constraint = re.search(r'constraint "(\w+)"', error.note).group(1)
    rules, place = field["constraints"], where(file_name, row, field["name"])
    if constraint == "required":
        return f"{place}: is empty, a value is required"
    if constraint == "enum":
        return enum_problem(file_name, row, field, error.cell)
    if constraint in ("minimum", "maximum"):
        return f"{place}: {error.cell} is outside the plausible range {rules.get('minimum')}-{rules.get('maximum')}"
    if constraint == "pattern":
        return f"{place}: {error.cell!r} does not have the expected form {rules['pattern']}"
    return f"{place}: {error.cell!r} breaks the constraint {constraint} = {rules[constraint]!r}"


def _foreign_key_problem(error: errors.ForeignKeyError, resource: dict, resources: dict, folder: Path) -> str:
    """An unknown key, with the nearest known keys as a hint for a typo."""
    target = resources[error.reference_name]
    value = " / ".join(error.field_cells)
    problem = (
        f"{where(resource['path'], error.row_number - 1)}, {_columns(error.field_names)}: {value!r} is not a "
        f"known {'/'.join(error.reference_field_names)} in {target['path']}"
    )
    names = [field["name"] for field in target["schema"]["fields"]]
    positions = [names.index(name) for name in error.reference_field_names]
    rows = read_table(folder / target["path"], target["schema"], [])
    close = difflib.get_close_matches(value, {" / ".join(cells[p] for p in positions) for cells in rows}, n=3)
    return problem + (f" (did you mean {' or '.join(map(repr, close))}?)" if close else "")


def _columns(names: list[str]) -> str:
    """``column "id"`` or ``columns "body_id", "member_id"``."""
    quoted = ", ".join(f'"{name}"' for name in names)
    return f"column {quoted}" if len(names) == 1 else f"columns {quoted}"


# --------------------------------------------------------------------------- #
# Stage 2: the course's rules


def course_rule_problems(data: CourseData, package: dict, bib_years: dict[str, int | None]) -> list[str]:
    """Facts beyond the schema, each problem located. ``data`` must match its schema;
    ``bib_years`` maps each bibliography key to its entry's year (:func:`bibliography_years`)."""
    files = {resource["name"]: resource["path"] for resource in package["resources"]}
    columns = {r["name"]: [field["name"] for field in r["schema"]["fields"]] for r in package["resources"]}
    found = [
        *_unknown_sources(data, bib_years),
        *_active_without_recent_source(data, bib_years),
        *_proposed_after_uptake(data),
        *_wrong_tracks(data),
        *_pair_ids(data),
        *_dated_before_founding(data),
        *_founded_dates(data),
        *_initiator_states(data),
        *_disagreement_problems(data, columns),
    ]
    return [f"{where(files[table], row, column)}: {message}" for table, row, column, message in found]


# Each rule yields (table, data row counted from 1, column, what is wrong).


def _unknown_sources(data: CourseData, bib_keys):
    """Every source key of every row is in the bibliography."""
    for table, frame in vars(data).items():
        for column in {"sources", "source"} & set(frame.columns):
            for row, cell in enumerate(frame[column], start=1):
                unknown = [key for key in split_list(cell) if key not in bib_keys]
                if unknown:
                    yield table, row, column, f"source key(s) {', '.join(unknown)} not found in the bibliography"


#: A body coded ``active`` needs a source from after this year (otherwise: ``unknown``).
ACTIVE_EVIDENCE_AFTER = 2015


def _active_without_recent_source(data: CourseData, bib_years: dict[str, int | None]):
    """A body coded active cites at least one source dated after :data:`ACTIVE_EVIDENCE_AFTER`."""
    for row, body in enumerate(data.institutions.itertuples(), start=1):
        years = [bib_years.get(key) for key in split_list(body.sources)]
        if body.status == "active" and not any(year and year > ACTIVE_EVIDENCE_AFTER for year in years):
            yield "institutions", row, "status", (
                f"{body.Index} is coded active but none of its sources is dated after {ACTIVE_EVIDENCE_AFTER}; "
                "cite a recent source or code it 'unknown'"
            )


def _proposed_after_uptake(data: CourseData):
    """An idea is proposed no later than the year it is taken up."""
    transfers = data.idea_transfers
    for row, (proposed, year) in enumerate(zip(transfers["proposed_year"], transfers["year"], strict=True), start=1):
        if pd.notna(proposed) and proposed > year:
            yield "idea_transfers", row, "proposed_year", f"{proposed} is after the uptake year {year}"


def _wrong_tracks(data: CourseData):
    """A pair joins a Track 1 body to a non-official one; ideas go from non-official to Track 1."""
    track = data.institutions["track"].astype(str)
    sides = [
        ("pairs", "track1_id", ("1",), "a Track 1 body"),
        ("pairs", "track2_id", NON_OFFICIAL_TRACKS, "a Track 1.5 or Track 2 body"),
        ("idea_transfers", "from_id", NON_OFFICIAL_TRACKS, "a Track 1.5 or Track 2 body"),
        ("idea_transfers", "to_id", ("1",), "a Track 1 body"),
    ]
    for table, column, allowed, wanted in sides:
        for row, body in enumerate(getattr(data, table)[column], start=1):
            if track[body] not in allowed:
                yield table, row, column, f"{body} is Track {track[body]} in institutions.csv, expected {wanted}"


def _pair_ids(data: CourseData):
    """A pair's id is its Track 1 id, a hyphen and its Track 2 id."""
    for row, pair in enumerate(data.pairs.itertuples(index=False), start=1):
        expected = f"{pair.track1_id}-{pair.track2_id}"
        if pair.pair_id != expected:
            yield "pairs", row, "pair_id", (
                f"expected {expected!r} (Track 1 id, hyphen, Track 2 id), got {pair.pair_id!r}"
            )


def _dated_before_founding(data: CourseData):
    """No member joins, and no idea passes between bodies, before a body was founded."""
    founded = data.institutions["founded_year"]
    dated = [("memberships", "body_id", "joined_year"), ("idea_transfers", "from_id", "year"),
             ("idea_transfers", "to_id", "year")]
    for table, body_column, year_column in dated:
        frame = getattr(data, table)
        for row, (body, year) in enumerate(zip(frame[body_column], frame[year_column], strict=True), start=1):
            if pd.notna(year) and year < founded[body]:
                yield table, row, year_column, f"{year} is before {body} was founded ({founded[body]})"


def _founded_dates(data: CourseData):
    """A founding date falls in the founding year."""
    for row, body in enumerate(data.institutions.itertuples(index=False), start=1):
        if pd.notna(body.founded_date) and not body.founded_date.startswith(str(body.founded_year)):
            yield "institutions", row, "founded_date", (
                f"{body.founded_date} does not fall in founded_year {body.founded_year}"
            )


def _initiator_states(data: CourseData):
    """Each state-level initiator is a state in members.csv (by its name there) or ASEAN."""
    states = set(data.members.loc[data.members["kind"] == "state", "name"])
    for row, cell in enumerate(data.institutions["initiator_states"], start=1):
        unknown = [name for name in split_list(cell) if name not in states and name != "ASEAN"]
        if unknown:
            yield "institutions", row, "initiator_states", (
                f"{', '.join(map(repr, unknown))}: expected the name of a state in members.csv "
                "(as members.csv spells it) or ASEAN")


def _disagreement_problems(data: CourseData, columns: dict[str, list[str]]):
    """Each claim names a real row (a membership as ``body_id:member_id`` of known ids; the
    membership itself may be one the data leave out) and a real column, and each
    disagreement has at least two sides."""
    row_ids = {
        "institutions": set(data.institutions.index),
        "pairs": set(data.pairs.index),
        "idea_transfers": set(data.idea_transfers.index),
        "memberships": {f"{body}:{member}" for body in data.institutions.index for member in data.members.index},
    }
    claims = data.disagreements
    for row, claim in enumerate(claims.itertuples(index=False), start=1):
        table = str(claim.table)
        for column, value, known in [("row_id", claim.row_id, row_ids[table]),
                                     ("column", claim.column, columns[table])]:
            if value not in known:
                close = difflib.get_close_matches(value, known, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                yield "disagreements", row, column, f"{value!r} is not a {column} of {table}{hint}"
    sides = claims.groupby("disagreement_id")["source"].transform("size")
    for row, (disagreement, size) in enumerate(zip(claims["disagreement_id"], sides, strict=True), start=1):
        if size < 2:
            yield "disagreements", row, "disagreement_id", (
                f"{disagreement} has only one side (a disagreement needs one row per source, at least two)"
            )


# --------------------------------------------------------------------------- #
# The book build


def setup(app):
    """Sphinx extension: check the data before any page is read. On bad data Sphinx
    reports the :class:`DataError` with its list of problems and stops the build."""
    app.connect("builder-inited", lambda app: validate_data())
    return {"parallel_read_safe": True, "parallel_write_safe": True}
