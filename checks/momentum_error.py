"""The momentum approximation error of Lemma 2 (C2) along paths of eq. (5).

With g(w) = Sigma w - (w^T Sigma w) w and w_j = v_{j - tau_j}, eq. (6) defines
m_{k+1} = sum_{i=0}^{k} mu^i g(w_{k-i}) (so m_{k+1} = mu m_k + g(w_k), m_0 = 0); Lemma 2 bounds
e_k = ||m_{k+1} - M(v_k)||, M(v) = g(v)/(1 - mu). Everything runs in eigen-coordinates
(Sigma = diag(lambda)), where g keeps its form.

* :func:`mean_field_errors`: the noise-free recursion (X X^T replaced by its mean Sigma),
  deterministic; e_k on a window of the ODE's own time s = k eta/(1-mu), so every momentum
  traverses the same arc of the ODE (C3's solution in time s does not depend on mu).
* :func:`noisy_errors`: the same statistic along simulated paths of eq. (5) (every iterate
  recorded), per run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from checks.profile import Profile
from simulate import Config, RecordSpec, simulate
from theory import momentum, ode
from theory.problem import Problem


def memory_steps(mu: float, eta: float) -> int:
    """K with mu^K <= eta^2 (:func:`theory.momentum.memory_steps`); 1 without momentum."""
    if mu == 0.0:
        return 1
    return max(1, math.ceil(float(momentum.memory_steps()(mu, eta))))


def _g(w: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """g(w) = Lambda w - (w^T Lambda w) w over the last axis (:func:`theory.ode.drift_function`)."""
    parts = ode.drift_function(lam.size)(lam, np.moveaxis(w, -1, 0))
    return np.stack(np.broadcast_arrays(*parts), axis=-1)


def _errors_along(h: np.ndarray, lam: np.ndarray, mu: float, tau: int) -> np.ndarray:
    """e_k for k = 0..N-1 from iterates h (..., N + 1, d) (v_{-i} = v_0 for the stale reads)."""
    n = h.shape[-2] - 1
    idx = np.maximum(np.arange(n) - tau, 0)
    gw = _g(h[..., idx, :], lam)  # g(w_k)
    gv = _g(h[..., :n, :], lam) / (1.0 - mu)  # M(v_k)
    m = np.zeros_like(gw[..., 0, :])
    err = np.empty((*h.shape[:-2], n))
    for k in range(n):
        m = mu * m + gw[..., k, :]
        err[..., k] = np.linalg.norm(m - gv[..., k, :], axis=-1)
    return err


@dataclass(frozen=True)
class Window:
    """The ODE-time window s in [start, end] (s = k eta/(1-mu)) on which errors are taken."""

    start: float = 0.5
    end: float = 2.0

    def steps(self, mu: float, eta: float) -> tuple[int, int]:
        to_steps = ode.steps_for_ode_time()
        k0 = max(memory_steps(mu, eta), math.ceil(float(to_steps(self.start, mu, eta))))
        return k0, math.ceil(float(to_steps(self.end, mu, eta)))


def mean_field_path(
    lam: np.ndarray, h0: np.ndarray, mu: float, eta: float, tau: int, steps: int
) -> np.ndarray:
    """The noise-free recursion h_{k+1} = h_k + mu (h_k - h_{k-1}) + eta g(h_{k-tau}), with
    h_{-i} = h_0; returns h_0..h_steps."""
    h = np.empty((steps + 1, lam.size))
    h[0] = h0
    prev = h0
    for k in range(steps):
        w = h[max(k - tau, 0)]
        h[k + 1] = h[k] + mu * (h[k] - prev) + eta * _g(w, lam)
        prev = h[k]
    return h


def mean_field_errors(
    lam: tuple[float, ...],
    h0: np.ndarray,
    mu: float,
    eta: float,
    tau: int = 0,
    window: Window = Window(),
) -> dict[str, float]:
    """max and e at the first step of the window, and e_1 (the first step, k = 1), noise-free."""
    lam_ = np.asarray(lam, dtype=float)
    k0, k1 = window.steps(mu, eta)
    h = mean_field_path(lam_, np.asarray(h0, dtype=float), mu, eta, tau, k1 + 1)
    err = _errors_along(h, lam_, mu, tau)
    return {
        "max": float(err[k0 : k1 + 1].max()),
        "first": float(err[1]),
        "k0": k0,
        "k1": k1,
    }


def noisy_errors(
    spectrum: tuple[float, ...],
    distribution: str,
    h0: np.ndarray,
    mu: float,
    eta: float,
    profile: Profile,
    *,
    runs: int,
    tau: int = 0,
    window: Window = Window(),
) -> dict[str, np.ndarray | int]:
    """Per run: max of e_k over the window, along simulated paths of eq. (5)."""
    problem = Problem.from_eigenvalues(spectrum)
    k0, k1 = window.steps(mu, eta)
    res = simulate(
        problem,
        Config(mu, eta, tau),
        runs=runs,
        steps=k1 + 1,
        seed=profile.seed,
        start=np.asarray(h0, dtype=float),
        distribution=distribution,
        records=RecordSpec(steps=tuple(range(k1 + 2)), h=True, delta=None, eps=None),
        engine=profile.engine,
    )[0]
    err = _errors_along(res.h_at, np.asarray(spectrum, dtype=float), mu, tau)
    return {"max": err[:, k0 : k1 + 1].max(axis=1), "k0": k0, "k1": k1}
