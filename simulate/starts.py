"""Initial points v_0 on the unit sphere (THEORY.md: v_{-i} = v_0 = v_1 on the sphere).

``e<j>`` is the j-th eigenvector v^j of Sigma (eigenvalues sorted decreasingly), so ``e2`` is the
saddle of Figure 1 (C12) and ``e1`` the optimum; in eigen-coordinates it is exactly the basis
vector e_j. ``random`` is g / |g| with g ~ N(0, I_d) from the run's start stream (uniform on the
sphere). An explicit vector is normalised to the sphere.
"""

from __future__ import annotations

import re

import numpy as np

from theory.problem import Problem
from theory.validation import ParameterError

_ALLOWED = "e1, e2, ..., e<d> (an eigenvector of Sigma), random, or a nonzero vector of length d"


def parse_start(start: object, d: int) -> str | np.ndarray:
    """Validate ``start``: 'e<j>' (1 <= j <= d), 'random', or a finite nonzero d-vector."""
    if isinstance(start, str):
        text = start.strip().lower()
        if text == "random":
            return text
        m = re.fullmatch(r"e(\d+)", text)
        if m and 1 <= int(m.group(1)) <= d:
            return text
        raise ParameterError("start", start, _ALLOWED)
    try:
        v = np.asarray(start, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError("start", start, _ALLOWED) from None
    if v.shape != (d,) or not np.all(np.isfinite(v)) or not np.any(v):
        raise ParameterError("start", start, _ALLOWED)
    return v / np.linalg.norm(v)


def saddle_index(start: str | np.ndarray) -> int | None:
    """0-based index j of the eigenvector an 'e<j+1>' start sits on, else None."""
    if isinstance(start, str) and start.startswith("e"):
        return int(start[1:]) - 1
    return None


def start_eigen(
    problem: Problem, start: str | np.ndarray, rng: np.random.Generator | None
) -> np.ndarray:
    """h_0 = Q^T v_0 for one run (``rng``: the run's start stream, used by 'random' only)."""
    j = saddle_index(start)
    if j is not None:
        h = np.zeros(problem.d)
        h[j] = 1.0
        return h
    return problem.to_eigen(start_original(problem, start, rng))


def start_original(
    problem: Problem, start: str | np.ndarray, rng: np.random.Generator | None
) -> np.ndarray:
    """v_0 in the original coordinates for one run."""
    j = saddle_index(start)
    if j is not None:
        return problem.eigenvectors[:, j].copy()
    if isinstance(start, str):  # random
        assert rng is not None
        g = rng.standard_normal(problem.d)
        return g / np.linalg.norm(g)
    return np.array(start, dtype=float)
