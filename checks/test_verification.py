"""The verification suite: every registered check of every claim (``pytest -m C4`` selects one).

A check passes this suite when its evidence came out as the toolkit asserts (a finding against
the paper, such as a printed constant that is off, is evidence expected to fail and is asserted
as such) and every negative control (a deliberately wrong theory) was rejected by the same
tolerance. Profile: ASYNCMSGD_PROFILE=ci (default) or full. Each claim's checks run once per
session (checks/conftest.py), shared with the report test.
"""

from __future__ import annotations

import pytest

from checks.registry import ENTRIES

CASES = [
    pytest.param(cid, i, marks=getattr(pytest.mark, cid), id=f"{cid}-{chk.name}")
    for cid, entry in ENTRIES.items()
    for i, chk in enumerate(entry.checks)
]


@pytest.mark.parametrize(("claim", "index"), CASES)
def test_check(claim, index, claim_runner):
    result = claim_runner(claim).results[index]
    assert not result.errored, result.details.get("error")
    if result.check == "pending":
        pytest.skip(f"{claim}: {result.reason}")
    if result.verdict == "not-reproducible-here" and not result.evidence:
        pytest.skip(f"{claim}: not reproducible here: {result.reason}")
    unexpected = [
        f"{e.label}: measured {e.measured} vs theory {e.theory} (tolerance {e.tolerance}, "
        f"expected {'pass' if e.expected else 'fail'})"
        for e in result.evidence
        if e.passed != e.expected
    ]
    assert not unexpected, unexpected
    assert result.controls, "every check needs a negative control (a wrong theory it rejects)"
    accepted = [c.label for c in result.controls if c.passed]
    assert not accepted, f"negative controls not rejected: {accepted}"
    assert result.evidence, "a check must produce evidence"
