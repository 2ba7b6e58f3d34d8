"""Property-based checks: the registry's checks at theory parameters drawn by Hypothesis.

Hypothesis draws only theory parameters (mu, tau, eta, nu, the spectrum, the data law) from
bounded ranges inside each claim's admissible region; Monte-Carlo run counts are fixed here. The
``ci`` profile runs a few derandomised examples per property, ``full`` (HYPOTHESIS_PROFILE=full)
twenty. Statistical budget: at most 20 examples x 15 statistical assertions here plus the
registry's fit in checks.profile.MAX_ASSERTIONS = 400, whose Bonferroni z every check uses.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checks import ode_limit, ou_limit, saddle, stability
from checks.profile import get_profile

PROFILE = get_profile()
FULL = os.environ.get("HYPOTHESIS_PROFILE", "ci") == "full"


def examples(ci: int) -> settings:
    return settings(max_examples=20 if FULL else ci)


def _assert_check(result) -> None:
    assert not result.errored, result.details.get("error")
    unexpected = [
        (e.label, e.measured, e.theory, e.tolerance)
        for e in result.evidence
        if e.passed != e.expected
    ]
    assert not unexpected, unexpected
    assert result.controls_rejected, [c.label for c in result.controls if c.passed]


@pytest.mark.C9
@examples(3)
@given(mu=st.floats(0.4, 0.85), nu=st.floats(0.3, 0.7), tau=st.integers(0, 2))
def test_c9_escape_law(mu, nu, tau):
    _assert_check(saddle.check_c9(PROFILE, mu=mu, nu=nu, tau=tau))


@pytest.mark.C4
@examples(2)
@given(
    mu=st.floats(0.3, 0.85),
    gaps=st.lists(st.floats(0.3, 2.0), min_size=2, max_size=3),
    distribution=st.sampled_from(["gaussian", "rademacher", "uniform-ball"]),
)
def test_c4_ou_moments(mu, gaps, distribution):
    spectrum = [1.0]
    for g in reversed(gaps):
        spectrum.insert(0, spectrum[0] + g)
    result = ou_limit.check_c4(
        PROFILE, mu=mu, spectrum=tuple(spectrum), distribution=distribution, runs=PROFILE.runs(300)
    )
    _assert_check(result)


@pytest.mark.C3
@examples(2)
@given(mu=st.floats(0.3, 0.8))
def test_c3_mean_path(mu):
    _assert_check(ode_limit.check_c3(PROFILE, mu=mu))


@pytest.mark.E1
@examples(5)
@given(mu=st.floats(0.5, 0.95))
def test_e1_boundary(mu):
    _assert_check(stability.check_e1_boundary(PROFILE, mus=(mu,)))


@pytest.mark.E1
@examples(2)
@given(mu=st.floats(0.0, 0.8), eta=st.sampled_from([1e-3, 2e-3]))
def test_e1_delay_growth(mu, eta):
    _assert_check(stability.check_e1_delay_growth(PROFILE, mu=mu, eta=eta))
