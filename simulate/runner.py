"""Running a sweep: skip the cells already stored, compute the others on a backend, store each.

The parent process plans, ships :class:`simulate.compute.Task` objects to the backend, and
writes every returned task to the store in one transaction as soon as it arrives. So:

* a rerun skips the cells already done (failed ones are computed again);
* a sweep killed at any moment (even SIGKILL) has lost only the tasks in flight, and resumes
  with no lost, duplicated or half-written cell (:mod:`simulate.store`);
* one failing cell is stored with its error and the sweep goes on;
* several sweeps on one store share the work: each claims a task's cells just before
  computing them (:meth:`simulate.store.Store.claim`), skips cells done or claimed by another
  live sweep, and at the end waits for the cells the others still hold (taking over those
  whose claim is released or expires), so that when it returns every cell is done or failed.

Task sizing: a cell is one configuration's runs (its size is the spec's ``runs x steps``). For a
pool or a cluster, consecutive cells are packed, in grid order, into tasks of about the backend's
``task_seconds`` of nominal work (:data:`simulate.cells.NOMINAL_RATE`), so that per-task overhead
(pickling, IPC, Dask scheduling: milliseconds) stays small, but never so large that fewer than
four tasks per worker remain (so that the workers finish together). In-process (serial) every
cell is its own task. Packing decides only which worker computes a cell and when it is stored,
never its numbers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from simulate.backends import Backend, SerialBackend
from simulate.cells import NOMINAL_RATE, Cell
from simulate.compute import Outcome, Task, describe_error, run_task
from simulate.records import ConfigResult
from simulate.store import Claim, Store, describe_owner, new_owner
from theory.validation import ParameterError

MAX_TASK_CELLS = 256
# Seconds between looks at the cells another sweep is computing (at the end of a shared sweep).
SHARE_POLL = 0.5

CellProgress = Callable[[Cell, Outcome], object]
# Called with a cell that another sweep on the same store finished (ok) or failed.
ElsewhereProgress = Callable[[Cell, bool], object]


@dataclass
class SweepReport:
    """What one run of a sweep did."""

    cells: int  # distinct cells asked for
    skipped: int  # already done in the store
    done: int = 0
    failed: int = 0
    elapsed: float = 0.0
    failures: list[tuple[Cell, str]] = field(default_factory=list)
    # cells another sweep on the same store computed (or failed) while this one ran
    done_elsewhere: int = 0
    failed_elsewhere: list[Cell] = field(default_factory=list)
    shared_with: set[str] = field(default_factory=set)  # owners of the other sweeps met

    @property
    def computed(self) -> int:
        return self.done + self.failed


def pending_cells(cells: Iterable[Cell], store: Store) -> list[Cell]:
    """The distinct cells (first occurrence order) not yet done in ``store``."""
    status = store.statuses()
    seen: set[str] = set()
    out = []
    for cell in cells:
        if cell.key not in seen and status.get(cell.key) != "done":
            out.append(cell)
        seen.add(cell.key)
    return out


def pack_tasks(
    cells: Sequence[Cell],
    workers: int,
    *,
    task_seconds: float = 1.0,
    task_work: float | None = None,
    engine: str = "auto",
) -> list[Task]:
    """Consecutive cells grouped into tasks of about ``task_work`` nominal step-runs (default:
    ``task_seconds`` of work, at most a quarter of each worker's share; 0: one cell a task)."""
    if not cells:
        return []
    if task_work is None:
        total = sum(c.work for c in cells)
        task_work = min(task_seconds * NOMINAL_RATE, total / (4 * max(workers, 1)))
    tasks: list[Task] = []
    group: list[Cell] = []
    work = 0.0
    for cell in cells:
        group.append(cell)
        work += cell.work
        if work >= task_work or len(group) >= MAX_TASK_CELLS:
            tasks.append(Task(tuple(group), engine))
            group, work = [], 0.0
    if group:
        tasks.append(Task(tuple(group), engine))
    return tasks


def run_sweep(
    cells: Iterable[Cell],
    store: Store,
    backend: Backend | None = None,
    *,
    progress: CellProgress | None = None,
    task_work: float | None = None,
    engine: str = "auto",
    compute: Callable[[Task], list[Outcome]] = run_task,
    elsewhere: ElsewhereProgress | None = None,
    notice: Callable[[str], object] | None = None,
) -> SweepReport:
    """Compute every cell not yet done in ``store`` and store it (failures with their error).

    ``progress(cell, outcome)`` is called after each cell is stored. ``compute`` is the
    module-level function shipped to the workers (a seam for tests; the default simulates).
    Another sweep may work on the same store meanwhile: cells it holds are left to it,
    ``elsewhere(cell, ok)`` is called when it finishes one, ``notice(text)`` once when it is
    first met; this call returns when every cell is done or failed, here or there.
    """
    backend = backend or SerialBackend()
    cells = list(cells)
    pending = pending_cells(cells, store)
    report = SweepReport(cells=len({c.key for c in cells}), skipped=0)
    report.skipped = report.cells - len(pending)
    if pending:
        backend.start()  # a cluster's size is known once connected
    owner = new_owner()
    t0 = time.perf_counter()

    def met(others: Iterable[str]) -> None:
        new = set(others) - report.shared_with
        if new and notice is not None:
            who = ", ".join(sorted(describe_owner(o) for o in new))
            notice(f"another sweep ({who}) is computing cells of this store: sharing the work")
        report.shared_with |= new

    with store.heartbeat(owner):
        todo = pending
        while todo:
            # a cell seen busy in this round and failed since was failed by the other sweep;
            # a cell failed before is retried (the store's times are whole seconds)
            since = datetime.now(UTC).isoformat(timespec="seconds")
            waiting: list[Cell] = []
            tasks = pack_tasks(
                todo,
                backend.workers,
                task_seconds=backend.task_seconds,
                task_work=task_work,
                engine=engine,
            )
            claimed: list[Task] = []
            source = _claim_tasks(tasks, store, owner, claimed, waiting, report, elsewhere, met)
            for i, result in backend.map_unordered(compute, source):
                task = claimed[i]
                outcomes = _outcomes(task, result)
                store.put(list(zip(task.cells, outcomes, strict=True)), owner)
                for cell, outcome in zip(task.cells, outcomes, strict=True):
                    if outcome.ok:
                        report.done += 1
                    else:
                        report.failed += 1
                        report.failures.append((cell, outcome.error or "unknown error"))
                    if progress is not None:
                        progress(cell, outcome)
            todo = _wait_for_others(waiting, store, owner, since, report, elsewhere, met)
    report.elapsed = time.perf_counter() - t0
    return report


def _settle(
    cells: Iterable[Cell],
    found: Claim,
    report: SweepReport,
    elsewhere: ElsewhereProgress | None,
) -> None:
    """Count the cells another sweep finished."""
    done, failed = set(found.done), set(found.failed)
    for cell in cells:
        if cell.key in done or cell.key in failed:
            ok = cell.key in done
            if ok:
                report.done_elsewhere += 1
            else:
                report.failed_elsewhere.append(cell)
            if elsewhere is not None:
                elsewhere(cell, ok)


def _claim_tasks(
    tasks: Sequence[Task],
    store: Store,
    owner: str,
    claimed: list[Task],
    waiting: list[Cell],
    report: SweepReport,
    elsewhere: ElsewhereProgress | None,
    met: Callable[[Iterable[str]], None],
) -> Iterator[Task]:
    """The tasks, each reduced to the cells claimed for this sweep just before a worker is
    free for it (the backend pulls lazily); cells held by another sweep go to ``waiting``."""
    for task in tasks:
        found = store.claim([c.key for c in task.cells], owner)
        _settle(task.cells, found, report, elsewhere)
        if found.busy:
            met(found.busy.values())
            waiting.extend(c for c in task.cells if c.key in found.busy)
        mine = set(found.mine)
        cells = tuple(c for c in task.cells if c.key in mine)
        if cells:
            task = Task(cells, task.engine)
            claimed.append(task)
            yield task


def _wait_for_others(
    waiting: list[Cell],
    store: Store,
    owner: str,
    since: str,
    report: SweepReport,
    elsewhere: ElsewhereProgress | None,
    met: Callable[[Iterable[str]], None],
) -> list[Cell]:
    """Wait until the cells other sweeps hold are finished there, or become free (their claim
    released or expired: then they are returned, to be computed here)."""
    while waiting:
        found = store.claim([c.key for c in waiting], owner, since=since, take=False)
        _settle(waiting, found, report, elsewhere)
        if found.mine:
            # compute the freed cells here; the still busy ones are claimed again with them
            return [c for c in waiting if c.key in set(found.mine) | set(found.busy)]
        met(found.busy.values())
        waiting = [c for c in waiting if c.key in found.busy]
        if waiting:
            time.sleep(SHARE_POLL)
    return []


def cached_results(
    cells: Sequence[Cell],
    store: Store,
    backend: Backend | None = None,
    *,
    progress: CellProgress | None = None,
) -> list[ConfigResult]:
    """Each cell's ConfigResult, read from ``store``, computing (and storing) only the missing
    ones: what figure 1, verify and report call instead of :func:`simulate.simulate`.

    Build the cells with :meth:`Cell.from_config`; the results are bit-for-bit those of
    ``simulate(problem, [config], seed=..., ...)``. Raises ParameterError if a cell fails.
    """
    report = run_sweep(cells, store, backend, progress=progress)
    if report.failures:
        cell, error = report.failures[0]
        raise ParameterError(
            "cell", cell.label(), "a cell that can be computed", f"{report.failed} failed: {error}"
        )
    if report.failed_elsewhere:  # another sweep on the store computed it, and it failed there
        cell = report.failed_elsewhere[0]
        record = store.lookup(cell)
        error = record.error if record is not None else "unknown error"
        raise ParameterError(
            "cell",
            cell.label(),
            "a cell that can be computed",
            f"{len(report.failed_elsewhere)} failed in another sweep on the store: {error}",
        )
    out = []
    for cell in cells:
        record = store.lookup(cell)
        assert record is not None and record.status == "done", cell.key
        out.append(record.config_result())
    return out


def _outcomes(task: Task, result: object) -> list[Outcome]:
    """A task's outcomes; a task that raised (or returned the wrong thing) fails all its cells."""
    keys = [c.key for c in task.cells]
    if isinstance(result, list) and [getattr(o, "key", None) for o in result] == keys:
        return result
    if isinstance(result, BaseException):
        error = "task failed: " + describe_error(result)
    else:
        error = f"task returned {type(result).__name__}, not one outcome per cell"
    return [Outcome(k, False, None, None, error, None, None, "") for k in keys]
