"""Sweep throughput in cells per second: serial, a local process pool (1 and 2 workers), Dask.

    python benchmarks/bench_sweep.py            # both cell sizes, every backend
    python benchmarks/bench_sweep.py --quick    # fewer cells

Two grids on Figure 1's problem (Sigma = diag(4,3,2,1), start e2, eta = 5e-4, constant delays):

* ``small`` cells (10 runs x 1000 steps, ~1 ms of simulation each): the per-cell overhead of the
  sweep machinery (hashing, storing, pickling, IPC, scheduling) dominates;
* ``medium`` cells (50 runs x 20000 steps, ~0.1 s each): simulation dominates.

For each backend: ``startup`` is the time to start its workers and run one tiny warm-up sweep
(spawning, imports, Numba cache loading); ``cells/s`` is then measured on fresh stores, the best
of ``--repeats`` runs (the least disturbed by other processes); ``speed-up`` is serial time /
backend time; ``overhead`` is backend time x workers / serial time (1.0 = perfect scaling);
``busy`` is the share of the workers' time spent simulating cells (the sum of the cells' own
times over time x workers), which other load on the machine disturbs less than wall times. The
stored results of every backend are compared with the serial ones (they must be identical). The
load average is printed because other processes on a shared machine change every number.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulate.backends import Backend, DaskBackend, ProcessBackend, SerialBackend
from simulate.cells import Cell
from simulate.runner import run_sweep
from simulate.store import open_store
from simulate.sweep import parse_spec


def grid(n_cells: int, runs: int, steps: int, seed: int = 0) -> list[Cell]:
    """n_cells cells: five momenta x as many delays as needed."""
    taus = list(range(-(-n_cells // 5)))
    spec = {
        "problem": {"sigma": [4, 3, 2, 1], "start": "e2"},
        "grid": {"mu": [0.5, 0.6, 0.7, 0.8, 0.9], "eta": 5e-4, "tau": taus},
        "run": {"runs": runs, "steps": steps, "seed": seed, "records": 10},
    }
    return list(parse_spec(spec).cells)[:n_cells]


def timed_sweep(
    cells: list[Cell], backend: Backend, folder: Path, name: str
) -> tuple[float, float, dict]:
    """(wall seconds, summed per-cell seconds, key -> digest) of one sweep into a new store."""
    path = folder / f"{name}.sqlite"
    with open_store(path) as store:
        t = time.perf_counter()
        report = run_sweep(cells, store, backend)
        elapsed = time.perf_counter() - t
        assert report.done == len(cells), report.failures[:3]
        records = store.query()
    return elapsed, sum(r.elapsed for r in records), {r.key: r.digest for r in records}


def make(name: str, workers: int) -> Backend:
    if name == "serial":
        return SerialBackend()
    if name == "processes":
        return ProcessBackend(workers)
    return DaskBackend(workers=workers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer cells")
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()

    scale = 0.5 if args.quick else 1.0
    grids = {
        "small": grid(int(400 * scale), runs=10, steps=1000),
        "medium": grid(int(40 * scale), runs=50, steps=20000),
    }
    backends = [("serial", 1), ("processes", 1), ("processes", 2)]
    try:
        import distributed  # noqa: F401

        if not args.no_dask:
            backends += [("dask", 1), ("dask", 2)]
    except ImportError:
        print("(dask not installed: pip install 'asyncmsgd-verify[dask]')")

    info = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg(),
    }
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        serial_time: dict[str, float] = {}
        serial_digests: dict[str, dict] = {}
        for name, workers in backends:
            label = f"{name} x{workers}"
            t = time.perf_counter()
            with make(name, workers) as backend:
                warm = grid(2 * workers, runs=2, steps=100, seed=1)
                timed_sweep(warm, backend, folder, f"warm-{name}-{workers}")
                startup = time.perf_counter() - t
                for size, cells in grids.items():
                    runs = [
                        timed_sweep(cells, backend, folder, f"{size}-{name}{workers}-{k}")
                        for k in range(args.repeats)
                    ]
                    elapsed, cell_seconds, digests = min(runs, key=lambda r: r[0])
                    if name == "serial":
                        serial_time[size], serial_digests[size] = elapsed, digests
                    identical = all(r[2] == serial_digests[size] for r in runs)
                    rows.append(
                        {
                            "backend": label,
                            "cells": size,
                            "n": len(cells),
                            "startup_s": startup,
                            "seconds": elapsed,
                            "cells_per_s": len(cells) / elapsed,
                            "speedup": serial_time[size] / elapsed,
                            "overhead": elapsed * workers / serial_time[size],
                            "busy": cell_seconds / (elapsed * workers),
                            "identical": identical,
                        }
                    )
                    r = rows[-1]
                    print(
                        f"{label:13s} {size:6s} {r['n']:4d} cells {elapsed:7.2f} s "
                        f"{r['cells_per_s']:8.1f} cells/s  speed-up {r['speedup']:.2f}  "
                        f"overhead {r['overhead']:.2f}  busy {r['busy']:.2f}  "
                        f"startup {startup:.1f} s  identical {identical}",
                        flush=True,
                    )
    info["load_after"] = os.getloadavg()

    print()
    print(
        "| backend | cells | cells/s | speed-up vs serial | overhead ratio | busy | startup (s) |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['backend']} | {r['n']} {r['cells']} | {r['cells_per_s']:.1f} | "
            f"{r['speedup']:.2f} | {r['overhead']:.2f} | {r['busy']:.2f} | {r['startup_s']:.1f} |"
        )
    print(f"\nload average before {info['load_before']}, after {info['load_after']}")
    out = Path(__file__).resolve().parent / "results" / "bench_sweep.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"rows": rows, "info": info}, indent=2))
    if not all(r["identical"] for r in rows):
        print("ERROR: a backend stored different results", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
