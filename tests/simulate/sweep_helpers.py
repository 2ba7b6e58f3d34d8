"""Shared specs and comparisons for the sweep tests (test_sweep*.py, test_store.py)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from simulate.compute import Outcome, Task, run_task

# Small but varied: every kind of delay model, two data laws, a random start (the start stream),
# H recorded, and diverging cells (eta = 0.5).
SPEC: dict = {
    "sweep": {"name": "test"},
    "problem": {"sigma": [4.0, 3.0, 2.0, 1.0], "start": "random"},
    "grid": {
        "mu": [0.0, 0.8],
        "eta": [2e-3, 0.5],
        "tau": [1, 3],
        "delay": ["constant", "geometric", "pareto:2.5", "ps:3"],
        "distribution": ["gaussian", "rademacher"],
    },
    "run": {"runs": 3, "steps": 300, "seed": 5, "records": 4, "record_h": True},
}

SPEC_TOML = """\
[problem]
sigma = [4, 3, 2, 1]
start = "e2"

[grid]
mu = [0.5, 0.8, 0.9]
tau = [0, 2]
eta = 1e-3

[run]
runs = 4
steps = 400
records = 4
"""


def store_rows(path: Path) -> dict[str, tuple]:
    """key -> every stored value of a cell (status, parameters, summary, array bytes, digest,
    error), read with plain sqlite3, for exact comparisons between stores."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT key, status, params, summary, arrays, digest, error FROM cells"
        ).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def fail_mu_08(task: Task) -> list[Outcome]:
    """A compute function (module level, so workers can import it) whose tasks holding a
    mu = 0.8 cell raise, as a broken task would."""
    if any(c.params["mu"] == 0.8 for c in task.cells):
        raise RuntimeError("injected failure for mu = 0.8")
    return run_task(task)


def crashes(cell) -> bool:
    """The one cell (of the constant-delay ones) whose worker process dies."""
    p = cell.params
    return (p["mu"], p["eta"], p["tau"], p["distribution"]) == (0.8, 2e-3, 3, "gaussian")


def crash_one(task: Task) -> list[Outcome]:
    """A compute function whose worker process dies (as on a segfault or the OOM killer) when
    its task holds the :func:`crashes` cell."""
    if any(crashes(c) for c in task.cells):
        os._exit(3)
    return run_task(task)


KILL_SPEC_TOML = """\
[problem]
sigma = [4, 3, 2, 1]

[grid]
mu = [0.5, 0.7, 0.8, 0.9, 0.95]
tau = [0, 4, 8, 16, 32, 64]
eta = 5e-4

[run]
runs = 30
steps = 30000
records = 10
"""
