"""Samples X_k of the data models of :mod:`theory.distributions`, drawn in blocks per run.

Every model is X = A z, A = Sigma^(1/2), z standardised (theory/distributions.py), and the
simulator works in eigen-coordinates Y = Q^T X (THEORY.md setting), where eq. (5) keeps its form
because it is rotation-equivariant. How z is made from a run's data stream, one sample at a time,
with a fixed number of raw variates per sample (so any block length consumes the stream alike):

* ``gaussian``: d standard normals.
* ``uniform-sphere``: g ~ N(0, I_d), z = sqrt(d) g / |g|.
* ``uniform-ball``: g ~ N(0, I_{d+2}), z = sqrt(d+2) g_{1..d} / |g| (the first d coordinates of a
  uniform point of the sphere S^{d+1} are uniform in the unit ball of R^d).
* ``rademacher``: d doubles U, z_k = -1 if U_k < 1/2 else +1.
* ``uniform-box``: d doubles U, z_k = sqrt(3) (2 U_k - 1).

For the rotation-invariant models (Gaussian, sphere, ball) Q^T z has the law of z, so the drawn
vector is taken to *be* Q^T z: then Y = Lambda^(1/2) z, d multiplications, and X = Q Y. The
coordinate-wise models (Rademacher, box) are not rotation invariant: Y = B z with
B = Lambda^(1/2) Q^T and X = A z, exactly as theory/distributions.py defines them. Either way
E X X^T = Sigma and E[Y_i^2 Y_j^2] = alpha_{i,j}^2 is the exact value of theory/distributions.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from theory.distributions import DataModel, get_model
from theory.problem import Problem

ROTATION_INVARIANT = ("gaussian", "uniform-sphere", "uniform-ball")


@dataclass(frozen=True, eq=False)
class DataSampler:
    """Draws z for one (problem, data model) and maps it to Y = Q^T X or to X."""

    problem: Problem
    model: DataModel
    # Y = mixing @ z; diagonal (sqrt(lambda)) for the rotation-invariant models
    mixing: np.ndarray = field(init=False, repr=False)
    diagonal: bool = field(init=False)

    def __post_init__(self) -> None:
        diagonal = self.model.name in ROTATION_INVARIANT
        if diagonal:
            mixing = np.diag(np.sqrt(self.problem.eigenvalues))
        else:
            mixing = self.model.eigen_mixing_matrix(self.problem)
        mixing.setflags(write=False)
        object.__setattr__(self, "mixing", mixing)
        object.__setattr__(self, "diagonal", diagonal)

    @classmethod
    def create(cls, problem: Problem, distribution: str | DataModel = "gaussian") -> DataSampler:
        model = distribution if isinstance(distribution, DataModel) else get_model(distribution)
        return cls(problem, model)

    @property
    def d(self) -> int:
        return self.problem.d

    @property
    def raw_width(self) -> int:
        """Raw variates per sample."""
        return self.d + 2 if self.model.name == "uniform-ball" else self.d

    @property
    def raw_normal(self) -> bool:
        """Raw variates are standard normals (else uniform doubles in [0, 1))."""
        return self.model.name in ROTATION_INVARIANT

    def draw_raw(self, rng: np.random.Generator, out: np.ndarray) -> None:
        """Fill a C-contiguous (n, raw_width) buffer from ``rng``."""
        if self.raw_normal:
            rng.standard_normal(out=out)
        else:
            rng.random(out=out)

    def standardise(self, raw: np.ndarray) -> np.ndarray:
        """z (..., d) from raw variates (..., raw_width); elementwise, so batch independent."""
        name, d = self.model.name, self.d
        if name == "gaussian":
            return raw
        if name == "rademacher":
            return np.where(raw < 0.5, -1.0, 1.0)
        if name == "uniform-box":
            return math.sqrt(3.0) * (2.0 * raw - 1.0)
        # sphere / ball: divide by the norm of all raw coordinates, summed in a fixed order
        norm2 = raw[..., 0] * raw[..., 0]
        for k in range(1, raw.shape[-1]):
            norm2 += raw[..., k] * raw[..., k]
        radius = math.sqrt(d if name == "uniform-sphere" else d + 2)
        return raw[..., :d] * (radius / np.sqrt(norm2))[..., None]

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n standardised samples z (n, d)."""
        raw = np.empty((n, self.raw_width))
        self.draw_raw(rng, raw)
        return self.standardise(raw)

    def eigen(self, z: np.ndarray) -> np.ndarray:
        """Y = mixing @ z on the last axis, summed in the order the kernels use."""
        if self.diagonal:
            return z * np.diag(self.mixing)
        y = np.empty(z.shape)
        for i in range(self.d):
            acc = self.mixing[i, 0] * z[..., 0]
            for k in range(1, self.d):
                acc += self.mixing[i, k] * z[..., k]
            y[..., i] = acc
        return y

    def original(self, z: np.ndarray) -> np.ndarray:
        """X in the original coordinates (the reference loop): Q Lambda^(1/2) z or A z."""
        if self.diagonal:
            return (z * np.sqrt(self.problem.eigenvalues)) @ self.problem.eigenvectors.T
        return z @ self.model.mixing_matrix(self.problem).T

    def alpha2(self) -> np.ndarray:
        """The exact alpha_{i,j}^2 = E[Y_i^2 Y_j^2] of theory/distributions.py."""
        return self.model.alpha2(self.problem)

    @property
    def bounded(self) -> bool:
        """Whether A2 (||X|| <= C_d) holds."""
        return self.model.bounded

    def C_d(self) -> tuple[float, bool]:
        return self.model.C_d(self.problem)
