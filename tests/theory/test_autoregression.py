"""The AR(p) tools behind E1: Schur-Cohn, Levinson, Yule-Walker, Lyapunov, FFT agree."""

from __future__ import annotations

import math

import numpy as np
import pytest

from theory import autoregression as ar
from theory.delayed_heavy_ball import ar_coefficients


@pytest.mark.parametrize(("mu_", "c_", "tau"), [(0.5, 0.1, 0), (0.5, 0.1, 6), (0.7, 0.004, 100)])
def test_autocovariance_solvers_agree(mu_, c_, tau):
    phi = ar_coefficients(mu_, c_, tau)
    yw = ar.yule_walker_autocovariances(phi)
    lev = ar.levinson_autocovariances(phi, phi.size)
    assert np.allclose(lev, yw, rtol=1e-8, atol=1e-10 * yw[0])
    assert math.isclose(ar.lyapunov_variance(phi), yw[0], rel_tol=1e-8)
    assert math.isclose(ar.spectral_variance(phi), yw[0], rel_tol=1e-8)
    # beyond p the AR recursion continues the sequence
    longer = ar.levinson_autocovariances(phi, phi.size + 5)
    assert np.isclose(longer[-1], phi @ longer[-2 : -2 - phi.size : -1])


def test_schur_cohn_agrees_with_the_roots():
    rng = np.random.default_rng(3)
    for _ in range(200):
        p = int(rng.integers(1, 12))
        phi = rng.normal(scale=0.6, size=p)
        radius = float(ar.spectral_radius(phi))
        if abs(radius - 1) > 1e-9:
            assert ar.schur_cohn(phi).stable == (radius < 1)


def test_levinson_refuses_an_unstable_process():
    with pytest.raises(ArithmeticError):
        ar.levinson_autocovariances(np.array([1.5]), 3)
