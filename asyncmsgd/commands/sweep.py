"""``asyncmsgd sweep``: a grid of simulations from a TOML spec, into a resumable result store.

Example::

    asyncmsgd sweep examples/sweep-small.toml --store small.sqlite --backend processes --workers 2
    asyncmsgd results --store small.sqlite

Each cell (one configuration's runs) is computed once and stored under a hash of its parameters
and the engine version; a rerun skips the cells already done, so an interrupted sweep (Ctrl-C,
SIGKILL) resumes where it stopped. Results are bit-identical whatever the backend and the number
of workers. Exit code 0 when every cell is done, 1 when some failed (they are stored with their
error, and retried by the next run), 2 for a bad spec or option.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from simulate.backends import BACKENDS, available_cpus, make_backend
from simulate.cells import NOMINAL_RATE, Cell
from simulate.compute import Outcome
from simulate.engine import ENGINES
from simulate.runner import pending_cells, run_sweep
from simulate.store import open_store
from simulate.sweep import load_spec


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep",
        help="run a grid of simulations (TOML spec) into a resumable result store",
        description="Expand the grid of a TOML spec into cells (one configuration's runs each), "
        "compute the cells not yet in the store on the chosen backend, and store each one as "
        "it finishes. Rerunning skips finished cells; results do not depend on the backend.",
    )
    p.add_argument("spec", metavar="SPEC.toml", help="the sweep spec (see README: sweeps)")
    p.add_argument(
        "--store",
        default=None,
        help="the SQLite result store (default: <spec name>.sqlite in the current folder)",
    )
    p.add_argument(
        "--backend",
        choices=BACKENDS,
        default="processes",
        help="serial (this process), processes (a local pool; the default) or dask "
        "(a LocalCluster, or --scheduler; needs the 'dask' extra)",
    )
    p.add_argument(
        "--scheduler", default=None, metavar="ADDRESS", help="a Dask scheduler, tcp://host:8786"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help=f"worker processes (processes, local Dask; default: the CPUs, {available_cpus()})",
    )
    p.add_argument("--engine", choices=ENGINES, default="auto", help="never changes a number")
    p.add_argument(
        "--dry-run", action="store_true", help="print the plan (cells, work) and compute nothing"
    )
    p.set_defaults(func=run)


@contextlib.contextmanager
def _progress(total: int) -> Iterator[object]:
    """A tqdm bar with ETA on stderr (off when stderr is not a terminal or tqdm is missing)."""
    try:
        from tqdm import tqdm
    except ImportError:
        yield None
        return
    with tqdm(
        total=total, unit="cell", disable=None, leave=False, file=sys.stderr, smoothing=0.1
    ) as bar:
        failed = 0

        def update(cell: Cell, outcome: Outcome) -> None:
            nonlocal failed
            if not outcome.ok:
                failed += 1
                bar.set_postfix(failed=failed, refresh=False)
            bar.update(1)

        yield update


def run(args: argparse.Namespace) -> int:
    sweep = load_spec(args.spec)
    store_path = Path(args.store) if args.store else Path(f"{Path(args.spec).stem}.sqlite")
    if args.dry_run:
        return _dry_run(sweep.name, list(sweep.cells), store_path)
    # check the options (and build the pool or cluster) before touching the store
    with (
        make_backend(args.backend, workers=args.workers, scheduler=args.scheduler) as backend,
        open_store(store_path) as store,
    ):
        todo = len(pending_cells(sweep.cells, store))
        with _progress(todo) as progress:
            report = run_sweep(sweep.cells, store, backend, progress=progress, engine=args.engine)
    for cell, error in report.failures:
        print(f"asyncmsgd sweep: cell {cell.key[:12]} failed ({cell.label()}): {error}",
              file=sys.stderr)  # fmt: skip
    print(
        f"sweep {sweep.name}: {report.cells} cells, {report.skipped} already in the store, "
        f"{report.done} computed, {report.failed} failed, in {report.elapsed:.1f} s on "
        f"{backend.describe()}; store {store_path}"
    )
    return 1 if report.failed else 0


def _dry_run(name: str, cells: list[Cell], store_path: Path) -> int:
    if store_path.is_file():
        with open_store(store_path, readonly=True) as store:
            todo = pending_cells(cells, store)
    else:
        todo = cells
    work = sum(c.work for c in todo)
    print(
        f"sweep {name}: {len(cells)} cells, {len(cells) - len(todo)} already in {store_path}, "
        f"{len(todo)} to compute: {work:.3g} step-runs, about {work / NOMINAL_RATE:.0f} "
        f"CPU-seconds at {NOMINAL_RATE:.0e} step-runs/s"
    )
    for cell in todo[:20]:
        print(f"  {cell.key[:12]}  {cell.label()}")
    if len(todo) > 20:
        print(f"  ... and {len(todo) - 20} more")
    return 0
