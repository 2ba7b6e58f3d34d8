"""Smooth nonconvex stochastic problems min_x F(x) = E f(x, xi) with exact grad F (D3's measure).

* :class:`PCAProblem` (streaming PCA, the Oja/Rayleigh objective of eq. (4) with the sphere
  replaced by a quartic penalty so that F is smooth and bounded below on all of R^d):

      f(x, X) = -(X^T x)^2 / 2 + (rho/4) (||x||^2 - 1)^2,   X ~ the data model, E X X^T = Sigma,
      F(x)    = -x^T Sigma x / 2 + (rho/4) (||x||^2 - 1)^2,
      grad F  = -Sigma x + rho (||x||^2 - 1) x.

  Stationary points: x = 0 (a maximum) and x = +-r_i v_i with r_i^2 = 1 + lambda_i/rho
  (saddles for i >= 2); the minima are +-r_1 v_1, F* = -lambda_1/2 - lambda_1^2/(4 rho).
  grad F is Lipschitz on bounded sets (not globally: the penalty is quartic). The samples
  come from :class:`simulate.data.DataSampler` (the project's data models, Gaussian by default).

* :class:`CauchyRegression` (nonconvex robust regression, a finite sum, xi uniform on 1..n):

      f(x, i) = (c^2/2) log(1 + (a_i^T x - b_i)^2 / c^2),  F(x) = (1/n) sum_i f(x, i),
      grad F  = (1/n) sum_i psi(a_i^T x - b_i) a_i,  psi(r) = r / (1 + r^2/c^2).

  The Cauchy loss is nonconvex (psi' < 0 for |r| > c), F >= 0, and grad F is globally
  Lipschitz with L <= ||A||_2^2 / n (psi' lies in [-1/8, 1]). The data set is fixed by the
  problem's own seed: a_i ~ N(0, I_d), x_true ~ N(0, I_d / d), b_i = a_i^T x_true + e_i with
  e_i ~ N(0, 0.5^2) and, with probability ``outliers``, e_i ~ 5 Cauchy instead.

Sampling consumes a fixed number of raw variates per update (PCA: the data model's; regression:
one double U, i = floor(n U)), so a run's samples do not depend on chunking.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulate.adaptive.names import DEFAULT_EIGENVALUES, DEFAULT_PCA_DISTRIBUTION, PROBLEMS
from simulate.data import DataSampler
from simulate.seeds import generator, stable_key
from theory.problem import Problem
from theory.validation import ParameterError, check_positive, check_positive_int

# PROBLEMS and DEFAULT_EIGENVALUES live in simulate.adaptive.names (for the command line)
__all__ = [
    "DEFAULT_EIGENVALUES",
    "DEFAULT_PCA",
    "PROBLEMS",
    "CauchyRegression",
    "PCAProblem",
    "StochasticProblem",
    "make_problem",
]


def _rows_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", a, b)


@dataclass(frozen=True, eq=False)
class PCAProblem:
    """Streaming PCA with a quartic penalty (module docstring); ``rho`` defaults to lambda_1."""

    problem: Problem
    distribution: str = "gaussian"
    rho: float | None = None
    batch: int = 1
    start_radius: float = 1.0  # x_0's norm (D1 starts far from stationarity: 2)
    sampler: DataSampler = field(init=False, repr=False)
    name = "pca"

    def __post_init__(self) -> None:
        rho = self.problem.lambda1 if self.rho is None else self.rho
        object.__setattr__(self, "rho", check_positive("rho", rho))
        object.__setattr__(self, "batch", check_positive_int("batch", self.batch))
        object.__setattr__(self, "start_radius", check_positive("start_radius", self.start_radius))
        object.__setattr__(self, "sampler", DataSampler.create(self.problem, self.distribution))

    @property
    def d(self) -> int:
        return self.problem.d

    @property
    def spec(self) -> str:
        lam = ",".join(repr(float(x)) for x in self.problem.eigenvalues)
        rot = (
            "diag" if self.problem.is_diagonal else f"rot{stable_key(self.problem.sigma.tobytes())}"
        )
        start = "" if self.start_radius == 1.0 else f",start={self.start_radius!r}"
        return (
            f"pca(lambda={lam},{rot},{self.distribution},rho={self.rho!r},batch={self.batch}"
            f"{start})"
        )

    @property
    def f_star(self) -> float:
        lam, rho = self.problem.lambda1, float(self.rho)  # type: ignore[arg-type]
        return -lam / 2.0 - lam**2 / (4.0 * rho)

    def minimizer(self) -> np.ndarray:
        r = np.sqrt(1.0 + self.problem.lambda1 / float(self.rho))  # type: ignore[arg-type]
        return r * self.problem.top_eigenvector

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n minibatches of X (n, batch, d), original coordinates."""
        z = self.sampler.draw(rng, n * self.batch)
        return self.sampler.original(z).reshape(n, self.batch, self.d)

    def start(self, rng: np.random.Generator) -> np.ndarray:
        """x_0 uniform on the sphere of radius ``start_radius`` (default the unit sphere)."""
        z = rng.standard_normal(self.d)
        return self.start_radius * z / np.linalg.norm(z)

    def stoch_grad(self, x: np.ndarray, xi: np.ndarray) -> np.ndarray:
        """The minibatch mean of grad f(x, X) = -X (X^T x) + rho (||x||^2 - 1) x, per lane
        (x: (lanes, d), xi: (lanes, batch, d))."""
        pen = float(self.rho) * (_rows_dot(x, x) - 1.0)  # type: ignore[arg-type]
        proj = np.einsum("lbi,li->lb", xi, x)
        return pen[:, None] * x - np.einsum("lbi,lb->li", xi, proj) / self.batch

    def grad(self, x: np.ndarray) -> np.ndarray:
        """Exact grad F on the last axis."""
        x = np.asarray(x, dtype=float)
        pen = float(self.rho) * (np.sum(x * x, axis=-1, keepdims=True) - 1.0)  # type: ignore[arg-type]
        return pen * x - x @ self.problem.sigma

    def value(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        n2 = np.sum(x * x, axis=-1)
        quad = np.einsum("...i,ij,...j->...", x, self.problem.sigma, x)
        return -0.5 * quad + 0.25 * float(self.rho) * (n2 - 1.0) ** 2  # type: ignore[arg-type]

    def describe(self) -> dict[str, object]:
        return {
            "problem": "pca",
            "objective": "F(x) = -x^T Sigma x/2 + rho/4 (||x||^2 - 1)^2",
            "eigenvalues": self.problem.eigenvalues,
            "distribution": self.distribution,
            "rho": self.rho,
            "d": self.d,
        }


@dataclass(frozen=True, eq=False)
class CauchyRegression:
    """Robust regression with the Cauchy loss on a fixed data set (module docstring)."""

    n: int = 256
    d: int = 10
    c: float = 1.0
    outliers: float = 0.2
    seed: int = 0
    batch: int = 1
    A: np.ndarray = field(init=False, repr=False)
    b: np.ndarray = field(init=False, repr=False)
    x_true: np.ndarray = field(init=False, repr=False)
    name = "regression"

    def __post_init__(self) -> None:
        n = check_positive_int("n", self.n)
        d = check_positive_int("d", self.d)
        check_positive("c", self.c)
        check_positive_int("batch", self.batch)
        if not 0.0 <= float(self.outliers) < 1.0:
            raise ParameterError("outliers", self.outliers, "a fraction in [0, 1)")
        rng = generator(int(self.seed), (stable_key("cauchy-regression", n, d, self.outliers),))
        A = rng.standard_normal((n, d))
        x_true = rng.standard_normal(d) / np.sqrt(d)
        noise = 0.5 * rng.standard_normal(n)
        outlier = rng.random(n) < self.outliers
        noise[outlier] = 5.0 * rng.standard_cauchy(int(outlier.sum()))
        for name, value in (("A", A), ("b", A @ x_true + noise), ("x_true", x_true)):
            value.setflags(write=False)
            object.__setattr__(self, name, value)

    @property
    def spec(self) -> str:
        return (
            f"regression(cauchy,n={self.n},d={self.d},c={self.c!r},"
            f"outliers={self.outliers!r},seed={self.seed},batch={self.batch})"
        )

    def psi(self, r: np.ndarray) -> np.ndarray:
        return r / (1.0 + (r / self.c) ** 2)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n minibatches of indices (n, batch), i = floor(n_data U), one double each."""
        u = rng.random(n * self.batch).reshape(n, self.batch)
        return np.minimum((u * self.n).astype(np.int64), self.n - 1)

    def start(self, rng: np.random.Generator) -> np.ndarray:
        """x_0 ~ N(0, I_d / d) (as x_true: residuals mostly where psi is informative)."""
        return rng.standard_normal(self.d) / np.sqrt(self.d)

    def stoch_grad(self, x: np.ndarray, xi: np.ndarray) -> np.ndarray:
        """The minibatch mean of grad f(x, i) = psi(a_i^T x - b_i) a_i, per lane
        (x: (lanes, d), xi: (lanes, batch) indices)."""
        a = self.A[xi]
        r = np.einsum("lbi,li->lb", a, x) - self.b[xi]
        return np.einsum("lbi,lb->li", a, self.psi(r)) / self.batch

    def grad(self, x: np.ndarray) -> np.ndarray:
        """Exact grad F on the last axis (a sum over the whole data set)."""
        r = np.asarray(x, dtype=float) @ self.A.T - self.b
        return self.psi(r) @ self.A / self.n

    def value(self, x: np.ndarray) -> np.ndarray:
        r = np.asarray(x, dtype=float) @ self.A.T - self.b
        return np.mean(0.5 * self.c**2 * np.log1p((r / self.c) ** 2), axis=-1)

    def describe(self) -> dict[str, object]:
        return {
            "problem": "regression",
            "objective": "F(x) = mean_i c^2/2 log(1 + (a_i^T x - b_i)^2/c^2)",
            "n": self.n,
            "d": self.d,
            "c": self.c,
            "outliers": self.outliers,
        }


StochasticProblem = PCAProblem | CauchyRegression

DEFAULT_PCA = {"distribution": DEFAULT_PCA_DISTRIBUTION, "batch": 8}


def make_problem(
    name: str, *, problem: Problem | None = None, **kwargs: object
) -> StochasticProblem:
    """``pca`` (Sigma from ``problem``, default eigenvalues :data:`DEFAULT_EIGENVALUES`) or
    ``regression`` (keyword arguments of :class:`CauchyRegression`)."""
    if name == "pca":
        problem = problem or Problem.from_eigenvalues(DEFAULT_EIGENVALUES)
        return PCAProblem(problem, **{**DEFAULT_PCA, **kwargs})  # type: ignore[arg-type]
    if name == "regression":
        return CauchyRegression(**kwargs)  # type: ignore[arg-type]
    raise ParameterError("problem", name, "one of " + ", ".join(PROBLEMS))
