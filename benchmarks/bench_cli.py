"""The front door's speed: ``asyncmsgd --help`` and ``asyncmsgd derive all`` from a cold
process, against a baseline measured in the same run (``python -c pass``: the interpreter's own
start-up), repeated and summarised by the median.

    python benchmarks/bench_cli.py            # 5 repeats; prints a Markdown table
    python benchmarks/bench_cli.py --repeats 3 --json

Goals (issue 12 of the project): ``--help`` under 0.5 s, ``derive all`` under 10 s cold. Cold
means a new process each time (nothing cached in memory; the derivations have no on-disk
cache). ``derive all`` runs its derivations in one worker process per CPU by default (forked
after the imports); ``--jobs 1`` is the single-process cost, reported beside it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "asyncmsgd --help": [sys.executable, "-m", "asyncmsgd", "--help"],
    "asyncmsgd claims": [sys.executable, "-m", "asyncmsgd", "claims"],
    "asyncmsgd derive all": [sys.executable, "-m", "asyncmsgd", "derive", "all"],
    # the same work in one process: what the derivations cost, apart from the second core
    "asyncmsgd derive all --jobs 1": [
        sys.executable,
        "-m",
        "asyncmsgd",
        "derive",
        "all",
        "--jobs",
        "1",
    ],
}
GOALS = {"asyncmsgd --help": 0.5, "asyncmsgd derive all": 10.0}


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = {}
    for name, cmd in COMMANDS.items():
        times = [wall(cmd) for _ in range(args.repeats)]
        rows[name] = {"median_s": statistics.median(times), "min_s": min(times), "runs": times}
    base = rows["python -c pass (baseline)"]["median_s"]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print("| command | median (s) | min (s) | x baseline | goal |")
    print("|---|---|---|---|---|")
    for name, r in rows.items():
        goal = GOALS.get(name)
        print(
            f"| `{name}` | {r['median_s']:.2f} | {r['min_s']:.2f} | {r['median_s'] / base:.1f} | "
            f"{'-' if goal is None else f'< {goal:g} s'} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
