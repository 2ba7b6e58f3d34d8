"""The verification suite speaks pytest's vocabulary (issue 18): a claim whose statement fails is
an XFAIL with the verdict's reason, a finding that stops reproducing fails the suite, the
verdict table ends the run and JUnit XML carries the verdicts. Shown with stubbed results."""

from __future__ import annotations

import pytest

STUB = """
import math
import pytest
from checks.registry import ClaimResult, entries
from checks.results import CheckResult, Evidence

MEASURED = {measured}


def _result(claim):
    e = Evidence(
        "a boundary", 111.0, MEASURED, 3.5, "stub", se=0.7,
        origin="claim", form="exact", mismatch="value", note="the predicted delay",
    )
    return CheckResult(claim, "boundary", "stub", (e,), ())


@pytest.fixture(scope="session")
def claim_runner():
    def run(claim):
        return ClaimResult(entries()[claim].claim, [_result(claim)])
    return run
"""
TEST = "from checks.test_verification import test_verdict  # noqa: F401\n"


def _run(pytester: pytest.Pytester, measured: float, *args: str) -> pytest.RunResult:
    pytester.makeconftest(STUB.format(measured=measured))
    pytester.makepyfile(test_stub=TEST)
    return pytester.runpytest("-p", "checks.suite", "-ra", "-k", "E1-verdict", *args)


def test_a_finding_that_reproduces_is_an_xfail_with_its_reason(pytester):
    res = _run(pytester, 117.0)
    res.assert_outcomes(xfailed=1)
    out = res.stdout.str()
    assert "XFAIL" in out and "predicted delay" in out and "117" in out
    assert "verdicts (the verdict rule, this run)" in out and "discrepancy-found" in out


def test_a_finding_that_stops_reproducing_fails_the_suite(pytester):
    res = _run(pytester, 111.5)  # the prediction now agrees: the pinned finding is gone
    res.assert_outcomes(failed=1)
    assert "revisit the finding" in res.stdout.str()


def test_junit_xml_carries_the_verdict(pytester):
    res = _run(pytester, 117.0, "--junitxml=out.xml")
    res.assert_outcomes(xfailed=1)
    xml = (pytester.path / "out.xml").read_text()
    assert 'name="verdict" value="discrepancy-found"' in xml
    assert 'name="verdict_reason"' in xml and 'name="rule" value="exact-differs"' in xml
