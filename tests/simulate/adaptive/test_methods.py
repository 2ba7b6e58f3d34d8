"""The update rules of simulate.adaptive.methods against their docstring formulas, by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulate.adaptive.methods import (
    PRESETS,
    Method,
    MethodState,
    Schedule,
    make_method,
    step,
)
from theory.validation import ParameterError

RNG = np.random.default_rng(0)


def _run(method: Method, gs: list[np.ndarray], masks=None, eta=0.1, **kw) -> list[np.ndarray]:
    d = gs[0].shape[-1]
    state = MethodState.zeros(method, 1, d)
    out = []
    for i, g in enumerate(gs):
        mask = np.ones((1, d), bool) if masks is None else masks[i][None, :]
        out.append(step(method, state, g[None, :] * mask, mask, eta, **kw))
    return [o[0] for o in out]


def test_schedules():
    assert Schedule("constant", 0.3).eta_at(10_000) == 0.3
    assert Schedule("sqrt", 0.3, k0=100).eta_at(300) == pytest.approx(0.3 / 2)
    h = Schedule("horizon", 0.3, k0=100).for_horizon(300)
    assert h.eta_at(0) == h.eta_at(299) == pytest.approx(0.15)
    with pytest.raises(ParameterError, match="horizon"):
        Schedule("horizon", 0.3).eta_at(0)


def test_heavy_ball_is_polyak_with_a_constant_step():
    """x_{k+1} = x_k - eta g_k + beta (x_k - x_{k-1}) exactly (docstring)."""
    m = make_method("heavy-ball", eta=0.05, schedule="constant", beta=0.7)
    gs = [RNG.standard_normal(4) for _ in range(6)]
    steps = _run(m, gs, eta=0.05)
    prev = np.zeros(4)
    for g, dx in zip(gs, steps, strict=True):
        np.testing.assert_allclose(dx, -0.05 * g + 0.7 * prev, rtol=1e-13, atol=1e-15)
        prev = dx


def test_adagrad_norm_and_diagonal_adagrad():
    gs = [RNG.standard_normal(3) for _ in range(4)]
    b2 = 2.0**2
    m = make_method("adagrad-norm", b0=2.0)
    for g, dx in zip(gs, _run(m, gs, eta=0.5), strict=True):
        b2 += g @ g
        np.testing.assert_allclose(dx, -0.5 * g / math.sqrt(b2), rtol=1e-13)
    acc = np.zeros(3)
    m = make_method("adagrad", b0=0.5)
    for g, dx in zip(gs, _run(m, gs, eta=0.5), strict=True):
        acc += g * g
        np.testing.assert_allclose(dx, -0.5 * g / np.sqrt(0.25 + acc), rtol=1e-13)


def test_adam_bias_correction_per_coordinate_on_blocks():
    """Coordinates outside the block keep their state and count (the n_{k,j} of the docstring)."""
    m = make_method("adam", beta=0.8, beta2=0.9, eps=1e-12)
    gs = [RNG.standard_normal(2) for _ in range(3)]
    masks = [np.array([True, False]), np.array([True, True]), np.array([False, True])]
    steps = _run(m, gs, masks=masks, eta=1.0)
    mm, v, n = np.zeros(2), np.zeros(2), np.zeros(2)
    for g, mask, dx in zip(gs, masks, steps, strict=True):
        n += mask
        mm[mask] = 0.8 * mm[mask] + 0.2 * g[mask]
        v[mask] = 0.9 * v[mask] + 0.1 * g[mask] ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            expect = -(mm / (1 - 0.8**n)) / (np.sqrt(v / (1 - 0.9**n)) + 1e-12)
        np.testing.assert_allclose(dx, np.where(mask, expect, 0.0), rtol=1e-12)
    # the first update of each coordinate is a unit sign step (bias-corrected Adam)
    assert abs(steps[0][0]) == pytest.approx(1.0, rel=1e-9)


def test_normalised_steps_have_length_eta_and_estimates():
    gs = [RNG.standard_normal(5) for _ in range(5)]
    m = make_method("normalized", momentum="none", norm_estimate="current")
    for dx in _run(m, gs, eta=0.3):
        assert np.linalg.norm(dx) == pytest.approx(0.3, rel=1e-12)
    # stale: NaN (nothing published yet) falls back to the current norm; else the given one
    m = make_method("normalized", momentum="none", norm_estimate="stale")
    g = gs[0][None, :]
    ones = np.ones((1, 5), bool)
    dx = step(m, MethodState.zeros(m, 1, 5), g, ones, 0.3, stale_norm=np.array([np.nan]))
    assert np.linalg.norm(dx) == pytest.approx(0.3)
    dx = step(m, MethodState.zeros(m, 1, 5), g, ones, 0.3, stale_norm=np.array([2.0]))
    np.testing.assert_allclose(dx, -0.3 * g / 2.0)
    # noisy: ||g|| exp(s zeta - s^2/2)
    m = make_method("normalized", momentum="none", norm_estimate="noisy", noise=0.5)
    dx = step(m, MethodState.zeros(m, 1, 5), g, ones, 0.3, zeta=np.array([1.0]))
    nu = np.linalg.norm(g) * math.exp(0.5 - 0.125)
    np.testing.assert_allclose(dx, -0.3 * g / nu)
    # ema: nu_1^2 = bias-corrected EMA of ||g||^2 = ||g_1||^2 at the first step
    m = make_method("normalized", momentum="none", norm_estimate="ema", beta2=0.9)
    dx = step(m, MethodState.zeros(m, 1, 5), g, ones, 0.3)
    assert np.linalg.norm(dx) == pytest.approx(0.3)


def test_lanes_are_independent():
    """A batch of lanes gives each lane's own result (no cross-talk through the state)."""
    m = make_method("adam")
    g = RNG.standard_normal((3, 4))
    mask = RNG.random((3, 4)) < 0.6
    batch = step(m, MethodState.zeros(m, 3, 4), g * mask, mask, 0.1)
    for i in range(3):
        one = step(m, MethodState.zeros(m, 1, 4), (g * mask)[i : i + 1], mask[i : i + 1], 0.1)
        np.testing.assert_array_equal(batch[i], one[0])


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"beta": 1.0}, "beta"),
        ({"beta2": 0.0}, "beta2"),
        ({"eta": -1.0}, "eta"),
        ({"schedule": "cosine"}, "schedule"),
        ({"norm_estimate": "exact"}, "norm_estimate"),
        ({"b0": 0.0}, "b0"),
    ],
)
def test_bad_parameters_name_themselves(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        make_method("adam", **kwargs)


def test_presets_and_specs():
    with pytest.raises(ParameterError, match="method"):
        make_method("lion")
    specs = {make_method(n).spec for n in PRESETS}
    assert len(specs) == len(PRESETS)  # the specs key the seeds: they must differ
    assert make_method("normalized", norm_estimate="ema").schedule.eta == 0.05
