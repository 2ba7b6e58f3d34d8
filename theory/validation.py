"""Parameter validation shared by every part of the toolkit.

A user mistake (mu = 1, a negative step size, a covariance without an eigen-gap) raises
:class:`ParameterError`, whose message names the parameter, the value received and the allowed
range. The CLI turns it into a one-line error instead of a stack trace.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from theory.errors import ParameterError


def _real(name: str, value: object, allowed: str = "a finite real number") -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:
            value = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ParameterError(name, value, allowed) from None
    x = float(value)
    if not math.isfinite(x):
        raise ParameterError(name, value, allowed)
    return x


def check_mu(mu: object) -> float:
    """Momentum parameter of eq. (5): mu in [0, 1)."""
    allowed = "momentum mu must lie in [0, 1)"
    x = _real("mu", mu, allowed)
    if not 0.0 <= x < 1.0:
        raise ParameterError("mu", mu, allowed)
    return x


def check_eta(eta: object) -> float:
    """Step size of eq. (5): eta > 0."""
    allowed = "step size eta must be a finite number > 0"
    x = _real("eta", eta, allowed)
    if not x > 0.0:
        raise ParameterError("eta", eta, allowed)
    return x


def check_tau(tau: object, name: str = "tau") -> int:
    """A delay: a non-negative integer number of updates."""
    if isinstance(tau, bool):
        raise ParameterError(name, tau, "a delay must be an integer >= 0")
    if isinstance(tau, numbers.Integral):
        t = int(tau)
    else:
        x = _real(name, tau, "a delay must be an integer >= 0")
        if x != int(x):
            raise ParameterError(name, tau, "a delay must be an integer >= 0")
        t = int(x)
    if t < 0:
        raise ParameterError(name, tau, "a delay must be an integer >= 0")
    return t


def check_gamma(gamma: object, upper: float) -> float:
    """The exponent gamma of the delay conditions: (0, 1] for C1/C3/C7, (0, 1/2] for C4-C11."""
    allowed = f"gamma must lie in (0, {upper:g}]"
    x = _real("gamma", gamma, allowed)
    if not 0.0 < x <= upper:
        raise ParameterError("gamma", gamma, allowed)
    return x


def check_open_unit(name: str, value: object) -> float:
    """A probability or tolerance strictly between 0 and 1 (nu, delta, eps)."""
    allowed = f"{name} must lie in (0, 1)"
    x = _real(name, value, allowed)
    if not 0.0 < x < 1.0:
        raise ParameterError(name, value, allowed)
    return x


def check_positive(name: str, value: object) -> float:
    allowed = f"{name} must be a finite number > 0"
    x = _real(name, value, allowed)
    if not x > 0.0:
        raise ParameterError(name, value, allowed)
    return x


def check_positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        x = _real(name, value, f"{name} must be an integer >= 1")
        if x != int(x):
            raise ParameterError(name, value, f"{name} must be an integer >= 1")
        value = int(x)
    if int(value) < 1:
        raise ParameterError(name, value, f"{name} must be an integer >= 1")
    return int(value)


def check_covariance(sigma: object, *, rtol: float = 1e-10) -> np.ndarray:
    """Sigma of Assumption 1 (A1): real, symmetric positive definite, lambda_1 > lambda_2.

    Returns the matrix as a float array. The eigen-gap is tested relative to lambda_1.
    """
    try:
        s = np.asarray(sigma, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError("sigma", sigma, "a real square matrix") from None
    if s.ndim != 2 or s.shape[0] != s.shape[1] or s.shape[0] < 2:
        raise ParameterError(
            "sigma", sigma, "a square matrix of size d x d with d >= 2", f"got shape {s.shape}"
        )
    if not np.all(np.isfinite(s)):
        raise ParameterError("sigma", sigma, "finite entries only")
    scale = max(float(np.max(np.abs(s))), np.finfo(float).tiny)
    asym = float(np.max(np.abs(s - s.T)))
    if asym > rtol * scale:
        raise ParameterError(
            "sigma", sigma, "a symmetric matrix (A1)", f"max |S - S^T| = {asym:.3g}"
        )
    s = 0.5 * (s + s.T)
    lam = np.linalg.eigvalsh(s)[::-1]
    if not lam[-1] > 0.0:
        raise ParameterError(
            "sigma",
            sigma,
            "a positive definite matrix (A1: lambda_d > 0)",
            f"smallest eigenvalue {lam[-1]:.6g}",
        )
    if not lam[0] - lam[1] > rtol * lam[0] * 10:
        raise ParameterError(
            "sigma",
            sigma,
            "an eigen-gap lambda_1 > lambda_2 (A1)",
            f"lambda_1 = {lam[0]:.10g}, lambda_2 = {lam[1]:.10g}",
        )
    return s
