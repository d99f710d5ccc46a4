"""`make bench`, the JupyterHub class: measure a class on loopback against the course's targets.

Runs tests/hubclass.py as tests/test_hub.py does (JupyterHub and a student server from
_build/hub-env, configurable-http-proxy from npm, the student server arguments of
deploy/z2jh/values.yaml): a class of students (default 10) get their servers, follow the
course's nbgitpuller link and run an explorer notebook and an exercise notebook each (the
first two also a chapter, through jupytext). Prints, beside each target:

* the time for the class, from creating the users to the last notebook run
  (target: under 3 minutes for 10 students on 2 cores);
* the peak memory per active student, their server and kernel together, as the
  proportional set size (shared libraries divided among the processes that share them)
  and as resident memory (target: 250 MB);
* the hub's and the proxy's memory, and how many processes were left after the hub stopped.

Writes bench/hub-results.json. Run with the project's venv:
`.venv/bin/python bench/hub_class.py [--students N]` (what `make bench` does, after bench.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hubclass import HubClass, figures, install_course_package, make_clone, missing_setup  # noqa: E402

RESULTS = ROOT / "bench" / "hub-results.json"
TARGETS = {"class_s": 180, "student_mb": 250}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=10, help="size of the class (default 10)")
    args = parser.parse_args()
    problem = missing_setup()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    print(f"\nJupyterHub class: {args.students} students on loopback (spawn, nbgitpuller link, an explorer "
          "and an exercise notebook each, a chapter for the first two)", flush=True)
    with tempfile.TemporaryDirectory(prefix="track2-hub-bench-") as tmp:
        install_course_package(Path(tmp) / "package")
        clone = make_clone(Path(tmp) / "repository")
        hub = HubClass(Path(tmp) / "hub")
        with hub:
            result = hub.run_class(args.students, clone)
        numbers = figures(result, hub)
        left = len(hub.killed) + len(hub.still_running())
    rows = [
        (f"class of {args.students}, users created to last notebook run", f"{numbers['class_seconds']:.0f} s",
         f"< {TARGETS['class_s']} s", numbers["class_seconds"] < TARGETS["class_s"]),
        ("memory per active student, peak PSS (server + kernel)", f"{numbers['student_pss_mb_max']} MB",
         f"<= {TARGETS['student_mb']} MB", numbers["student_pss_mb_max"] <= TARGETS["student_mb"]),
        ("memory per active student, peak RSS (server + kernel)", f"{numbers['student_rss_mb_max']} MB",
         f"<= {TARGETS['student_mb']} MB", numbers["student_rss_mb_max"] <= TARGETS["student_mb"]),
        ("hub + proxy memory (RSS)", f"{numbers['hub_rss_mb']} + {numbers['proxy_rss_mb']} MB", "(none)", True),
        ("processes left after the hub stopped", str(left), "0", left == 0),
    ]
    for name, value, target, met in rows:
        print(f"  {name:<56} {value:>14}   target {target:<10} {'met' if met else 'MISSED'}")
    print(f"      (means: PSS {numbers['student_pss_mb_mean']} MB, RSS {numbers['student_rss_mb_mean']} MB; "
          f"slowest server start {numbers['spawn_seconds_max']} s)")
    numbers["targets"] = TARGETS
    numbers["summary"] = [{"figure": n, "value": v, "target": t, "met": m} for n, v, t, m in rows]
    RESULTS.write_text(json.dumps(numbers, indent=2), encoding="utf-8")
    print(f"Written to {RESULTS.relative_to(ROOT)}.")
    return 0 if all(met for *_, met in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
