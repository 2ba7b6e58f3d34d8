"""``asyncmsgd sweep``: a grid of simulations from a TOML spec, into a resumable result store.

Example::

    asyncmsgd sweep examples/sweep-small.toml --store small.sqlite --backend processes --workers 2
    asyncmsgd results --store small.sqlite

Each cell (one configuration's runs) is computed once and stored under a hash of its parameters
and the engine version; a rerun skips the cells already done, so an interrupted sweep (Ctrl-C,
SIGKILL) resumes where it stopped. Results are bit-identical whatever the backend and the number
of workers. Two sweeps on one store share the work (each cell is claimed by one of them).
Exit code 0 when every cell is done, 1 when some failed (they are stored with their error, and
retried by the next run), 2 for a bad spec or option.

Progress goes to stderr from the start: planning (building the cells) and then computing, as a
bar on a terminal or as plain lines in a log when the sweep runs long
(:mod:`simulate.progress`). A grid above ``simulate.sweep.LARGE_GRID`` cells is announced with
its size; one whose plan would not fit in memory is refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from simulate.names import BACKENDS, ENGINES, NOMINAL_RATE
from simulate.resources import available_cpus, format_bytes, format_seconds

if TYPE_CHECKING:  # annotations only: the heavy modules load when the command runs
    from simulate.backends import Backend
    from simulate.cells import Cell
    from simulate.outcome import Outcome
    from simulate.sweep import Sweep

# A grid whose planning takes longer than this (at ~2 us a cell) is announced before it starts.
ANNOUNCE_CELLS = 20_000
# Cells listed by a dry run.
LISTED = 20


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep",
        help="run a grid of simulations (TOML spec) into a resumable result store",
        description="Expand the grid of a TOML spec into cells (one configuration's runs each), "
        "compute the cells not yet in the store on the chosen backend, and store each one as "
        "it finishes. Rerunning skips finished cells; results do not depend on the backend. "
        "Several sweeps on one store share its cells.",
    )
    p.add_argument("spec", metavar="SPEC.toml", help="the sweep spec (see README: sweeps)")
    p.add_argument(
        "--store",
        default=None,
        help="the SQLite result store, a file (default: <spec name>.sqlite in the current folder)",
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
        "--dry-run",
        action="store_true",
        help="print the plan (cells, work) and compute nothing; a large grid is counted "
        "from its axes, in a moment",
    )
    p.set_defaults(func=run)


def _say(text: str) -> None:
    print(f"asyncmsgd sweep: {text}", file=sys.stderr, flush=True)


def _check_plan_memory(sweep: Sweep) -> None:
    """Refuse a grid whose cells would not fit in memory (a sweep holds every cell's
    parameters while it runs)."""
    from simulate.resources import available_memory
    from simulate.sweep import LARGE_GRID
    from theory.validation import ParameterError

    if sweep.count <= LARGE_GRID:
        return
    need = sweep.planning_bytes()
    have = available_memory()
    if have is not None and need > have:
        fit = int(sweep.count * have / need)
        raise ParameterError(
            "grid",
            f"{sweep.count:,} cells",
            f"a sweep holds every cell while it runs, about {format_bytes(need)} here, more "
            f"than the {format_bytes(have)} available: split the grid into specs of at most "
            f"about {fit:,} cells (fewer values per [grid] axis); they may share one --store",
        )


def run(args: argparse.Namespace) -> int:
    from simulate.backends import make_backend
    from simulate.sweep import LARGE_GRID, load_spec

    sweep = load_spec(args.spec)
    store_path = Path(args.store) if args.store else Path(f"{Path(args.spec).stem}.sqlite")
    # check the options (and build the pool or cluster) before touching the store
    backend = make_backend(args.backend, workers=args.workers, scheduler=args.scheduler)
    _check_store_path(store_path)
    if args.dry_run:
        backend.close()
        return _dry_run(sweep, store_path)
    if sweep.count > LARGE_GRID:
        _say(_large_grid_warning(sweep))
    _check_plan_memory(sweep)
    with backend:
        if args.scheduler:
            backend.start()  # an unreachable scheduler is an error before the store exists
        cells = _plan(sweep)
        return _compute(args, sweep, cells, backend, store_path)


def _check_store_path(path: Path) -> None:
    """The errors opening the store would give, before planning (which may take a while)."""
    from theory.validation import ParameterError

    if path.is_dir():
        raise ParameterError(
            "store", str(path), "a store file (SQLite), not a folder: give a file name"
        )
    if path.parent and not path.parent.is_dir():
        raise ParameterError("store", str(path), "a path in an existing folder")


def _plan(sweep: Sweep) -> list[Cell]:
    """Every cell, built with progress (a bar from the start on a terminal)."""
    from simulate.progress import Progress

    count = sweep.count
    if count >= ANNOUNCE_CELLS:
        _say(f"planning {count:,} cells")
    cells: list[Cell] = []
    with Progress(count, unit="cell", prog="asyncmsgd sweep: planning") as bar:
        for i, cell in enumerate(sweep.iter_cells(), 1):
            cells.append(cell)
            if i % 1000 == 0:
                bar.update(1000)
        bar.update(count % 1000)
    return cells


def _compute(
    args: argparse.Namespace, sweep: Sweep, cells: list[Cell], backend: Backend, store_path: Path
) -> int:
    from simulate.progress import Progress
    from simulate.runner import pending_cells, run_sweep
    from simulate.store import open_store

    with open_store(store_path) as store:
        todo = pending_cells(cells, store)
        with Progress(len(todo), unit="cell", prog="asyncmsgd sweep") as bar:
            failed = elsewhere = 0

            def progress(cell: Cell, outcome: Outcome) -> None:
                nonlocal failed
                if not outcome.ok:
                    failed += 1
                    bar.note("failed", failed)
                bar.update(1)

            def other(cell: Cell, ok: bool) -> None:
                nonlocal elsewhere
                elsewhere += 1
                bar.note("by another sweep", elsewhere)
                bar.update(1)

            report = run_sweep(cells, store, backend, progress=progress, engine=args.engine,
                               elsewhere=other, notice=_say)  # fmt: skip
    for cell, error in report.failures:
        _say(f"cell {cell.key[:12]} failed ({cell.label()}): {error}")
    for cell in report.failed_elsewhere:
        _say(f"cell {cell.key[:12]} failed in another sweep ({cell.label()}); see its error "
             "with asyncmsgd results --status failed")  # fmt: skip
    shared = ""
    if report.shared_with:
        shared = f", {report.done_elsewhere} computed by another sweep on the same store"
        if report.failed_elsewhere:
            shared += f" ({len(report.failed_elsewhere)} failed there)"
    print(
        f"sweep {sweep.name}: {report.cells} cells, {report.skipped} already in the store, "
        f"{report.done} computed, {report.failed} failed{shared}, in {report.elapsed:.1f} s on "
        f"{backend.describe()}; store {store_path}"
    )
    return 1 if report.failed or report.failed_elsewhere else 0


def _large_grid_warning(sweep: Sweep) -> str:
    count = sweep.count
    plan_seconds = count * 2e-6 + count / 2e5  # build + pending check, measured here
    return (
        f"warning: {count:,} cells is a large grid: planning them takes about "
        f"{format_seconds(plan_seconds)} and {format_bytes(sweep.planning_bytes())} of memory, "
        f"computing them about {format_seconds(sweep.work / NOMINAL_RATE)} of CPU time, and the "
        "store gets a row per cell"
    )


def _dry_run(sweep: Sweep, store_path: Path) -> int:
    """The plan. Up to LARGE_GRID cells it is matched against the store cell by cell; above,
    the cells are counted from the axes (a moment for any size) and the store's contents are
    reported as a bound, because matching would mean building every cell."""
    from simulate.runner import pending_cells
    from simulate.store import open_store
    from simulate.sweep import LARGE_GRID

    count, work = sweep.count, sweep.work
    name = sweep.name
    if count > LARGE_GRID:
        stored = ""
        if store_path.is_file():
            with open_store(store_path, readonly=True) as store:
                done = store.counts()["done"]
            stored = f"; {store_path} holds {done:,} done cells (at most that many of these)"
        print(
            f"sweep {name}: {count:,} cells (counted from the axes, not built){stored}: "
            f"{work:.3g} step-runs, about {work / NOMINAL_RATE:.3g} CPU-seconds at "
            f"{NOMINAL_RATE:.0e} step-runs/s"
        )
        print(_large_grid_warning(sweep))
        cells: list[Cell] = []
        for cell in sweep.iter_cells():
            cells.append(cell)
            if len(cells) == LISTED:
                break
        for cell in cells:
            print(f"  {cell.key[:12]}  {cell.label()}")
        print(f"  ... and {count - len(cells):,} more")
        return 0
    cells = list(sweep.iter_cells())
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
    for cell in todo[:LISTED]:
        print(f"  {cell.key[:12]}  {cell.label()}")
    if len(todo) > LISTED:
        print(f"  ... and {len(todo) - LISTED} more")
    return 0
