"""Throughput of the simulator, in step-runs per second (one update of eq. (5) for one run).

    python benchmarks/bench_simulate.py            # all measurements, then Figure-1 scale
    python benchmarks/bench_simulate.py --quick    # smaller batches, no Figure-1 run

Measured in the same process, on the same batch (Figure 1's problem: Sigma = diag(4,3,2,1),
Gaussian data, start e2, eta = 5e-4, constant delays):

(a) naive: the transparent per-run Python loop (simulate.reference), a few runs;
(b) NumPy engine; (c) Numba engine, serial and with the draws in a second thread;
(d) floor: merely drawing the same Gaussian samples with NumPy, through the engine's own
    per-run streams and blocks (simulate.blocks), without any arithmetic.

Goals (issue 3): engine >= 200x naive, engine within 2x of the floor, Figure-1 scale
(5 momenta x 25 delays x 100 runs x 2e4 steps = 2.5e8 step-runs) under a minute. The load
average is printed because other processes on a shared machine change every number.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulate import Config, kernels_numba, reference_run, simulate
from simulate.blocks import ChunkDraws, numpy_histogram_add, numpy_ps_kernel
from simulate.data import DataSampler
from simulate.engine import lane_cap
from theory.problem import Problem

PROBLEM = Problem.from_eigenvalues([4.0, 3.0, 2.0, 1.0])
MUS = (0.7, 0.8, 0.85, 0.9, 0.95)
ETA = 5e-4


def grid(n_taus: int) -> list[Config]:
    taus = np.unique(np.linspace(0, 160, n_taus).round().astype(int))
    return Config.grid(mu=MUS, tau=taus.tolist(), eta=ETA)


def naive(steps: int, runs: int) -> float:
    config = Config(0.9, ETA, 10)
    t = time.perf_counter()
    for run in range(runs):
        reference_run(PROBLEM, config, steps=steps, run=run)
    return runs * steps / (time.perf_counter() - t)


def best_of(repeats: int, fn, *args, **kw) -> float:
    """The highest rate of ``repeats`` runs (the least disturbed by other processes)."""
    return max(fn(*args, **kw) for _ in range(repeats))


def engine(configs, runs, steps, **kw) -> float:
    t = time.perf_counter()
    simulate(PROBLEM, configs, runs=runs, steps=steps, start="e2", **kw)
    return len(configs) * runs * steps / (time.perf_counter() - t)


def floor(configs, runs, steps, block=1024, max_lanes=2048) -> float:
    """Draw exactly the engine's samples (same streams, same blocks), and nothing else."""
    sampler = DataSampler(PROBLEM, DataSampler.create(PROBLEM).model)
    lanes = [(c, r) for c in configs for r in range(runs)]
    t = time.perf_counter()
    for a in range(0, len(lanes), max_lanes):
        chunk = lanes[a : a + max_lanes]
        draws = ChunkDraws(
            sampler,
            [c for c, _ in chunk],
            [r for _, r in chunk],
            np.array([lane_cap(c, steps) for c, _ in chunk]),
            root=0,
            crn=False,
            block=block,
            ps_kernel=numpy_ps_kernel,
            hist_kernel=numpy_histogram_add,
        )
        for k0 in range(0, steps, block):
            draws.draw(k0, min(block, steps - k0))
    return len(lanes) * steps / (time.perf_counter() - t)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small batches, no Figure-1 run")
    ap.add_argument("--repeats", type=int, default=3, help="best of this many (default 3)")
    ap.add_argument("--save", type=Path, default=None, help="also write the numbers as JSON")
    args = ap.parse_args()

    steps = 1000 if args.quick else 4000
    runs = 40 if args.quick else 100
    configs = grid(5)  # 25 configurations
    info = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": getattr(kernels_numba.numba, "__version__", None),
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg(),
        "batch": f"{len(configs)} configurations x {runs} runs x {steps} steps",
    }
    print(f"machine: {info['cpus']} cpus, python {info['python']}, numpy {info['numpy']}, "
          f"numba {info['numba']}; load average {info['load_before'][0]:.2f}")  # fmt: skip
    print(f"batch: {info['batch']} (Sigma = diag(4,3,2,1), gaussian, start e2, eta = {ETA})")

    rates: dict[str, float] = {}
    reps = args.repeats
    rates["naive"] = best_of(reps, naive, steps=1000 if args.quick else 2000, runs=3)
    rates["floor"] = best_of(reps, floor, configs, runs, steps)
    rates["numpy"] = best_of(reps, engine, configs, runs, steps, engine="numpy")
    if kernels_numba.AVAILABLE:
        t = time.perf_counter()
        simulate(PROBLEM, configs[:1], runs=1, steps=10, engine="numba")  # compile or load
        info["numba_warmup_seconds"] = time.perf_counter() - t
        rates["numba"] = best_of(reps, engine, configs, runs, steps, engine="numba")
        rates["numba_2threads"] = best_of(
            reps, engine, configs, runs, steps, engine="numba", threads=2
        )

    print(f"\n{'':28s} {'step-runs/s':>12s} {'x naive':>9s} {'x floor time':>13s}")
    labels = {
        "naive": "(a) naive per-run loop",
        "numpy": "(b) NumPy engine",
        "numba": "(c) Numba engine, 1 thread",
        "numba_2threads": "(c) Numba engine, 2 threads",
        "floor": "(d) floor: draw samples only",
    }
    for key, label in labels.items():
        if key in rates:
            r = rates[key]
            print(f"{label:28s} {r:12.3g} {r / rates['naive']:9.0f} {rates['floor'] / r:13.2f}")
    best = max(v for k, v in rates.items() if k.startswith(("numba", "numpy")))
    print(f"\nbest engine: {best / rates['naive']:.0f}x naive (goal >= 200x), "
          f"{rates['floor'] / best:.2f}x the floor's time (goal <= 2x)")  # fmt: skip

    if not args.quick:
        fig1 = grid(25)
        n = len(fig1) * 100 * 20_000
        print(f"\nFigure-1 scale: {len(fig1)} configurations x 100 runs x 20000 steps = {n:.3g}")
        eng = "numba" if kernels_numba.AVAILABLE else "numpy"
        t = time.perf_counter()
        res = simulate(
            PROBLEM, fig1, runs=100, steps=20_000, start="e2", engine=eng, threads=2, seed=0
        )
        dt = time.perf_counter() - t
        info["figure1_seconds"] = dt
        info["figure1_engine"] = eng
        print(f"  {eng} engine, 2 threads: {dt:.1f} s ({n / dt:.3g} step-runs/s; goal < 60 s)")
        div = sum(int(c.diverged.sum()) for c in res.configs)
        print(f"  diverged runs: {div} of {len(fig1) * 100}")
    info["load_after"] = os.getloadavg()
    print(f"\nload average after: {info['load_after'][0]:.2f}")
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps({"rates": rates, "info": info}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
