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

from checks.claims import c03_ode_limit, c04_ou_optimum, c09_phase1_escape, e1_exact_linear
from checks.profile import get_profile

PROFILE = get_profile()
FULL = os.environ.get("HYPOTHESIS_PROFILE", "ci") == "full"


def examples(ci: int) -> settings:
    return settings(max_examples=20 if FULL else ci)


def _assert_check(result) -> None:
    """Every item holds (these claims are verified) and every control is rejected."""
    assert not result.errored, result.details.get("error")
    failing = [e.describe() for e in result.evidence if not e.passed]
    assert not failing, failing
    assert result.controls_rejected, [c.describe() for c in result.controls if c.passed]


@pytest.mark.C9
@examples(3)
@given(mu=st.floats(0.4, 0.85), nu=st.floats(0.3, 0.7), tau=st.integers(0, 2))
def test_c9_escape_law(mu, nu, tau):
    _assert_check(c09_phase1_escape.check_escape(PROFILE, mu=mu, nu=nu, tau=tau))


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
    result = c04_ou_optimum.check_ou_moments(
        PROFILE, mu=mu, spectrum=tuple(spectrum), distribution=distribution, runs=PROFILE.runs(300)
    )
    _assert_check(result)


@pytest.mark.C3
@examples(2)
@given(mu=st.floats(0.3, 0.8))
def test_c3_mean_path(mu):
    _assert_check(c03_ode_limit.check_mean_path(PROFILE, mu=mu))


@pytest.mark.E1
@examples(5)
@given(mu=st.floats(0.5, 0.95))
def test_e1_boundary(mu):
    _assert_check(e1_exact_linear.check_boundary(PROFILE, mus=(mu,)))


@pytest.mark.E1
@examples(2)
@given(mu=st.floats(0.0, 0.8), eta=st.sampled_from([1e-3, 2e-3]))
def test_e1_delay_growth(mu, eta):
    _assert_check(e1_exact_linear.check_delay_growth(PROFILE, mu_=mu, eta_=eta))
