"""Data distributions with exact fourth moments: alpha_{i,j}, phi and C_d (A2).

Every model is X = A z with A = Sigma^(1/2) (the symmetric square root) and z a standardised
vector (E z = 0, E z z^T = I), so E X X^T = Sigma. In eigen-coordinates Y = Q^T X = B z with
B = Lambda^(1/2) Q^T. Two families cover all the models the simulator offers:

* ``iid`` coordinates of z with kurtosis kappa = E z_k^4 (Gaussian 3, Rademacher 1, uniform on
  [-sqrt 3, sqrt 3] 9/5). Then E z_a z_b z_c z_e = [ab][ce] + [ac][be] + [ae][bc] + (kappa-3)[abce]
  and alpha_{i,j}^2 = E[Y_i^2 Y_j^2] = lambda_i lambda_j (1 + 2[i=j])
  + (kappa - 3) sum_k B_ik^2 B_jk^2.
* ``spherical`` z (rotation invariant): E z_a z_b z_c z_e = m ([ab][ce] + [ac][be] + [ae][bc]) with
  m = E|z|^4 / (d (d + 2)); then alpha_{i,j}^2 = m lambda_i lambda_j (1 + 2[i=j]). Uniform in the
  ball of radius sqrt(d+2): m = (d+2)/(d+4); uniform on the sphere of radius sqrt(d): m = d/(d+2).

alpha_{i,j} = sqrt(E[(Y^(i))^2 (Y^(j))^2]) is THEORY.md's reconstruction (the square root is what
makes alpha_{i,1}/(1-mu) the diffusion coefficient of Theorem 5; see :mod:`theory.ou`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from theory.problem import Problem
from theory.validation import ParameterError

PHI_CONVENTIONS: dict[str, str] = {
    "offdiag": "phi = sum_{j >= 2} alpha_{1,j}^2 (j = 1 excluded; what Phase III's OU sum gives)",
    "all": "phi = sum_{j >= 1} alpha_{1,j}^2 (j = 1 included; a larger, still valid constant)",
}
DEFAULT_PHI = "offdiag"

# Enumerating the 2^d sign vectors gives C_d exactly for the box-supported models up to this d.
_EXACT_VERTEX_MAX_D = 16


@dataclass(frozen=True)
class DataModel:
    """A distribution of X with an exact alpha_{i,j} and C_d (or C_d = inf when unbounded)."""

    name: str
    family: Literal["iid", "spherical"]
    description: str
    kurtosis: float = 3.0  # iid family: E z_k^4
    coordinate_bound: float = math.inf  # iid family: |z_k| <= this

    def fourth_moment_factor(self, d: int) -> float:
        """m for the spherical family: E|z|^4 / (d (d + 2))."""
        if self.name == "uniform-ball":
            return (d + 2) / (d + 4)
        if self.name == "uniform-sphere":
            return d / (d + 2)
        raise AssertionError(self.name)

    @property
    def bounded(self) -> bool:
        """Whether A2 (||X|| <= C_d) holds."""
        return self.family == "spherical" or math.isfinite(self.coordinate_bound)

    def mixing_matrix(self, problem: Problem) -> np.ndarray:
        """A = Sigma^(1/2), so X = A z."""
        q, lam = problem.eigenvectors, problem.eigenvalues
        return (q * np.sqrt(lam)) @ q.T

    def eigen_mixing_matrix(self, problem: Problem) -> np.ndarray:
        """B = Q^T A = Lambda^(1/2) Q^T, so Y = Q^T X = B z."""
        return np.sqrt(problem.eigenvalues)[:, None] * problem.eigenvectors.T

    def alpha2(self, problem: Problem) -> np.ndarray:
        """The matrix alpha_{i,j}^2 = E[Y_i^2 Y_j^2], exact."""
        lam = problem.eigenvalues
        base = np.outer(lam, lam) * (1.0 + 2.0 * np.eye(problem.d))
        if self.family == "spherical":
            return self.fourth_moment_factor(problem.d) * base
        b2 = self.eigen_mixing_matrix(problem) ** 2
        return base + (self.kurtosis - 3.0) * (b2 @ b2.T)

    def alpha(self, problem: Problem) -> np.ndarray:
        return np.sqrt(self.alpha2(problem))

    def phi(self, problem: Problem, convention: str = DEFAULT_PHI) -> float:
        return phi_from_alpha2(self.alpha2(problem), convention)

    def C_d(self, problem: Problem) -> tuple[float, bool]:
        """(C_d, exact): the smallest bound on ||X|| when ``exact``, else a valid upper bound."""
        if self.family == "spherical":
            radius2 = problem.d + 2 if self.name == "uniform-ball" else problem.d
            return math.sqrt(radius2 * problem.lambda1), True
        if not math.isfinite(self.coordinate_bound):
            return math.inf, True
        # ||X||^2 = c^2 s^T Sigma s is convex in s, so its maximum over the box is at a vertex.
        c2 = self.coordinate_bound**2
        s = problem.sigma
        if problem.d <= _EXACT_VERTEX_MAX_D:
            best = 0.0
            for tail in itertools.product((1.0, -1.0), repeat=problem.d - 1):
                sv = np.array((1.0, *tail))
                best = max(best, float(sv @ s @ sv))
            return math.sqrt(c2 * best), True
        return math.sqrt(c2 * float(np.abs(s).sum())), False


GAUSSIAN = DataModel(
    "gaussian", "iid", "X ~ N(0, Sigma): unbounded, violates A2 (C_d = inf)", kurtosis=3.0
)
RADEMACHER = DataModel(
    "rademacher",
    "iid",
    "X = Sigma^(1/2) s, s_k = +-1 equally likely: bounded (A2)",
    kurtosis=1.0,
    coordinate_bound=1.0,
)
UNIFORM_BOX = DataModel(
    "uniform-box",
    "iid",
    "X = Sigma^(1/2) u, u_k uniform on [-sqrt 3, sqrt 3]: bounded (A2)",
    kurtosis=9.0 / 5.0,
    coordinate_bound=math.sqrt(3.0),
)
UNIFORM_BALL = DataModel(
    "uniform-ball",
    "spherical",
    "X = Sigma^(1/2) u, u uniform in the ball of radius sqrt(d+2) (a solid ellipsoid): "
    "bounded (A2)",
)
UNIFORM_SPHERE = DataModel(
    "uniform-sphere",
    "spherical",
    "X = Sigma^(1/2) u, u uniform on the sphere of radius sqrt(d) (an ellipsoid's surface): "
    "bounded (A2)",
)

MODELS: dict[str, DataModel] = {
    m.name: m for m in (GAUSSIAN, RADEMACHER, UNIFORM_BOX, UNIFORM_BALL, UNIFORM_SPHERE)
}


def get_model(name: str) -> DataModel:
    try:
        return MODELS[name]
    except KeyError:
        raise ParameterError("distribution", name, "one of " + ", ".join(sorted(MODELS))) from None


def phi_from_alpha2(alpha2: np.ndarray, convention: str = DEFAULT_PHI) -> float:
    """phi of Theorem 5/Proposition 6 under a named convention (see ``PHI_CONVENTIONS``)."""
    if convention == "offdiag":
        return float(np.sum(alpha2[0, 1:]))
    if convention == "all":
        return float(np.sum(alpha2[0, :]))
    raise ParameterError("phi convention", convention, "one of " + ", ".join(PHI_CONVENTIONS))
