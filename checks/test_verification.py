"""The verification suite: every check of every claim, and every claim's verdict
(``pytest -m C7`` selects one claim). See checks/suite.py for what each outcome means:
a check test fails only for a defect of the toolkit; a claim test passes when the claim holds,
is an expected failure (XFAIL, with the verdict's reason) when it does not, and a skip when it
cannot be run here."""

from __future__ import annotations

import pytest

from checks.registry import entries
from checks.suite import record
from checks.verdict import Verdict

FAILING = (Verdict.DISCREPANCY, Verdict.REFUTED)


class ClaimDoesNotHold(AssertionError):
    """The claim's statement fails by the verdict rule (a finding about the paper)."""


def _check_cases():
    for cid, entry in entries().items():
        for check in entry.checks:
            yield pytest.param(
                cid, check.name, marks=getattr(pytest.mark, cid), id=f"{cid}-{check.name}"
            )


def _pinned(claim, reading: str) -> Verdict:
    if reading:
        return claim.expected_readings[reading]
    return claim.expected_verdict


def _verdict_cases():
    for cid, entry in entries().items():
        claim = entry.claim
        for reading in claim.reading_names or ("",):
            pinned = _pinned(claim, reading)
            marks = [getattr(pytest.mark, cid)]
            if pinned in FAILING:
                marks.append(
                    pytest.mark.xfail(
                        strict=True,
                        raises=ClaimDoesNotHold,
                        reason=f"{cid}: pinned {pinned}",
                    )
                )
            suffix = f"[{reading}]" if reading else ""
            yield pytest.param(cid, reading, marks=marks, id=f"{cid}-verdict{suffix}")


@pytest.mark.parametrize(("claim", "check"), list(_check_cases()))
def test_check(claim, check, claim_runner):
    """The check ran, produced evidence and controls, rejected every control, and every item
    of the toolkit's own holds."""
    result = next(r for r in claim_runner(claim).results if r.check == check)
    assert not result.errored, result.details.get("error")
    if not result.runnable and not result.evidence:
        pytest.skip(f"{claim}: not reproducible here: {result.reason}")
    assert result.evidence, "a check must produce evidence"
    assert result.controls, "every check needs a negative control (a wrong theory it rejects)"
    accepted = [c.describe() for c in result.controls if c.passed]
    assert not accepted, f"negative controls not rejected: {accepted}"
    defects = [e.describe() for e in result.evidence if e.origin == "toolkit" and not e.passed]
    assert not defects, f"results of the toolkit's own that fail: {defects}"


@pytest.mark.parametrize(("claim", "reading"), list(_verdict_cases()))
def test_verdict(claim, reading, claim_runner, request, record_property):
    """The claim's statement holds by the verdict rule (per reading where it is ambiguous)."""
    cr = claim_runner(claim)
    decision = cr.decision
    if reading:
        decision = dict(decision.readings)[reading]
    key = f"{claim} [{reading}]" if reading else claim
    record(request.config, key, str(decision.verdict), decision.reason, cr.max_delay_fraction)
    record_property("verdict", str(decision.verdict))
    record_property("verdict_reason", decision.reason)
    record_property("rule", decision.rule)
    if cr.max_delay_fraction is not None:
        record_property("max_delay_fraction", f"{cr.max_delay_fraction:.3f}")
    request.node._verdict_reason = f"{key}: {decision.reason}"
    pinned = _pinned(cr.claim, reading)
    if decision.verdict != pinned:
        raise AssertionError(
            f"{key}: the verdict is now {decision.verdict} ({decision.reason}), the suite pins "
            f"{pinned}: revisit the finding and the pin in the claim module"
        )
    if decision.verdict == Verdict.NOT_REPRODUCIBLE:
        pytest.skip(f"{key}: {decision.reason}")
    if decision.verdict in FAILING:
        raise ClaimDoesNotHold(decision.reason)
    if decision.verdict == Verdict.INCONCLUSIVE:
        pytest.fail(f"{key}: inconclusive: {decision.reason}")
