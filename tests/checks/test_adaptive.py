"""The D1-D4 checks: the rate fit on known curves, a real CI-scale rate assertion with its
control, and every check function end to end at a smoke size."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from checks import adaptive as A
from checks.claims import d1_lockfree, d2_variants, d3_rate, d4_heterogeneous
from checks.profile import AdaptiveSizes, Z, get_profile
from checks.results import CheckResult
from checks.verdict import Verdict
from simulate.adaptive.run import AdaptiveResult, checkpoint_grid


def _synthetic(exponent: float, runs: int = 64, steps: int = 8192, seed: int = 0):
    """grad2[r, k] = k^exponent times i.i.d. log-normal noise (sd 0.5 in log) per checkpoint."""
    cps = checkpoint_grid(steps)
    rng = np.random.default_rng(seed)
    k = np.maximum(cps, 1).astype(float)
    grad2 = k[None, :] ** exponent * np.exp(0.5 * rng.standard_normal((runs, k.size)))
    return AdaptiveResult(
        problem={}, method={"spec": f"synthetic{exponent}"}, delay="none", blocks="full",
        seed=seed, run_ids=np.arange(runs), steps=steps, checkpoints=cps, grad2=grad2,
        final_x=np.zeros((runs, 1)), diverged=np.zeros(runs, bool),
        delay_hist=np.zeros(1, np.int64), truncated=0, cap=0, elapsed=0.0,
    )  # fmt: skip


@pytest.mark.parametrize("exponent", [-0.5, -1.0, 0.0])
def test_fit_recovers_known_power_laws(exponent):
    """A pure power law with multiplicative noise: the fitted slope is within 5 bootstrap SE of
    the exponent (noise averages over ~100 points per bin and 64 runs: SE ~ 0.005)."""
    fit = A.fit_rate(_synthetic(exponent), n_boot=200)
    assert abs(fit.slope - exponent) <= 5 * fit.se + 0.01  # 0.01: the partial last bin
    assert fit.window == (8192 / 32, 8192.0) and fit.bins == 21  # 20 + the bin of k = T
    assert fit.ci[0] < fit.slope < fit.ci[1]


def test_rate_evidence_is_one_sided_with_the_log_factor_allowance():
    """slope <= -1/2 + log_bias + z SE: a faster rate passes, a plateau and a divergence fail,
    and the allowance is the fitted slope of log log t (between 1/ln T and 1/ln(T/32))."""
    fit = A.fit_rate(_synthetic(-0.5), n_boot=200)
    good = A.rate_evidence("ok", fit)
    assert good.relation == "upper"
    assert good.tolerance == pytest.approx(Z * good.se + fit.log_bias)
    assert 1 / math.log(8192) < fit.log_bias < 1 / math.log(8192 / 32)
    assert good.passed
    assert A.rate_evidence("fast", A.fit_rate(_synthetic(-1.0), n_boot=200)).passed
    assert not A.rate_evidence("flat", A.fit_rate(_synthetic(0.0), n_boot=200)).passed
    diverged = dataclasses.replace(_synthetic(-0.5), diverged=np.ones(64, bool))
    assert not A.rate_evidence("div", A.fit_rate(diverged, n_boot=50)).passed


def test_slower_rates_are_near_misses_the_band_rejects():
    """t^(-1/3) and t^(-1/4) with the fit's SE: both rejected, both flagged as near misses."""
    controls = A.slower_rate_controls("ok", A.fit_rate(_synthetic(-0.5), n_boot=200))
    assert [round(c.measured, 4) for c in controls] == [-0.3333, -0.25]
    assert all(c.near_miss and not c.passed for c in controls)


def test_d3_rate_at_ci_scale_and_its_control():
    """The real thing for one configuration (SGD, diminishing steps, robust regression behind
    ps:4, the CI sizes): slope <= -1/2 + log_bias + z SE (z: the suite's Bonferroni z); SGD
    with a fixed step on PCA plateaus and is rejected by the same rule."""
    sz = A.SIZES["ci"]
    fit = A.fit_rate(A.run_case(A.CI_CASES[0], sz.steps, sz.runs), n_boot=200)
    assert A.rate_evidence("sgd", fit).passed, fit
    ctrl = A.fit_rate(A.run_case(A.CONTROL_D3, sz.steps, sz.runs), n_boot=200)
    assert not A.rate_evidence("control", ctrl).passed, ctrl


def test_sizes_come_from_the_profile():
    assert A.SIZES["ci"] is get_profile("ci").adaptive
    assert get_profile("paper").adaptive.full_grid and not get_profile("ci").adaptive.full_grid
    assert A.cases(get_profile("ci")) == A.CI_CASES


SMOKE = AdaptiveSizes(steps=2048, runs=24, n_boot=100, horizons=(256, 512, 1024), lf_processes=3,
                lf_updates=300, lf_repeats=2, replay_runs=8, ps_reference=3000, d4_updates=60,
                d4_sleep=2e-3, full_grid=False)  # fmt: skip


@pytest.fixture
def smoke(monkeypatch):
    monkeypatch.setattr(A, "CI_CASES", A.CI_CASES[:2] + A.CI_CASES[6:8])
    yield dataclasses.replace(get_profile("ci"), name="smoke", adaptive=SMOKE)
    A.run_case.cache_clear()
    A.lockfree_runs.cache_clear()


@pytest.mark.parametrize(
    "func",
    [
        d1_lockfree.check_lockfree_run,
        d2_variants.check_variant_rates,
        d3_rate.check_rate_slope,
        d4_heterogeneous.check_straggler_throughput,
    ],
    ids=lambda f: f.__name__,
)
def test_checks_run_end_to_end(smoke, func):
    """Structure at a smoke size (the verdicts are asserted by the verification suite at the CI
    size): a CheckResult with evidence, controls, a verdict of the vocabulary, JSON-able."""
    r = func(smoke)
    assert isinstance(r, CheckResult) and r.verdict in set(Verdict)
    assert r.claim in ("D1", "D2", "D3", "D4")
    assert r.evidence and r.controls
    assert all(e.basis for e in r.evidence + r.controls)
    assert all(e.origin in ("claim", "toolkit", "interpretation") for e in r.evidence)
    json.dumps(r.as_dict(), allow_nan=True)  # the result cache stores it as JSON


def test_generalisation_is_not_reproducible_here():
    r = d4_heterogeneous.check_generalisation(get_profile("ci"))
    assert not r.runnable and r.verdict == Verdict.NOT_REPRODUCIBLE and "abstract" in r.reason
