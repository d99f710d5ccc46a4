"""`make screenshots`: a PNG of every page of the built book at 1280 and 375 px wide,
in light and dark mode, so that a reviewer can look at the whole book in a minute.

Each page is loaded from a local server in headless Chromium (as the browser tests
do), its widgets drawn and MathJax typeset, then captured whole (full page). Files go
to ``_build/screenshots/<screen>-<mode>/<page>.png`` (``/`` in a page's name becomes
``--``), with ``index.html`` there linking them all. Screenshots are kept out of git.

    .venv/bin/python tests/screenshots.py [--html _build/html] [--out _build/screenshots]
                                          [--pages book/intro,notebooks/pair-explorer]
"""

from __future__ import annotations

import argparse
import html
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from browser import CHROMIUM, CHROMIUM_ARGS, MODES, SCREENS, LocalSite, in_colour_mode, open_page, watch  # noqa: E402
from conftest import ROOT, toc_documents  # noqa: E402


def file_name(document: str) -> str:
    return document.replace("/", "--") + ".png"


def take(html_dir: Path, out: Path, documents: list[str]) -> list[str]:
    """Write the screenshots; return the problems seen (JS errors, failed requests)."""
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    site = LocalSite(html_dir)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for screen, options in SCREENS.items():
                for mode in MODES:
                    folder = out / f"{screen}-{mode}"
                    folder.mkdir(parents=True, exist_ok=True)
                    context = browser.new_context(**options)
                    in_colour_mode(context, mode)
                    page = context.new_page()
                    log = watch(page, site.base)
                    for document in documents:
                        open_page(page, site.base + document + ".html")
                        page.screenshot(path=str(folder / file_name(document)), full_page=True)
                    problems += [f"{screen}, {mode}: {p}" for p in log.problems()]
                    context.close()
            browser.close()
    finally:
        site.close()
    return problems


def write_index(out: Path, documents: list[str]) -> Path:
    """A page showing every screenshot, one row per page of the book."""
    columns = [f"{screen}-{mode}" for screen in SCREENS for mode in MODES]
    rows = []
    for document in documents:
        cells = "".join(f'<td><a href="{c}/{file_name(document)}"><img loading="lazy" alt="{html.escape(document)}, '
                        f'{c}" src="{c}/{file_name(document)}"></a></td>' for c in columns)
        rows.append(f"<tr><th scope=row>{html.escape(document)}</th>{cells}</tr>")
    head = "".join(f"<th scope=col>{c}</th>" for c in columns)
    index = out / "index.html"
    index.write_text(
        "<!doctype html><html lang=en><meta charset=utf-8><title>Screenshots of the course</title>"
        "<style>img{width:240px;height:400px;object-fit:cover;object-position:top}"
        "td,th{vertical-align:top;padding:4px}</style>"
        f"<h1>Screenshots of the course</h1><table><tr><th></th>{head}</tr>{''.join(rows)}</table>",
        encoding="utf-8")
    return index


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "screenshots")
    parser.add_argument("--pages", help="comma-separated pages (default: every page in _toc.yml)")
    args = parser.parse_args()
    documents = args.pages.split(",") if args.pages else toc_documents()
    unknown = [d for d in documents if not (args.html / f"{d}.html").is_file()]
    if unknown:
        print(f"not built in {args.html}: {', '.join(unknown)} (run `make book` first)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    problems = take(args.html, args.out, documents)
    index = write_index(args.out, documents)
    count = len(documents) * len(SCREENS) * len(MODES)
    print(f"{count} screenshots of {len(documents)} pages in {time.perf_counter() - started:.0f} s; "
          f"open {index}")
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
