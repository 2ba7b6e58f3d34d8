"""Data models: samples against the exact moments of theory/distributions.py.

Statistical tolerance: 5 standard errors of each empirical moment (the standard error estimated
from the same fixed-seed sample of 200 000 vectors), so a correct sampler fails with probability
~1e-6 per entry and a wrong fourth moment (e.g. a Rademacher sampler that ignored the rotation,
off by (kappa - 3) sum_k B_ik^2 B_jk^2) is far outside it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulate.data import DataSampler
from tests.simulate.conftest import DIAGONAL, ROTATED
from theory.distributions import MODELS

N = 200_000
Z_SCORE = 5.0


def within(sample_products: np.ndarray, exact: np.ndarray) -> np.ndarray:
    """|mean - exact| / standard error, entrywise (an entry with no variance, like Rademacher's
    Y_i^2 on a diagonal Sigma, gets a rounding-sized standard error)."""
    mean = sample_products.mean(axis=0)
    se = sample_products.std(axis=0) / math.sqrt(sample_products.shape[0])
    return np.abs(mean - exact) / np.maximum(se, 1e-12 * np.abs(exact).max())


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("problem", [DIAGONAL, ROTATED], ids=["diagonal", "rotated"])
def test_fourth_moments_match_alpha(problem, name):
    sampler = DataSampler.create(problem, name)
    z = sampler.draw(np.random.default_rng(123), N)
    y = sampler.eigen(z)
    # second moments: E Y Y^T = Lambda
    yy = y[:, :, None] * y[:, None, :]
    assert within(yy, np.diag(problem.eigenvalues)).max() < Z_SCORE
    # fourth moments: E[Y_i^2 Y_j^2] = alpha_{i,j}^2 exactly as theory/ defines it
    y2 = y**2
    prod = y2[:, :, None] * y2[:, None, :]
    assert within(prod, sampler.alpha2()).max() < Z_SCORE


def test_rotation_invariance_matters_for_the_coordinatewise_models():
    """On a rotated Sigma, Rademacher's alpha differs from the Gaussian-like value, and the
    sample sees the difference (the test above can fail)."""
    sampler = DataSampler.create(ROTATED, "rademacher")
    y2 = sampler.eigen(sampler.draw(np.random.default_rng(123), N)) ** 2
    prod = y2[:, :, None] * y2[:, None, :]
    lam = ROTATED.eigenvalues
    gaussian_like = np.outer(lam, lam) * (1 + 2 * np.eye(4))
    assert within(prod, gaussian_like).max() > 20


@pytest.mark.parametrize("name", sorted(MODELS))
def test_original_coordinates_and_bounds(name):
    sampler = DataSampler.create(ROTATED, name)
    z = sampler.draw(np.random.default_rng(5), 20_000)
    x = sampler.original(z)
    # X = Q Y: the same sample in the two coordinate systems
    assert np.allclose(x @ ROTATED.eigenvectors, sampler.eigen(z), atol=1e-13)
    c_d, exact = sampler.C_d()
    norms = np.linalg.norm(x, axis=1)
    if sampler.bounded:
        assert exact and norms.max() <= c_d * (1 + 1e-12)
    else:
        assert math.isinf(c_d)
    assert sampler.bounded == (name != "gaussian")


@pytest.mark.parametrize("name", sorted(MODELS))
def test_samples_do_not_depend_on_block_length(name):
    sampler = DataSampler.create(ROTATED, name)
    whole = sampler.draw(np.random.default_rng(4), 100)
    rng = np.random.default_rng(4)
    parts = np.concatenate([sampler.draw(rng, n) for n in (1, 30, 69)])
    assert np.array_equal(whole, parts)


def test_sphere_and_ball_radii():
    d = ROTATED.d
    sphere = DataSampler.create(ROTATED, "uniform-sphere").draw(np.random.default_rng(1), 1000)
    assert np.allclose(np.linalg.norm(sphere, axis=1), math.sqrt(d))
    ball = DataSampler.create(ROTATED, "uniform-ball").draw(np.random.default_rng(1), 20_000)
    r = np.linalg.norm(ball, axis=1) / math.sqrt(d + 2)
    assert r.max() <= 1.0
    # uniform in the ball: P(r <= t) = t^d; check the median t = 2^(-1/d) within 5 SE
    frac = (r <= 0.5 ** (1 / d)).mean()
    assert abs(frac - 0.5) <= 5 * math.sqrt(0.25 / r.size)
