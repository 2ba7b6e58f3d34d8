"""The measurement harness of E1's stationary level (checks/stationary_level.py, issue 16).

Small sizes only: these test the plumbing (seeds, sizes, SE from the per-run time averages, the
delay mapping, the order fit), not the theory (tests/theory/test_second_order.py does that).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from checks import stationary_level as sl
from simulate.delays import GeometricDelay, UniformDelay
from theory import random_delays as rd
from theory import stability as st
from theory.validation import ParameterError

SMALL = sl.Setting("small", (2.0, 1.0))
KW = {"runs": 8, "seed": 7, "burn_in": 2.0, "window": 10.0}


def test_setting_validates_and_describes():
    assert SMALL.problem.d == 2 and "diag(2,1)" in SMALL.describe()
    with pytest.raises(ParameterError):
        sl.Setting("bad", (2.0, 1.0), "cauchy")


def test_delay_mapping_to_the_simulator():
    assert sl.simulator_delay(5) == 5
    assert sl.simulator_delay(rd.uniform(6)) == UniformDelay(6)
    assert sl.simulator_delay(rd.geometric(4)) == GeometricDelay(4.0)
    with pytest.raises(ParameterError):
        sl.simulator_delay(rd.geometric(4, tail_mass=1e-6))


def test_relaxation_time_and_refusal_beyond_the_boundary():
    mu, eta = 0.5, 1e-3
    relax = sl.relaxation_steps(SMALL, eta, mu)
    # the slowest mode is the tangential one: ~ (1 - mu) / (eta (lambda_1 - lambda_2)) steps
    assert 0.8 * 500 < relax < 1.2 * 500
    tmax = st.analyse(SMALL.problem, "gaussian", eta, mu).tau_max
    assert sl.relaxation_steps(SMALL, eta, mu, tmax) > 10 * relax  # the radial mode, at its edge
    assert math.isinf(sl.relaxation_steps(SMALL, eta, mu, tmax + 1))
    with pytest.raises(ParameterError, match="boundary"):
        sl.measure_level(SMALL, eta, mu, tmax + 1, **KW)


def test_measurement_is_reproducible_and_its_se_is_over_runs():
    a = sl.measure_level(SMALL, 2e-3, 0.5, 3, **KW)
    b = sl.measure_level(SMALL, 2e-3, 0.5, 3, **KW)
    assert a.mean == b.mean and np.array_equal(a.per_run, b.per_run)
    assert a.runs == 8 and a.per_run.size == 8 and a.diverged == 0
    assert a.se == pytest.approx(np.std(a.per_run, ddof=1) / math.sqrt(8))
    assert a.mean == pytest.approx(np.mean(a.per_run))
    assert a.steps == a.burn_in + a.window and a.burn_in >= 3  # the delay is burnt in too
    other = sl.measure_level(SMALL, 2e-3, 0.5, 3, **{**KW, "seed": 8})
    assert other.mean != a.mean


def test_mode_diagnostics_add_up_to_the_level():
    m = sl.measure_level(SMALL, 2e-3, 0.5, 0, **{**KW, "mode_samples": 200})
    assert len(m.mode_means) == 2 and len(m.mode_ses) == 2
    assert sum(m.mode_means) == pytest.approx(m.mean, rel=0.15)  # sampled vs full average


def test_comparison_record():
    c = sl.compare(SMALL, 2e-3, 0.5, rd.uniform(4), **KW)
    d = c.as_dict()
    for key in (
        "setting",
        "predicted_first_order",
        "predicted_second_order",
        "simulated",
        "se",
        "rel_error",
        "rel_error_first_order",
        "fraction_of_boundary",
        "z",
    ):
        assert key in d
    assert d["family"] == "uniform" and d["parameter"] == 4
    assert c.rel_error == pytest.approx(c.predicted_second_order / c.simulated - 1)
    assert c.consistent(1e9) and c.within(1e9)


def test_order_fit_recovers_a_known_order():
    etas = np.array([1e-3, 5e-4, 2.5e-4])
    fit = sl.fit_order(etas, 3.0 * etas**2, 1e-3 * 3.0 * etas**2)
    assert fit.order == pytest.approx(2.0, abs=1e-9) and fit.se < 0.01
    lo, hi = fit.ci(2.0)
    assert lo < 2.0 < hi
    with pytest.raises(ParameterError):
        sl.fit_order(etas, [0.0, 1.0, 2.0], [1.0, 1.0, 1.0])


def test_eta_scan_runs_at_small_sizes():
    scan = sl.eta_scan(SMALL, 0.5, (4e-3, 2e-3), runs=(6, 8), seed=7, burn_in=2.0, window=10.0)
    assert len(scan.comparisons) == 2
    assert math.isfinite(scan.second_order.order) and math.isfinite(scan.first_order.order)
    assert set(scan.as_dict()) == {"points", "order_second", "order_first"}
