"""The worker side of a sweep: a cell's parameters in, its summary and per-run arrays out.

Workers (a process pool, Dask) receive :class:`Task` objects, which are plain data (each cell's
canonical JSON and key), rebuild the problem and configuration from that JSON, and return
:class:`Outcome` objects; they never touch the store. Because the worker simulates from exactly
the text that was hashed into the key, a stored cell is by construction the cell its key names.

A cell that raises is returned as a failed outcome carrying the error; the other cells of the
task, and the sweep, go on.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulate.cells import Cell
from simulate.engine import BatchResult, simulate
from simulate.outcome import Outcome
from simulate.store import canonical_summary, encode_arrays

__all__ = [
    "Outcome",  # a leaf value type (simulate.outcome), re-exported where callers look for it
    "Task",
    "describe_error",
    "result_arrays",
    "result_summary",
    "run_cell",
    "run_task",
    "simulate_cell",
]

# Meta entries of BatchResult.summary that describe how, not what: kept out of the stored
# summary so that it is bit-identical whatever the engine, backend or machine.
_VOLATILE = ("elapsed_seconds", "engine")


@dataclass(frozen=True)
class Task:
    """Cells computed one after another by one worker (packed to amortise per-task overhead)."""

    cells: tuple[Cell, ...]
    engine: str = "auto"


def simulate_cell(cell: Cell, engine: str = "auto") -> BatchResult:
    """The one :func:`simulate.simulate` call a cell stands for (``threads=1``: the workers
    already fill the cores; the number of threads never changes a number)."""
    p = cell.params
    return simulate(
        cell.problem(),
        [cell.config()],
        runs=p["runs"],
        steps=p["steps"],
        seed=p["seed"],
        distribution=p["distribution"],
        start=cell.start(),
        records=cell.records(),
        engine=engine,
        crn=p["crn"],
        divergence_bound=p["divergence_bound"],
        threads=1,
    )


def result_summary(result: BatchResult) -> dict[str, object]:
    """The stored summary: ``ConfigResult.summary()`` plus the batch's deterministic meta."""
    summary = result.summary(0)
    for name in _VOLATILE:
        summary.pop(name, None)
    return summary


def result_arrays(result: BatchResult) -> dict[str, np.ndarray]:
    """Every per-run output of the cell's single configuration (see simulate.records)."""
    c = result[0]
    arrays = {
        "record_steps": result.record_steps,
        "cap": np.array(c.cap, dtype=np.int64),
        "final_h": c.final_h,
        "final_error": c.final_error,
        "final_misalignment": c.final_misalignment,
        "error_at": c.error_at,
        "misalignment_at": c.misalignment_at,
        "stationary_error": c.stationary_error,
        "stationary_misalignment": c.stationary_misalignment,
        "escape_step": c.escape_step,
        "convergence_step": c.convergence_step,
        "eps_step": c.eps_step,
        "diverged": c.diverged,
        "diverged_step": c.diverged_step,
        "delay_mean": c.delays.mean,
        "delay_max": c.delays.max,
        "delay_quantiles": c.delays.quantiles,
        "delay_truncated": c.delays.truncated,
        "delay_pooled": c.delays.pooled,
    }
    if c.h_at is not None:
        arrays["h_at"] = c.h_at
    return arrays


def run_cell(cell: Cell, engine: str = "auto") -> Outcome:
    """Compute one cell; any exception becomes a failed outcome (never raised)."""
    worker = f"{socket.gethostname()}:{os.getpid()}"
    t0 = time.perf_counter()
    try:
        result = simulate_cell(cell, engine)
        summary = canonical_summary(result_summary(result))
        arrays = encode_arrays(result_arrays(result))
    except Exception as exc:  # a failing cell is recorded, and the sweep goes on
        return Outcome(
            cell.key, False, None, None, describe_error(exc), time.perf_counter() - t0, None, worker
        )
    return Outcome(
        cell.key, True, summary, arrays, None, time.perf_counter() - t0, result.engine, worker
    )


def run_task(task: Task) -> list[Outcome]:
    """The function every backend ships to its workers (module level: spawn/pickle safe)."""
    return [run_cell(cell, task.engine) for cell in task.cells]


def describe_error(exc: BaseException) -> str:
    """One line: the exception's type and message, and where it was raised."""
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ").strip()
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        text += f" (at {Path(last.filename).name}:{last.lineno} in {last.name})"
    return text
