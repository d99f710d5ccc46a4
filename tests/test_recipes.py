"""CONTRIBUTING.md's recipes, applied as written to a scratch copy of the course.

Each recipe shows its example as fenced blocks, read here so that the text and the test
cannot drift apart:

- ```` ```LANG file=PATH ```` adds the block to PATH (creating it if needed);
- ```` ```diff file=PATH ```` replaces each ``-`` line of PATH by the ``+`` lines that follow it
  (a ``+`` line with no ``-`` line before it goes after the last line replaced, or at the end);
- ```` ```sh ```` is a command to run from the course's root, in order.

The scratch copy holds every file git tracks or would track (so a recipe is tested against
the working tree, edits included) and the course's .venv, linked. Its commands run with the
scratch copy first on PYTHONPATH, so they import its ``track2``, not the checkout's.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

CONTRIBUTING = ROOT / "CONTRIBUTING.md"
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,})(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)(?P=fence)$",
                   flags=re.S | re.M)


def recipe_text(number: int, text: str | None = None) -> str:
    """The section '## Recipe N: ...' of CONTRIBUTING.md."""
    text = CONTRIBUTING.read_text(encoding="utf-8") if text is None else text
    start = re.search(rf"^## Recipe {number}:", text, flags=re.M)
    assert start, f"CONTRIBUTING.md has no '## Recipe {number}: ...' section"
    fenced = [match.span() for match in FENCE.finditer(text)]  # an example's own headings are not the end
    ends = [heading.start() for heading in re.finditer(r"^## ", text[start.end():], flags=re.M)]
    ends = [start.end() + end for end in ends
            if not any(low <= start.end() + end < high for low, high in fenced)]
    return text[start.start():ends[0] if ends else len(text)]


def recipe_blocks(section: str) -> list[tuple[str, str | None, str]]:
    """Each fenced block of a recipe as ``(language, file or None, body)``, indentation removed."""
    blocks = []
    for match in FENCE.finditer(section):
        words = match.group("info").split()
        language = words[0] if words else ""
        target = next((word.removeprefix("file=") for word in words[1:] if word.startswith("file=")), None)
        indent = len(match.group("indent"))
        body = "".join(line[indent:] if line[:indent].isspace() else line
                       for line in match.group("body").splitlines(keepends=True))
        blocks.append((language, target, body))
    return blocks


def apply_diff(text: str, diff: str, path: str) -> str:
    """``text`` with each ``-`` line of ``diff`` replaced by the ``+`` lines after it."""
    lines = text.splitlines(keepends=True)
    position = len(lines)
    for line in diff.splitlines(keepends=True):
        if line.startswith("-"):
            old = line[1:].rstrip("\n")
            found = [i for i, have in enumerate(lines) if have.rstrip("\n") == old]
            assert len(found) == 1, (f"CONTRIBUTING.md's diff for {path}: the line to replace occurs {len(found)} "
                                     f"times there (want once): {old[:80]!r}")
            position = found[0]
            del lines[position]
        elif line.startswith("+"):
            lines.insert(position, line[1:] if line.endswith("\n") else line[1:] + "\n")
            position += 1
    return "".join(lines)


def scratch_copy(destination: Path) -> Path:
    """Every file git tracks or would track, copied; the .venv and node_modules linked."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet staged is left out
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    for linked in (".venv", "node_modules"):
        (destination / linked).symlink_to(ROOT / linked)
    return destination


def apply_files(number: int, scratch: Path) -> None:
    """Apply recipe ``number``'s file blocks to ``scratch``, in order."""
    for language, target, body in recipe_blocks(recipe_text(number)):
        if not target:
            continue
        path = scratch / target
        if language == "diff":
            path.write_text(apply_diff(path.read_text(encoding="utf-8"), body, target), encoding="utf-8")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            before = path.read_text(encoding="utf-8") if path.is_file() else ""
            path.write_text(before + ("\n" if before and not before.endswith("\n") else "") + body, encoding="utf-8")


def run_commands(number: int, scratch: Path) -> list[subprocess.CompletedProcess]:
    """Run recipe ``number``'s ```sh commands in ``scratch``, in order; fail on the first that fails."""
    environment = {**os.environ, "PYTHONPATH": str(scratch)}
    environment.pop("TRACK2_BUILD_HTML", None)
    runs = []
    for language, target, body in recipe_blocks(recipe_text(number)):
        if language != "sh" or target:
            continue
        for command in filter(None, (line.strip() for line in body.splitlines())):
            run = subprocess.run(shlex.split(command), cwd=scratch, env=environment,
                                 capture_output=True, text=True, timeout=900)
            assert run.returncode == 0, (
                f"CONTRIBUTING.md recipe {number}: `{command}` failed in the scratch copy {scratch}:\n"
                f"{run.stdout[-4000:]}\n{run.stderr[-4000:]}")
            runs.append(run)
    return runs


def passed(run: subprocess.CompletedProcess) -> bool:
    """A pytest run that passed tests and failed none."""
    return " passed" in run.stdout and " failed" not in run.stdout and " error" not in run.stdout


# --------------------------------------------------------------------------- #
# The reader of the recipes (fast: no copy, no command)

def test_a_recipes_blocks_are_read_with_their_files_and_commands():
    text = ("## Recipe 9: try\nWords.\n\n   ```sh\n   echo one\n   ```\n\n```csv file=data/x.csv\na,b\n```\n\n"
            "```diff file=data/y.csv\n-old\n+new\n```\n## Dependencies\n```sh\nnot this\n```\n")
    assert recipe_blocks(recipe_text(9, text)) == [("sh", None, "echo one\n"), ("csv", "data/x.csv", "a,b\n"),
                                                    ("diff", "data/y.csv", "-old\n+new\n")]


def test_a_diff_replaces_its_line_and_refuses_one_that_is_not_there_once():
    assert apply_diff("a\nb\nc\n", "-b\n+B\n+B2\n", "f") == "a\nB\nB2\nc\n"
    assert apply_diff("a\n", "+z\n", "f") == "a\nz\n"
    with pytest.raises(AssertionError, match="occurs 0 times"):
        apply_diff("a\n", "-b\n+c\n", "f")


# --------------------------------------------------------------------------- #
# Each recipe, followed on a scratch copy

@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_a_recipe_shows_its_example_and_the_commands_that_check_it(number):
    blocks = recipe_blocks(recipe_text(number))
    assert any(target for _, target, _ in blocks), (
        f"CONTRIBUTING.md recipe {number} shows no ```LANG file=PATH block: give its example as one, "
        "so tests/test_recipes.py can apply it")
    assert any(language == "sh" and not target for language, target, _ in blocks), (
        f"CONTRIBUTING.md recipe {number} shows no ```sh block with the commands that check it")


@pytest.mark.slow  # runs the data checks and three test files in a copy (about a minute on 2 cores)
def test_recipe_2_a_data_row_with_a_new_source_passes_the_data_checks(tmp_path):
    scratch = scratch_copy(tmp_path / "course")
    apply_files(2, scratch)
    runs = run_commands(2, scratch)
    assert "example2026" in (scratch / "data" / "pairs.csv").read_text(encoding="utf-8")
    assert "example2026" not in (ROOT / "data" / "pairs.csv").read_text(encoding="utf-8"), (
        "the recipe's made-up source reached the course's own data")
    assert runs and passed(runs[-1]), runs[-1].stdout[-2000:]


@pytest.mark.slow  # generates the exercise notebooks and runs six test files in a copy (several minutes)
def test_recipes_1_and_4_a_chapter_with_its_exercise_set_passes_their_checks(tmp_path):
    scratch = scratch_copy(tmp_path / "course")
    apply_files(1, scratch)
    apply_files(4, scratch)
    runs = run_commands(4, scratch) + run_commands(1, scratch)
    assert (scratch / "exercises" / "08-example.ipynb").is_file(), "make exercises made no student notebook"
    tests = [run for run in runs if "pytest" in run.args]
    assert len(tests) == 2 and all(passed(run) for run in tests), [run.stdout[-2000:] for run in tests]


@pytest.mark.slow  # runs four test files in a copy, builds one page and drives Chromium (about 2 minutes on 2 cores)
def test_recipe_3_a_new_kind_of_control_switches_its_views_offline_on_the_built_page(tmp_path, chromium):
    from browser import WIDGET_CHOICES, WIDGET_CONTROL, LocalSite, on_screen
    from test_accessibility import axe_violations
    from test_build import build_command, prepare_mini_book
    from track2.data import load_institutions

    scratch = scratch_copy(tmp_path / "course")
    apply_files(3, scratch)
    runs = run_commands(3, scratch)
    notebook = scratch / "notebooks" / "decade-explorer.ipynb"
    assert notebook.is_file() and not notebook.with_suffix(".md").exists()
    assert not (ROOT / "notebooks" / "decade-explorer.ipynb").exists(), "the recipe's example reached the course"
    tests = [run for run in runs if "pytest" in run.args]
    assert len(tests) == 1 and passed(tests[0]), tests[0].stdout[-2000:]

    # the page alone, built as the course builds it (its config, extension, package and the bundle
    # `make assets` made in the copy): no other page is executed
    book = tmp_path / "book"
    prepare_mini_book(book, course=scratch)
    (book / "notebooks").mkdir()
    shutil.copy(notebook, book / "notebooks")
    (book / "_toc.yml").write_text("format: jb-book\nroot: notebooks/decade-explorer\n", encoding="utf-8")
    build = subprocess.run(build_command(book), capture_output=True, text=True, timeout=600,
                           env={**os.environ, "PYTHONPATH": str(scratch), "PYTHONWARNINGS": "ignore"})
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]

    site = LocalSite(book / "_build" / "html")
    context, page, log = on_screen(chromium, site, "phone", "dark")
    try:
        page.goto(site.base + "notebooks/decade-explorer.html", wait_until="networkidle")
        page.wait_for_selector(WIDGET_CONTROL, timeout=15000)
        choices = page.evaluate(WIDGET_CHOICES + "(() => widgetChoices().map((g) => [g.kind, g.labels]))")
        # a button for each decade in which a body was founded (not the 1970s: none was)
        decades = [f"{decade}s" for decade in sorted({int(year) // 10 * 10 for year in load_institutions()["founded_year"]})]
        assert choices == [["toggle buttons", decades]], choices
        for decade in reversed(decades):  # the first is shown before any click
            page.get_by_role("button", name=decade, exact=True).click()
            page.get_by_text(f"Bodies founded in the {decade}", exact=True).wait_for(state="visible", timeout=5000)
            assert page.locator("caption:visible").all_inner_texts() == [f"Bodies founded in the {decade}"]
        assert axe_violations(page) == []  # the pressed button in dark mode, too
        assert log.problems() == []
    finally:
        context.close()
        site.close()
