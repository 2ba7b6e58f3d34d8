"""Shared problems and helpers for the simulator tests."""

from __future__ import annotations

import numpy as np
import pytest

from theory.problem import Problem

# eigenvalues given out of order: Q is a permutation matrix, so rotating is exact
DIAGONAL = Problem.from_eigenvalues([1.0, 4.0, 2.0, 3.0])
ROTATED = Problem.random_rotation([4.0, 3.0, 2.0, 1.0], np.random.default_rng(7))


def stable_eta(mu: float, tau: int, fraction: float, lambda1: float = 4.0) -> float:
    """A step inside Theorem 3's delay condition tau <~ (1-mu)^2 / (lambda_1 eta) (C3), with
    room to spare (factor 0.1), so runs neither diverge nor amplify rounding."""
    return fraction * 0.1 * (1.0 - mu) ** 2 / (lambda1 * (tau + 1))


def result_arrays(result) -> list[np.ndarray]:
    """Every per-run output of a BatchResult, for bitwise comparisons."""
    out = []
    for c in result.configs:
        out += [
            c.final_h,
            c.final_error,
            c.final_misalignment,
            c.error_at,
            c.misalignment_at,
            c.h_at if c.h_at is not None else np.empty(0),
            c.stationary_error,
            c.stationary_misalignment,
            c.escape_step,
            c.convergence_step,
            c.eps_step,
            c.diverged,
            c.diverged_step,
            c.delays.pooled,
            c.delays.mean,
            c.delays.max,
            c.delays.quantiles,
            c.delays.truncated,
        ]
    return out


def assert_bitwise_equal(a, b) -> None:
    xs, ys = result_arrays(a), result_arrays(b)
    assert len(xs) == len(ys)
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        assert x.shape == y.shape, i
        # bit patterns, so that NaN == NaN and -0.0 != 0.0 would be caught
        if x.dtype.kind == "f":
            assert np.array_equal(x.view(np.int64), y.view(np.int64)), i
        else:
            assert np.array_equal(x, y), i


@pytest.fixture(scope="session")
def numba_engine() -> str:
    pytest.importorskip("numba")
    return "numba"
