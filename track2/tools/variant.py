"""A grading variant of the course data: what a submission is graded on.

A data task is graded on a variant of the course data that the student never saw, made
from the instructor's secret seed: some founding years move, some bodies change between
Track 1.5 and Track 2, some initiators change (named and at state level), and some memberships, idea transfers and
disagreements are left out. Code that computes its answer from ``data`` gets the
variant's answer right; a number typed in from the real data (or found by trying values
against the visible checker) is wrong on the variant. Students keep their immediate
feedback on the real data in their own notebooks.

The variant is made again, the same from the same seed and data, in each grading process
(``grading_data_dir``); it is accepted only when every graded answer differs from the
real data's and none is empty, so a typed-in answer can never pass. The seed lives in the
course directory (``grading-seed``, readable by the instructor only; ``make nbgrader``
writes it once), which the grading sandbox hides from every kernel.

>>> import tempfile
>>> from track2.data import data_dir
>>> with tempfile.TemporaryDirectory() as out:
...     attempt = write_variant(data_dir(), Path(out), seed="example")
"""

from __future__ import annotations

import csv
import io
import random
import secrets
import shutil
import tempfile
import atexit
from pathlib import Path

import pandas as pd

from track2.analysis import GREAT_POWERS
from track2.checks import CHECKERS
from track2.data import CourseData, data_dir, load_course_data

SEED_FILE = "grading-seed"
#: How many variants to try before giving up (each is accepted with high probability).
ATTEMPTS = 200


class VariantError(RuntimeError):
    """No variant of the data changes every graded answer."""


def _read(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _moved_date(date: str, years: int) -> str:
    if not date:
        return date
    stamp = pd.Timestamp(date)
    day = min(stamp.day, 28) if stamp.month == 2 else stamp.day
    return f"{stamp.year + years:04d}-{stamp.month:02d}-{day:02d}"


def perturb(tables: dict[str, list[dict]], rng: random.Random) -> dict[str, list[dict]]:
    """One random variant of the tables' rows (CSV text, as read by :func:`_read`)."""
    institutions = []
    for row in tables["institutions"]:
        row = dict(row)
        if row["founded_year"] and rng.random() < 0.5:
            years = rng.choice([-3, -2, -1, 1, 2, 3])
            row["founded_year"] = str(int(row["founded_year"]) + years)
            row["founded_date"] = _moved_date(row["founded_date"], years)
        if row["track"] in ("1.5", "2") and rng.random() < 0.3:
            row["track"] = {"1.5": "2", "2": "1.5"}[row["track"]]
        for column in ("initiators", "initiator_states"):  # named, and at state level (chapter 4)
            initiators = [name for name in row[column].split(";") if name]
            if rng.random() < 0.3:
                great = [name for name in initiators if name in GREAT_POWERS]
                if great and len(great) < len(initiators):
                    initiators = [name for name in initiators if name not in GREAT_POWERS]
                elif not great and initiators:
                    initiators.append(rng.choice(GREAT_POWERS))
                row[column] = ";".join(initiators)
        institutions.append(row)
    memberships = [row for row in tables["memberships"] if row["role"] != "member" or rng.random() >= 0.15]
    transfers = [row for row in tables["idea_transfers"] if rng.random() >= 0.3]
    ids = sorted({row["disagreement_id"] for row in tables["disagreements"]})
    dropped = {i for i in ids if rng.random() < 0.25}
    disagreements = [row for row in tables["disagreements"] if row["disagreement_id"] not in dropped]
    return {**tables, "institutions": institutions, "memberships": memberships, "idea_transfers": transfers,
            "disagreements": disagreements}


def _filled(answer) -> bool:
    if isinstance(answer, (int, float)):
        return answer > 0
    return len(answer) > 0


def variant_problems(real: CourseData, variant: CourseData) -> list[str]:
    """Why ``variant`` cannot grade (empty when it can): every checker's real answer must be
    wrong on it, and its own answer non-empty and accepted."""
    problems = []
    for name, check in CHECKERS.items():
        right = check.expected(variant)
        if not _filled(right):
            problems.append(f"{name}: the variant's answer is empty")
        elif not check(right, data=variant).correct:
            problems.append(f"{name}: the checker rejects the variant's own answer")
        if check(check.expected(real), data=variant).correct:
            problems.append(f"{name}: the real data's answer is also right on the variant")
    return problems


def write_variant(source: Path, target: Path, seed: str) -> int:
    """Write into ``target`` the first variant of the data in ``source``, made from ``seed``,
    that changes every graded answer; return which attempt it was."""
    source, target = Path(source), Path(target)
    names = [path.stem for path in sorted(source.glob("*.csv"))]
    read = {name: _read(source / f"{name}.csv") for name in names}
    real = load_course_data(source)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "datapackage.json", target / "datapackage.json")
    for attempt in range(ATTEMPTS):
        rng = random.Random(f"{seed}:{attempt}")
        rows = perturb({name: rows for name, (_, rows) in read.items()}, rng)
        for name, (header, _) in read.items():
            _write(target / f"{name}.csv", header, rows[name])
        if not variant_problems(real, load_course_data(target)):
            return attempt
    raise VariantError(f"no variant of {source} out of {ATTEMPTS} changes every graded answer")


def grading_seed(course_dir: Path, create: bool = False) -> str:
    """The course's secret seed (``COURSE_DIR/grading-seed``), made once when ``create``."""
    path = Path(course_dir) / SEED_FILE
    if not path.is_file():
        if not create:
            raise VariantError(f"{path} is missing: run `make nbgrader` (it writes the grading seed once)")
        path.write_text(secrets.token_hex(16) + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


_made: dict[str, Path] = {}


def grading_data_dir(course_dir: str | Path | None = None) -> Path:
    """The folder of this grading process's variant (made on first use, removed at exit)."""
    key = str(Path(course_dir or Path.cwd()).resolve())
    if key not in _made:
        target = Path(tempfile.mkdtemp(prefix="track2-grading-data-"))
        atexit.register(shutil.rmtree, target, ignore_errors=True)
        write_variant(data_dir(), target, grading_seed(Path(key)))
        _made[key] = target
    return _made[key]


def grading_data(course_dir: str | Path | None = None) -> CourseData:
    """The grading variant, loaded."""
    return load_course_data(grading_data_dir(course_dir))
