"""Guard rails: a diverging run is detected, frozen and counted; the batch goes on unharmed."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from simulate import Config, RecordSpec, reference_run, simulate
from tests.simulate.conftest import ROTATED, assert_bitwise_equal

RECORDS = RecordSpec(steps=tuple(range(0, 201, 10)), h=True)
GOOD = Config(0.5, 1e-3, 2)
BAD = Config(0.9, 1.5, 3)  # far outside any stability region: overflows within a few steps


@pytest.mark.parametrize("engine", ["numpy", "auto"])
def test_diverging_runs_are_frozen_and_counted(engine):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow RuntimeWarning may escape
        res = simulate(ROTATED, [GOOD, BAD], runs=5, steps=200, records=RECORDS, engine=engine)
    good, bad = res[0], res[1]
    assert not good.diverged.any() and np.isfinite(good.final_error).all()
    assert bad.diverged.all()
    assert (bad.diverged_step > 0).all() and (bad.diverged_step <= 200).all()
    assert np.isnan(bad.final_error).all() and np.isnan(bad.stationary_error).all()
    assert res.summary(1)["diverged"] == 5 and res.summary(0)["diverged"] == 0
    for run in range(5):
        step = bad.diverged_step[run]
        before = np.asarray(res.record_steps) < step
        assert np.isfinite(bad.error_at[run, before]).all()
        assert np.isnan(bad.error_at[run, ~before]).all()
        assert np.isnan(bad.h_at[run, ~before]).all()
        # frozen at the last finite iterate, which is within the bound
        assert np.isfinite(bad.final_h[run]).all()
        assert np.linalg.norm(bad.final_h[run]) <= 100.0
    # the good configuration is exactly what it is alone
    alone = simulate(ROTATED, [GOOD], runs=5, steps=200, records=RECORDS, engine=engine)
    assert_bitwise_equal(alone, type(res)(**{**vars(res), "configs": [good]}))


def test_divergence_step_and_frozen_state_match_reference():
    res = simulate(ROTATED, [BAD], runs=3, steps=200, engine="numpy", start="random")[0]
    for run in range(3):
        ref = reference_run(ROTATED, BAD, steps=200, run=run, start="random")
        assert ref.diverged_step == res.diverged_step[run]
        v_last = ROTATED.from_eigen(res.final_h[run])
        assert np.allclose(v_last, ref.v[-1], rtol=1e-9, atol=1e-9)


def test_divergence_bound_is_a_parameter():
    """A tight bound flags runs whose norm merely exceeds it; a loose one does not."""
    cfg = Config(0.5, 0.01, 0)
    loose = simulate(ROTATED, [cfg], runs=20, steps=300, divergence_bound=100.0)[0]
    tight = simulate(ROTATED, [cfg], runs=20, steps=300, divergence_bound=1.001)[0]
    assert not loose.diverged.any()
    assert tight.diverged.any()
    assert (np.linalg.norm(tight.final_h[tight.diverged], axis=1) <= 1.001).all()


def test_summary_of_an_all_diverged_configuration_is_well_formed():
    s = simulate(ROTATED, [BAD], runs=3, steps=100).summary(0)
    assert s["diverged"] == 3
    assert np.isnan(s["error_mean"]) and all(np.isnan(s["error_ci"]))
