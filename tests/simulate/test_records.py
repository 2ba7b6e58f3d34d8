"""Error metrics, hitting times, summaries and delay statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from simulate import Config, RecordSpec, simulate
from simulate.records import DelayStats, errors, mean_ci, median_hitting
from tests.simulate.conftest import DIAGONAL, ROTATED


def test_error_is_distance_to_the_nearest_sign_of_v1():
    rng = np.random.default_rng(0)
    v = rng.standard_normal((50, 4)) * rng.uniform(0.1, 2.0, (50, 1))
    v1 = ROTATED.top_eigenvector
    direct = np.minimum(((v - v1) ** 2).sum(1), ((v + v1) ** 2).sum(1))
    mis = 1 - (v @ v1) ** 2 / (v**2).sum(1)
    err, m = errors(ROTATED.to_eigen(v))
    assert np.allclose(err, direct, rtol=1e-12, atol=1e-14)
    assert np.allclose(m, mis, rtol=1e-10, atol=1e-14)
    # the two metrics agree on the sphere to first order, differ off it
    e1, m1 = errors(np.array([[0.0, 1.0, 0.0, 0.0], [2.0, 0.0, 0.0, 0.0]]))
    assert e1.tolist() == [2.0, 1.0] and m1.tolist() == [1.0, 0.0]


def test_hitting_times_at_the_start_and_never():
    rec = RecordSpec(steps=(0, 5), delta=0.1, eps=0.01)
    at_opt = simulate(DIAGONAL, [Config(0.5, 1e-4, 0)], runs=2, steps=5, start="e1", records=rec)
    assert (at_opt[0].convergence_step == 0).all() and (at_opt[0].eps_step == 0).all()
    assert (at_opt[0].escape_step == 0).all()  # h_2^2 = 0 <= 1 - delta^2 already
    assert (at_opt[0].error_at[:, 0] == 0).all()
    saddle = simulate(DIAGONAL, [Config(0.5, 1e-4, 0)], runs=2, steps=5, start="e2", records=rec)
    assert (saddle[0].escape_step == -1).all() and (saddle[0].convergence_step == -1).all()
    assert saddle.summary(0)["escape_steps_median"] is None
    assert (saddle[0].error_at[:, 0] == 2.0).all()


def test_saddle_defaults_to_the_start_and_can_be_set():
    cfg = Config(0.5, 5e-3, 0)
    e3 = simulate(DIAGONAL, [cfg], runs=4, steps=4000, start="e3", records=RecordSpec(delta=0.3))
    explicit = simulate(
        DIAGONAL, [cfg], runs=4, steps=4000, start="e3", records=RecordSpec(delta=0.3, saddle=3)
    )
    assert np.array_equal(e3[0].escape_step, explicit[0].escape_step)
    other = simulate(
        DIAGONAL, [cfg], runs=4, steps=4000, start="e3", records=RecordSpec(delta=0.3, saddle=2)
    )
    assert (other[0].escape_step == 0).all()  # h_2 = 0 at e3
    assert (e3[0].escape_step > 0).all()


def test_hitting_times_ordered_along_the_phases():
    """From the saddle e2: escape (Phase I) before convergence (II); records are consistent."""
    rec = RecordSpec(steps=RecordSpec.grid(4000, 40), h=True, delta=0.2, eps=0.1)
    r = simulate(DIAGONAL, [Config(0.7, 1e-3, 5)], runs=10, steps=4000, records=rec)[0]
    assert (r.escape_step > 0).all() and (r.convergence_step > r.escape_step).all()
    h2 = r.h_at**2
    for run in range(10):
        steps = np.asarray(RecordSpec.grid(4000, 40))
        conv = steps[h2[run, :, 0] >= 1 - 0.04]
        assert conv[0] >= r.convergence_step[run]


def test_mean_ci_and_median():
    x = np.random.default_rng(1).normal(3.0, 2.0, 30)
    m, (lo, hi) = mean_ci(x)
    ref = stats.t.interval(0.95, 29, loc=x.mean(), scale=stats.sem(x))
    assert m == pytest.approx(x.mean()) and (lo, hi) == pytest.approx(ref)
    assert math.isnan(mean_ci(np.array([]))[0]) and math.isnan(mean_ci(np.array([1.0]))[1][0])
    assert median_hitting(np.array([5, 7, -1])) == 7.0
    assert median_hitting(np.array([5, -1, -1])) is None
    assert median_hitting(np.array([4, 6])) == 5.0


def test_delay_stats_from_histograms():
    hist = np.array([[0, 2, 0, 7, 1], [5, 0, 0, 0, 0]])
    s = DelayStats.from_histograms(hist, np.array([0, 3]))
    assert s.mean.tolist() == pytest.approx([(2 + 21 + 4) / 10, 0.0])
    assert s.max.tolist() == [4, 0]
    assert s.quantiles.tolist() == [[3, 3, 4], [0, 0, 0]]
    summary = s.summary()
    assert summary["delay_max"] == 4 and summary["delays_truncated"] == 3
    assert summary["delay_mean"] == pytest.approx(27 / 15)


@pytest.mark.parametrize("engine", ["numpy", "auto"])
def test_stationary_window_is_the_last_fraction(engine):
    rec = RecordSpec(steps=tuple(range(0, 101)), window=0.25)
    r = simulate(DIAGONAL, [Config(0.5, 1e-2, 1)], runs=3, steps=100, records=rec, engine=engine)
    assert r.window_start == 76
    assert np.allclose(r[0].stationary_error, r[0].error_at[:, 76:].mean(axis=1), rtol=1e-13)
    assert np.allclose(
        r[0].stationary_misalignment, r[0].misalignment_at[:, 76:].mean(axis=1), rtol=1e-13
    )


def test_h_is_only_recorded_on_request():
    r = simulate(DIAGONAL, [Config(0.5, 1e-2, 1)], runs=2, steps=10, records=RecordSpec(steps=(5,)))
    assert r[0].h_at is None and r[0].error_at.shape == (2, 1)


def test_grid_and_progress():
    configs = Config.grid(mu=[0.1, 0.2], eta=1e-3, tau=[0, 3, 5])
    assert [(c.mu, c.delay.tau) for c in configs] == [
        (0.1, 0), (0.1, 3), (0.1, 5), (0.2, 0), (0.2, 3), (0.2, 5)
    ]  # fmt: skip
    ps = Config.grid(mu=0.5, eta=1e-3, delay="ps:3")
    assert len(ps) == 1 and ps[0].delay.workers == 3
    done = []
    res = simulate(DIAGONAL, configs, runs=4, steps=50, block=16, progress=done.append)
    assert sum(done) == 6 * 4 * 50 and len(res) == 6
    assert [res.summary(i)["config"]["mu"] for i in range(6)] == [0.1] * 3 + [0.2] * 3
