"""The set-up cell at the top of every notebook, so it runs wherever it is opened.

On Binder, a JupyterHub or a clone, the course package is installed from
``requirements.txt`` and the cell does nothing. On Colab, or any Python without
the package, it installs the package (with the course data) from the course's
repository. The cell is hidden in the book (``remove-cell``). Its repository and
branch come from ``_config.yml``: after changing them, run ``make notebook-setup``
(``python -m track2.tools.setup_cell``).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[2]
MARKER = "# Course set-up (hidden in the book)"
TAGS = ["remove-cell"]


def setup_source(repository_url: str, branch: str) -> str:
    """The code of the set-up cell for a repository and branch."""
    return f'''{MARKER}: on Colab or any Python without the course package, install it.
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("track2") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "git+{repository_url.rstrip("/")}@{branch}"], check=True)'''


def with_setup_cell(notebook: nbformat.NotebookNode, repository_url: str, branch: str) -> bool:
    """Put the current set-up cell first in ``notebook``; return whether it changed."""
    cell = nbformat.v4.new_code_cell(setup_source(repository_url, branch), metadata={"tags": TAGS})
    cells = notebook.cells
    current = next((i for i, c in enumerate(cells) if c.cell_type == "code" and c.source.startswith(MARKER)), None)
    if current is not None:
        if cells[current].source == cell.source and cells[current].metadata.get("tags") == TAGS:
            return False
        del cells[current]
    # after the title cell, so the notebook still opens with its heading
    position = 1 if cells and cells[0].cell_type == "markdown" else 0
    cells.insert(position, cell)
    return True


def repository_settings(config_path: Path = ROOT / "_config.yml") -> tuple[str, str]:
    """``(url, branch)`` from the book's ``_config.yml``."""
    config = yaml.safe_load(Path(config_path).read_text(encoding="utf-8"))
    return config["repository"]["url"], config["repository"].get("branch", "main")


def main() -> int:
    """``python -m track2.tools.setup_cell``: refresh the set-up cell of every course notebook."""
    url, branch = repository_settings()
    for path in sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("exercises/*.ipynb")]):
        notebook = nbformat.read(path, as_version=4)
        if with_setup_cell(notebook, url, branch):
            nbformat.write(notebook, path)
            print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
