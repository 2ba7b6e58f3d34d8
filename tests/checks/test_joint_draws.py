"""Joint (mu, eta, tau) draws (checks/joint_draws.py) and the speed-up breakdown
(checks/speedup.py), issue 13: the mapping of the unit cube, one draw end to end, and the
breakdown's bookkeeping (small sizes)."""

from __future__ import annotations

import math

import pytest

from checks import joint_draws as jd
from checks import speedup as sp
from checks.profile import get_profile

PROFILE = get_profile("ci")


@pytest.mark.parametrize("claim", jd.CLAIMS)
@pytest.mark.parametrize("u", [(0.0, 0.0, 0.0, 0.0), (1.0, 1.0, 1.0, 1.0), (0.4, 0.7, 0.5, 0.3)])
def test_draws_stay_in_their_ranges(claim, u):
    d = jd.from_unit(claim, *u)
    assert 0.0 <= d.mu <= jd.MU_MAX
    lam = d.spectrum
    if claim == "C5":
        hi = jd.PHASE3_ETA * (1 - d.mu)
    else:
        hi = min(jd.ETA_MAX[claim], jd.DELTA_MAX * (1 - d.mu) * (lam[0] - lam[1]) / lam[0] ** 2)
    assert hi / jd.ETA_RANGE * (1 - 1e-12) <= d.eta <= hi * (1 + 1e-12)
    assert 0 <= d.tau <= jd.F_MAX * d.tau_e1 + 0.5
    assert 0 <= d.tau_in <= max(d.region, 0.0)
    assert d.region <= jd.F_MAX * d.tau_e1


def test_region_transfer_never_enlarges(monkeypatch):
    from checks import validity as v

    monkeypatch.setitem(v.PINNED_FITS, "C4", (-4.4, 1.0, 1.0, 0.05))
    base = jd.region("C4", 0.3, 1e-3, (4.0, 3.0, 2.0, 1.0), 1000)
    wide = jd.region("C4", 0.3, 1e-3, (6.0, 3.0, 1.0), 1000)  # larger tangential/radial ratio
    narrow = jd.region("C4", 0.3, 1e-3, (2.0, 1.5, 1.0), 1000)
    assert narrow == pytest.approx(base) and wide < base
    assert jd.region("E1", 0.3, 1e-3, (4.0, 3.0, 2.0, 1.0), 1000) == 0.0


def test_one_draw_end_to_end(monkeypatch):
    from checks import validity as v

    monkeypatch.setitem(v.PINNED_FITS, "C9", (-3.4, 0.85, 1.06, 0.05))
    monkeypatch.setitem(jd.RUNS, "C9", 300)
    d = jd.from_unit("C9", 0.5, 1.0, 0.6, 0.8)
    res = jd.joint_check(PROFILE, d)
    assert res.claim == "C9" and not res.errored
    assert res.max_delay_fraction == pytest.approx(d.tau / d.tau_e1)
    labels = [e.label for e in res.evidence]
    assert any("inside the measured validity region" in x for x in labels)
    assert any("E1's growth" in x for x in labels)
    assert all(e.passed for e in res.evidence), [e.describe() for e in res.evidence]
    assert res.controls_rejected


def test_speedup_point_and_the_tradeoff_fit():
    p = sp.measure_point(0.5, 5e-4, 4, runs=40, seed=3)
    assert p.workers == 4 and math.isfinite(p.U) and p.wall == pytest.approx(p.U / 4)
    assert p.mean_delay == pytest.approx(3.0, abs=0.3)
    assert sp.eps_of(0.5, 5e-4, "rademacher") == pytest.approx(5e-4 * 24 / (0.25 * 0.5))
    assert sp.condition_delay(0.5, 5e-4, "gaussian") == 0.0
    assert sp.condition_delay(0.5, 5e-4, "rademacher") == pytest.approx(
        0.25 / ((4 + math.sqrt(10)) * math.sqrt(5e-4))
    )

    def curve(mu, w):
        pt = sp.SpeedupPoint(mu, 5e-4, 0.1, 1, "x", 100.0, 1.0, (99, 101), 100.0, 1.0,
                             (99, 101), 10, 0, 0.0, 0, 0)  # fmt: skip
        return sp.Breakdown(mu, 5e-4, 0.1, "rademacher", sp.TIMES, (pt,), w, w + 1, w, w + 2,
                            w, w + 1, 1.0, None)  # fmt: skip

    curves = [curve(m, round(300 * (1 - m))) for m in (0.5, 0.7, 0.8)]
    assert sp.tradeoff_exponent(curves, "w_e1").slope == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("claim", jd.CLAIMS)
def test_the_registered_check_spreads_up_to_the_stable_range(claim, monkeypatch):
    """Issue 13's bar, on the registered check (no simulation: joint_check stubbed): every
    claim of jd.CLAIMS carries "joint draws" in its CHECKS, whose draws are the corners at
    0.9 tau_E1 and a middle draw at half of it, and whose max_delay_fraction is their largest."""
    from checks.registry import entries
    from checks.results import CheckResult, Evidence

    assert "joint draws" in [c.name for c in entries()[claim].checks]
    draws = jd.spread(claim)
    assert len(draws) == len(jd.SPREAD) == 3
    assert [round(d.fraction, 1) for d in draws] == [0.9, 0.9, 0.5]
    assert draws[0].mu == 0.0 and draws[1].mu == pytest.approx(jd.MU_MAX)
    seen = []

    def fake(profile, d):
        seen.append(d)
        item = Evidence(f"{d.claim} at tau = {d.tau}", 1.0, 1.0, 0.1, "stub", se=0.05)
        return CheckResult(d.claim, "joint draw", "s", (item,), (), details={
            "draw": {"mu": d.mu}, "max_delay_fraction": d.fraction})  # fmt: skip

    monkeypatch.setattr(jd, "joint_check", fake)
    res = jd.check_spread(PROFILE, claim)
    assert seen == list(draws) and res.check == "joint draws" and len(res.evidence) == 3
    assert res.max_delay_fraction == pytest.approx(max(d.fraction for d in draws))
    assert res.max_delay_fraction >= 0.5
    assert len(res.details["draws"]) == 3


def test_the_property_tests_do_not_repeat_the_registered_draws():
    """The corners are the registered check's (jd.SPREAD): the Hypothesis properties generate
    other draws, and their one explicit example (REACH, a high delay at an inner momentum) is
    none of the registered draws, so nothing is simulated twice."""
    import checks.test_properties as tp

    assert all(dict(d) != tp.REACH for d in jd.SPREAD)
    assert min(tp.REACH["f"], jd.F_MAX) >= 0.5  # the draw alone meets the reach bar
    for name in dir(tp):
        fn = getattr(tp, name)
        if name.startswith("test_") and name.endswith("_joint"):
            examples = getattr(fn, "hypothesis_explicit_examples", [])
            assert len(examples) == 1, name
            kwargs = examples[0].kwargs
            assert {k: kwargs[k] for k in tp.REACH} == tp.REACH, name
