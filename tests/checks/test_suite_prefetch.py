"""The verification suite's prefetch (checks/suite.py): the claims a session collected run in
worker processes, and their results are the ones pytest's own process would have computed."""

from __future__ import annotations

import json

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
    here = suite.ClaimRunner(tmp_path / "here")
    try:
        pooled.prefetch(claims, 2)
        for c in claims:
            assert _values(pooled(c)) == _values(here(c))
        # the results did come from the workers, none of which failed
        assert pooled.prefetched == set(claims) and not pooled.errors
    finally:
        pooled.close()


def test_close_stops_the_workers_at_once(tmp_path):
    """A session that ends early does not wait for claims nobody reads (-x, -k, Ctrl-C)."""
    runner = suite.ClaimRunner(tmp_path)
    runner.prefetch(["D2", "D3", "E1", "C7"], 2)
    procs = list(runner._pool._processes.values())
    runner.close()
    assert procs and not any(p.is_alive() for p in procs)


def test_the_prefetch_asks_for_what_the_collected_tests_read(pytester):
    """A parametrised claim, a ``uses_claims`` marker; a stub claim_runner asks for none."""
    pytester.makeconftest(
        """
import json
from checks import suite

def pytest_collection_finish(session):
    with open("asked.json", "w") as f:
        json.dump(suite._claims_of(session.items), f)
"""
    )
    pytester.makepyfile(
        test_a="""
import pytest

@pytest.mark.parametrize("claim", ["C4", "C9"])
def test_p(claim, claim_runner):
    pass

@pytest.mark.uses_claims("C7")
def test_m(claim_runner):
    pass

def test_none():
    pass
""",
        test_stub="""
import pytest

@pytest.fixture
def claim_runner():
    return None

def test_other(claim_runner):
    pass
""",
    )
    pytester.runpytest("-p", "checks.suite", "--collect-only", "-q")
    assert json.loads((pytester.path / "asked.json").read_text()) == ["C4", "C7", "C9"]
