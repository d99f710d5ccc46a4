"""`make bench`: measure the course against the targets of issue 8 and print them.

Measures, on a copy of the repository in a temporary folder (nothing in the
working tree or its _build is touched):

* cold build of the whole book from an empty _build, every notebook executed;
  rebuild after touching one chapter; rebuild with nothing changed. All with the
  Makefile's strict BUILD command (read from the Makefile);
* the nbval run over every notebook (notebooks/, exercises/), total and per notebook;
* peak memory (RSS) of each notebook's kernel, run with nbclient, sampled with psutil;
* for every page of the book: bytes loaded (the HTML and every asset it requests),
  raw and gzip-compressed (level 6, as a static host serves them), and the time
  from navigation start until the first widget control is attached and enabled,
  in headless Chromium from a local server;
* install size and time of the launch environment (a fresh venv with only
  requirements.txt, as Binder installs it).

Prints each figure beside its target and writes everything to bench/results.json.
Run with the project's venv: `.venv/bin/python bench/bench.py` (what `make bench` does).
Options: --skip-launch-env (no fresh venv), --only build,notebooks,pages,launch.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
sys.path.insert(0, str(ROOT / "tests"))

MB = 1024 * 1024
KB = 1024
TARGETS = {
    "cold_build_s": 90, "chapter_rebuild_s": 10, "notebook_s": 10, "notebook_rss_mb": 300,
    "page_gzip_widgets_bytes": 1.5 * MB, "page_gzip_plain_bytes": 600 * KB,
    "widgets_interactive_s": 1.0, "launch_env_mb": 400,
}
TOUCHED_CHAPTER = "book/chapters/01-tracks.md"

results: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                             "platform": platform.platform()}, "targets": TARGETS}
verdicts: list[tuple[str, str, str, bool]] = []


def report(name: str, value: str, target: str, met: bool) -> None:
    verdicts.append((name, value, target, met))
    print(f"  {name:<52} {value:>14}   target {target:<12} {'met' if met else 'MISSED'}", flush=True)


def build_command(folder: Path, extra: tuple[str, ...] = ()) -> list[str]:
    """The Makefile's BUILD line (as tests/test_build.py reads it), pointed at ``folder``."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    (line,) = re.findall(r"^BUILD\s*:=\s*(.+)$", makefile, flags=re.M)
    words = shlex.split(line.replace("$(VENV)", str(ROOT / ".venv")))
    assert words[1:3] == ["build", "."], f"unexpected BUILD line in Makefile: {line}"
    return [words[0], "build", str(folder), *words[3:], *extra]


def copy_repository(dest: Path) -> Path:
    """The sources, without the venv, node_modules (linked instead) or any build."""
    ignore = shutil.ignore_patterns(".venv", "node_modules", "_build", ".git", "__pycache__",
                                    "*.egg-info", ".ipynb_checkpoints", ".pytest_cache", "results.json")
    shutil.copytree(ROOT, dest, ignore=ignore, symlinks=True)
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    return dest


def timed(command: list[str], **kwargs) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {shlex.join(command)}\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return elapsed


# --------------------------------------------------------------------------- #
def bench_build(src: Path) -> Path:
    print("\nBuild (the Makefile's strict BUILD command, on a copy of the repository)", flush=True)
    cold = timed(build_command(src))
    report("cold build, empty _build, notebooks executed", f"{cold:.1f} s", f"< {TARGETS['cold_build_s']} s",
           cold < TARGETS["cold_build_s"])
    os.utime(src / TOUCHED_CHAPTER)
    chapter = timed(build_command(src))
    report(f"rebuild after touching {Path(TOUCHED_CHAPTER).name}", f"{chapter:.1f} s",
           f"< {TARGETS['chapter_rebuild_s']} s", chapter < TARGETS["chapter_rebuild_s"])
    unchanged = timed(build_command(src))
    report("rebuild with nothing changed", f"{unchanged:.1f} s", "(none)", True)
    # For comparison: Sphinx's incremental build (without --all), which re-reads only
    # the touched page. The Makefile does not use it (see TOOLCHAIN-NOTES: it can
    # hide warnings), so it is informative only.
    os.utime(src / TOUCHED_CHAPTER)
    incremental = timed([w for w in build_command(src) if w != "--all"])
    print(f"  (informative) incremental rebuild without --all after touching one chapter: {incremental:.1f} s")
    results["build"] = {"cold_s": cold, "chapter_rebuild_s": chapter, "unchanged_rebuild_s": unchanged,
                        "incremental_chapter_rebuild_without_all_s": incremental,
                        "command": shlex.join(build_command(Path("<copy>")))}
    return src / "_build" / "html"


# --------------------------------------------------------------------------- #
def notebooks() -> list[Path]:
    return sorted(p for folder in ("notebooks", "exercises") for p in (ROOT / folder).glob("*.ipynb"))


def bench_nbval() -> None:
    import xml.etree.ElementTree as ET

    print("\nNotebook tests (pytest --nbval-lax, one process, every notebook)", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "nbval.xml"
        paths = [str(p.relative_to(ROOT)) for p in notebooks()]
        total = timed([str(ROOT / ".venv" / "bin" / "python"), "-m", "pytest", "-q",
                       "--nbval-lax", f"--junitxml={junit}", "-o", "junit_family=xunit1", *paths], cwd=ROOT)
        per: dict[str, float] = {}
        for case in ET.parse(junit).iter("testcase"):
            name = case.get("file") or case.get("classname", "")
            per[name] = per.get(name, 0.0) + float(case.get("time", 0))
    report(f"nbval, all {len(per)} notebooks (wall)", f"{total:.1f} s", "(none)", True)
    slowest = max(per, key=per.get)
    for name, seconds in sorted(per.items(), key=lambda kv: -kv[1]):
        print(f"    {name:<44} {seconds:6.2f} s")
    report(f"nbval, slowest notebook ({slowest})", f"{per[slowest]:.2f} s",
           f"< {TARGETS['notebook_s']} s", per[slowest] < TARGETS["notebook_s"])
    results["nbval"] = {"total_s": total, "per_notebook_s": per, "slowest": slowest}


def kernel_peak_rss(path: Path) -> tuple[float, float]:
    """Run ``path`` with nbclient; return (seconds, peak RSS in bytes of its kernel)."""
    import nbformat
    import psutil
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    me = psutil.Process()
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            rss = 0
            for child in me.children(recursive=True):
                try:
                    rss += child.memory_info().rss
                except psutil.Error:
                    pass
            peak = max(peak, rss)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute(stderr=subprocess.DEVNULL)
    finally:
        elapsed = time.perf_counter() - start
        done.set()
        sampler.join()
    return elapsed, peak


def bench_kernel_memory() -> None:
    print("\nKernel memory (each notebook run with nbclient; peak RSS of its kernel process)", flush=True)
    memory = {}
    for path in notebooks():
        seconds, peak = kernel_peak_rss(path)
        name = str(path.relative_to(ROOT))
        memory[name] = {"seconds": seconds, "peak_rss_bytes": peak}
        print(f"    {name:<44} {peak / MB:6.0f} MB  {seconds:5.2f} s")
    slowest_nb = results.get("nbval", {}).get("slowest") or max(memory, key=lambda n: memory[n]["seconds"])
    worst = max(memory, key=lambda n: memory[n]["peak_rss_bytes"])
    if slowest_nb in memory:
        peak = memory[slowest_nb]["peak_rss_bytes"]
        report(f"kernel RSS, slowest notebook ({slowest_nb})", f"{peak / MB:.0f} MB",
               f"< {TARGETS['notebook_rss_mb']} MB", peak < TARGETS["notebook_rss_mb"] * MB)
    peak = memory[worst]["peak_rss_bytes"]
    report(f"kernel RSS, largest ({worst})", f"{peak / MB:.0f} MB",
           f"< {TARGETS['notebook_rss_mb']} MB", peak < TARGETS["notebook_rss_mb"] * MB)
    results["kernel_memory"] = memory


# --------------------------------------------------------------------------- #
# Recorded from the first script run on the page: when the first widget control
# (a <select>, else any input) is in the document and enabled.
READY_PROBE = """
(() => {
  const check = () => {
    const el = document.querySelector(".jupyter-widgets select, .jupyter-widgets input");
    if (el && !el.disabled && el.isConnected) { window.__widgetsReady = performance.now(); return true; }
    return false;
  };
  new MutationObserver((_, observer) => { if (check()) observer.disconnect(); })
    .observe(document, {childList: true, subtree: true, attributes: true, attributeFilter: ["disabled"]});
})();
"""


def bench_pages(html: Path, repeats: int = 3) -> None:
    from browser import CHROMIUM, CHROMIUM_ARGS, LocalSite
    from conftest import toc_documents
    from playwright.sync_api import sync_playwright

    print("\nPages (headless Chromium, local server, empty cache): bytes loaded and widget start-up", flush=True)
    site = LocalSite(html)
    pages = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for document in toc_documents():
                has_widgets = "application/vnd.jupyter.widget-view+json" in (html / f"{document}.html").read_text(
                    encoding="utf-8")
                loads, ready = [], []
                for attempt in range(repeats):
                    context = browser.new_context()
                    page = context.new_page()
                    page.add_init_script(READY_PROBE)
                    responses = []
                    page.on("response", lambda response: responses.append(response))
                    page.goto(site.base + document + ".html", wait_until="load")
                    if has_widgets:
                        page.wait_for_function("window.__widgetsReady !== undefined", timeout=30000)
                        ready.append(page.evaluate("window.__widgetsReady") / 1000)
                    page.wait_for_load_state("networkidle")
                    if attempt == 0:
                        for response in responses:
                            if not response.url.startswith(site.base):
                                continue
                            try:
                                body = response.body()
                            except Exception:  # redirects and aborted requests have no body
                                continue
                            loads.append((response.url[len(site.base):], len(body),
                                          len(gzip.compress(body, compresslevel=6))))
                    context.close()
                raw = sum(size for _, size, _ in loads)
                packed = sum(size for _, _, size in loads)
                biggest = sorted(loads, key=lambda item: -item[2])[:5]
                pages[document] = {"widgets": has_widgets, "requests": len(loads), "raw_bytes": raw,
                                   "gzip_bytes": packed, "largest_gzip": biggest,
                                   "widgets_interactive_s": statistics.median(ready) if ready else None}
                print(f"    {document:<34} {len(loads):3d} files {raw / KB:8.0f} KB raw {packed / KB:7.0f} KB gzip"
                      + (f"  widgets ready {statistics.median(ready):.2f} s" if ready else ""), flush=True)
            browser.close()
    finally:
        site.close()
    results["pages"] = pages
    with_widgets = {d: p for d, p in pages.items() if p["widgets"]}
    without = {d: p for d, p in pages.items() if not p["widgets"]}
    if with_widgets:
        worst = max(with_widgets, key=lambda d: with_widgets[d]["gzip_bytes"])
        size = with_widgets[worst]["gzip_bytes"]
        report(f"gzip weight, heaviest page with widgets", f"{size / KB:.0f} KB", "<= 1.5 MB",
               size <= TARGETS["page_gzip_widgets_bytes"])
        print(f"      ({worst})")
        slow = max(with_widgets, key=lambda d: with_widgets[d]["widgets_interactive_s"])
        seconds = with_widgets[slow]["widgets_interactive_s"]
        report("widgets interactive, slowest page", f"{seconds:.2f} s", f"< {TARGETS['widgets_interactive_s']} s",
               seconds < TARGETS["widgets_interactive_s"])
        print(f"      ({slow}; median of {repeats} loads)")
    if without:
        worst = max(without, key=lambda d: without[d]["gzip_bytes"])
        size = without[worst]["gzip_bytes"]
        report("gzip weight, heaviest page without widgets", f"{size / KB:.0f} KB", "<= 600 KB",
               size <= TARGETS["page_gzip_plain_bytes"])
        print(f"      ({worst})")


# --------------------------------------------------------------------------- #
def disk_usage(folder: Path) -> int:
    """Bytes on disk, like `du -s` (hard links counted once)."""
    seen, total = set(), 0
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            stat = os.lstat(os.path.join(dirpath, name))
            if (stat.st_dev, stat.st_ino) in seen:
                continue
            seen.add((stat.st_dev, stat.st_ino))
            total += stat.st_blocks * 512
    return total


def bench_launch_env(src: Path) -> None:
    print("\nLaunch environment (fresh venv, `pip install -r requirements.txt` only, as Binder does)", flush=True)
    venv = src.parent / "launch-venv"
    start = time.perf_counter()
    timed([sys.executable, "-m", "venv", str(venv)])
    timed([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
           "-r", "requirements.txt"], cwd=src)
    seconds = time.perf_counter() - start
    size = disk_usage(venv)
    site_packages = next((venv / "lib").glob("python3*/site-packages"))
    by_package = sorted(((disk_usage(p), p.name) for p in site_packages.iterdir() if p.is_dir()), reverse=True)[:8]
    report("launch environment installed size", f"{size / MB:.0f} MB", f"< {TARGETS['launch_env_mb']} MB",
           size < TARGETS["launch_env_mb"] * MB)
    report("launch environment install time", f"{seconds:.0f} s", "(none)", True)
    print("      largest: " + ", ".join(f"{name} {b / MB:.0f} MB" for b, name in by_package))
    results["launch_env"] = {"bytes": size, "seconds": seconds,
                             "largest": [[name, b] for b, name in by_package],
                             "note": "pip's download cache, if warm, shortens the time"}


# --------------------------------------------------------------------------- #
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="build,notebooks,pages,launch",
                        help="comma-separated parts to run (default: all)")
    parser.add_argument("--skip-launch-env", action="store_true")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    if args.skip_launch_env:
        parts.discard("launch")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="track2-bench-") as tmp:
        src = copy_repository(Path(tmp) / "course")
        html = None
        if "build" in parts:
            html = bench_build(src)
        if "notebooks" in parts:
            bench_nbval()
            bench_kernel_memory()
        if "pages" in parts:
            if html is None:
                html = Path(tmp) / "course" / "_build" / "html"
                timed(build_command(src))
            bench_pages(html)
        if "launch" in parts:
            bench_launch_env(src)
    results["summary"] = [{"figure": n, "value": v, "target": t, "met": m} for n, v, t, m in verdicts]
    results["bench_seconds"] = time.perf_counter() - started
    RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")
    missed = [n for n, _, _, met in verdicts if not met]
    print(f"\n{len(verdicts) - len(missed)} of {len(verdicts)} figures meet their target"
          + (f"; missed: {', '.join(missed)}" if missed else "") + f". Written to {RESULTS.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
