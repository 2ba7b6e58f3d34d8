"""The verification suite's prefetch (checks/suite.py): the claims a session collected run in
worker processes, and their results are the ones pytest's own process would have computed."""

from __future__ import annotations

import pytest

from checks import suite


def test_tasks_keep_shared_simulations_together_and_leave_timed_claims_out():
    assert suite.tasks(["C1", "D1", "D2", "D3", "D4", "E1"]) == [("D2", "D3"), ("C1",), ("E1",)]
    assert suite.tasks(["D3", "C4"]) == [("D3",), ("C4",)]
    assert suite.tasks(["D1", "D4"]) == []


def test_the_workers_come_from_the_environment(monkeypatch):
    monkeypatch.setenv(suite.WORKERS_ENV, "3")
    assert suite.prefetch_workers() == 3
    for bad in ("0", "two"):
        monkeypatch.setenv(suite.WORKERS_ENV, bad)
        with pytest.raises(pytest.UsageError, match=suite.WORKERS_ENV):
            suite.prefetch_workers()


def _values(cr):
    return [
        # repr: NaN (a symbolic item's measured value) equals itself
        (
            r.check,
            [(e.label, repr(e.measured), repr(e.tolerance)) for e in (*r.evidence, *r.controls)],
        )
        for r in cr.results
    ]


def test_prefetched_results_equal_those_of_this_process(tmp_path):
    """A check's seeds are spawned per check: the worker's results are this process's."""
    claims = ["C1", "C11"]
    pooled = suite.ClaimRunner(tmp_path / "pooled")
    pooled.prefetch(claims, 2)
    assert pooled._pool is not None  # the workers did run them
    here = suite.ClaimRunner(tmp_path / "here")
    try:
        for c in claims:
            assert _values(pooled(c)) == _values(here(c))
    finally:
        pooled.close()
