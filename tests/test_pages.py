"""Book pages call named functions from ``track2``; they do not compute.

Every MyST page in ``book/`` and every notebook in ``notebooks/`` is read the way
the build reads it (MyST-NB's reader), and each code cell is checked for pandas
filtering, counting, grouping or table-building: that belongs in
``track2.analysis``, as a named, documented, tested function. A page may load the
data, call functions, glue their results and format them for display.

Every cell that shows something on a page (a table) is tagged ``hide-input``, so
readers can open "show code" and see which function made it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from conftest import toc_documents
from track2.tools import setup_cell
from myst_nb.core.read import read_myst_markdown_notebook

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "book").rglob("*.md"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

#: Methods that filter, count, group, aggregate or build tables.
COMPUTING_METHODS = {
    "agg", "aggregate", "apply", "assign", "between", "contains", "count", "crosstab", "drop_duplicates",
    "duplicated", "endswith", "filter", "groupby", "insert", "isin", "map", "mask", "merge", "nunique",
    "pivot_table", "query", "startswith", "sum", "value_counts", "where",
}
#: Functions that build tables or count.
COMPUTING_FUNCTIONS = {"DataFrame", "Series", "concat", "crosstab", "merge", "pivot_table", "sum", "filter"}
#: Calls whose result is not shown, even as a cell's last line.
SILENT_CALLS = {"glue"}


def code_cells(path: Path) -> list[tuple[str, list[str]]]:
    """``(source, tags)`` of each code cell of a MyST page or a notebook."""
    if path.suffix == ".ipynb":
        notebook = nbformat.read(path, as_version=4)
    else:
        notebook = read_myst_markdown_notebook(path.read_text(encoding="utf-8"))
    return [(cell.source, list(cell.metadata.get("tags", [])))
            for cell in notebook.cells if cell.cell_type == "code"]


def _called_name(call: ast.Call) -> str | None:
    function = call.func
    if isinstance(function, ast.Attribute):
        return function.attr
    if isinstance(function, ast.Name):
        return function.id
    return None


def computations(source: str) -> list[str]:
    """What in one code cell filters, counts, groups or builds a table, one line each."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return [f"line {error.lineno}: not valid Python ({error.msg})"]
    found = []
    for node in ast.walk(tree):
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Call):
            name = _called_name(node)
            if isinstance(node.func, ast.Attribute) and name in COMPUTING_METHODS | COMPUTING_FUNCTIONS:
                found.append(f"{where}: {ast.unparse(node.func)}(...)")
            elif isinstance(node.func, ast.Name) and name in COMPUTING_FUNCTIONS:
                found.append(f"{where}: {name}(...)")
        elif isinstance(node, ast.Lambda):
            found.append(f"{where}: lambda")
        elif isinstance(node, ast.comprehension) and node.ifs:
            found.append(f"{where}: a comprehension that filters (if ...)")
        elif isinstance(node, ast.Subscript) and _is_condition(node.slice):
            found.append(f"{where}: selection by a condition [{ast.unparse(node.slice)}]")
        elif isinstance(node, ast.Compare) and any(
                isinstance(side, ast.Subscript) for side in [node.left, *node.comparators]):
            found.append(f"{where}: an element-wise comparison ({ast.unparse(node)})")
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
            found.append(f"{where}: a negated mask (~)")
    return found


def _is_condition(node: ast.AST) -> bool:
    """Is a subscript's index a condition (a mask) rather than labels?"""
    if isinstance(node, ast.Tuple):
        return any(_is_condition(item) for item in node.elts)
    return any(isinstance(part, (ast.Compare, ast.BoolOp, ast.Lambda))
               or (isinstance(part, ast.UnaryOp) and isinstance(part.op, (ast.Invert, ast.Not)))
               or (isinstance(part, ast.BinOp) and isinstance(part.op, (ast.BitAnd, ast.BitOr))
                   and any(isinstance(side, ast.Compare) for side in (part.left, part.right)))
               for part in ast.walk(node))


def shows_output(source: str, tags: list[str]) -> bool:
    """Does the cell put something on the page: a last expression (not a silent call
    such as ``glue``) or a ``display(...)`` call, in a cell whose output is kept?"""
    if {"remove-cell", "remove-output"} & set(tags):
        return False
    tree = ast.parse(source)
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    if any(_called_name(call) == "display" for call in calls):
        return True
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return False
    last = tree.body[-1].value
    return not (isinstance(last, ast.Call) and _called_name(last) in SILENT_CALLS)


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --------------------------------------------------------------------------- #
# The real pages


def test_pages_are_found_and_read():
    chapters = [page for page in PAGES if page.parent.name == "chapters"]
    listed = [d for d in toc_documents() if d.startswith("book/chapters/")]
    assert len(chapters) == len(listed) and NOTEBOOKS, (
        f"book/chapters/ holds {len(chapters)} pages, _toc.yml lists {len(listed)}: list each chapter in _toc.yml "
        "(or delete the page)")
    assert all(code_cells(page) for page in chapters), "a chapter page has no code cell: is the reader broken?"


@pytest.mark.parametrize("path", PAGES + NOTEBOOKS, ids=_name)
def test_pages_do_not_compute(path):
    # The hidden launch set-up cell (track2.tools.setup_cell) installs packages; it is
    # tooling generated from one tested source, not analysis on the page.
    problems = [f"cell {number}, {problem}"
                for number, (source, _) in enumerate(code_cells(path), start=1)
                if not source.startswith(setup_cell.MARKER)
                for problem in computations(source)]
    assert not problems, (
        f"{_name(path)} computes in its code cells; move it into a named, tested function in "
        "track2/analysis.py and call that instead:\n  " + "\n  ".join(problems))


@pytest.mark.parametrize("path", PAGES, ids=_name)
def test_shown_tables_come_with_their_code(path):
    hidden = [f"cell {number}: {source.strip().splitlines()[-1]!r} (tags {tags})"
              for number, (source, tags) in enumerate(code_cells(path), start=1)
              if shows_output(source, tags) and "hide-input" not in tags]
    assert not hidden, (
        f"{_name(path)} shows output from cells whose code readers cannot open; tag them "
        "hide-input (not remove-input):\n  " + "\n  ".join(hidden))


# --------------------------------------------------------------------------- #
# The checks themselves catch what they are for

COMPUTING_SAMPLES = [
    'inst[inst["track"].isin(["1.5", "2"])]',
    'inst[inst["status"] == "active"]',
    'inst.loc[inst["founded_year"] < 1980, "name"]',
    'inst.loc[(inst["track"] == "1") & (inst["realm"] == "security")]',
    'dis.loc[~dis["row_id"].str.startswith("CSCAP:")]',
    'int((summary["gap (years)"] > 0).sum())',
    'memberships.groupby("body_id")["as_of"].max()',
    'inst["track"].value_counts()',
    'dis["disagreement_id"].nunique()',
    'pd.crosstab(inst["track"], inst["realm"])',
    'memberships.merge(inst, left_on="body_id", right_on="id")',
    'inst.query("status == \'active\'")',
    'inst.loc[lambda t: t["realm"] == "security"]',
    'inits.map(lambda s: bool(s & {"ASEAN"}))',
    '[b for b in inst.index if b in counts.index]',
    'pd.DataFrame({"body": active["id"], "members": sizes})',
    'sum(1 for year in years)',
    'table["founded"].between(1980, 1989)',
]

PAGE_SAMPLES = [
    'glue("n_bodies", len(inst))',
    'glue("n_track1", int(bodies_per_track(inst)["1"]))',
    'founded_per_decade(inst).rename(index="{}s".format).rename_axis("Decade founded")',
    'glue("arf_cscap_jaccard", round(overlap["jaccard"], 2))',
    'for body in ["ARF", "CSCAP"]:\n    glue(f"{body.lower()}_founded", int(inst.loc[body, "founded_year"]))',
    'assert set(other_label) == set(contested), "update other_label"',
    'asean_side = {"ASEAN", "ADMM"} | members_of(memberships, "ASEAN")',
    'pd.set_option("display.max_colwidth", None)',
    'institutions[["name", "track", "realm", "founded_year"]]',
]


@pytest.mark.parametrize("source", COMPUTING_SAMPLES)
def test_computing_is_found(source):
    assert computations(source)


@pytest.mark.parametrize("source", PAGE_SAMPLES)
def test_calls_glue_and_formatting_pass(source):
    assert computations(source) == []


BAD_PAGE = '''---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---

# A page that computes

```{code-cell} ipython3
:tags: [remove-cell]

from track2.book import glue
from track2.data import load_course_data

inst = load_course_data().institutions
glue("n_active", int((inst["status"] == "active").sum()))
```

```{code-cell} ipython3
:tags: [remove-input]

inst.groupby("realm").size()
```
'''


def test_a_page_that_computes_and_hides_its_table_code_fails(tmp_path):
    page = tmp_path / "bad.md"
    page.write_text(BAD_PAGE, encoding="utf-8")
    cells = code_cells(page)
    assert [computations(source) != [] for source, _ in cells] == [True, True]
    assert [shows_output(source, tags) for source, tags in cells] == [False, True]
    assert "hide-input" not in cells[1][1]


def test_what_counts_as_shown():
    assert shows_output("bodies_by_track_and_realm(inst)", ["hide-input"])
    assert shows_output("table = member_counts(m)\ndisplay(table)", [])
    assert not shows_output('glue("n", 1)', [])
    assert not shows_output("table = member_counts(m)", [])
    assert not shows_output("member_counts(m)", ["remove-cell"])
