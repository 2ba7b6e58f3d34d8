"""The streaming-PCA problem of eq. (4): Sigma, its eigen-decomposition, and the constants of A1/A2.

Sigma may be any symmetric positive definite matrix with an eigen-gap (Assumption 1); the
eigen-coordinates h = Q^T v, Y = Q^T X of Section 3.1 use the eigenvectors sorted by decreasing
eigenvalue. The fourth-moment constants alpha_{i,j} and C_d depend on the data distribution too,
so they live in :mod:`theory.distributions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from theory.validation import ParameterError, check_covariance


def _fix_signs(q: np.ndarray) -> np.ndarray:
    """Make each eigenvector's largest-magnitude entry positive, so Q is reproducible."""
    idx = np.argmax(np.abs(q), axis=0)
    signs = np.sign(q[idx, np.arange(q.shape[1])])
    signs[signs == 0] = 1.0
    return q * signs


@dataclass(frozen=True)
class Problem:
    """Sigma = Q diag(lambda) Q^T with lambda_1 > lambda_2 >= ... >= lambda_d > 0 (A1)."""

    sigma: np.ndarray
    eigenvalues: np.ndarray = field(repr=False)
    eigenvectors: np.ndarray = field(repr=False)

    @classmethod
    def from_matrix(cls, sigma: object) -> Problem:
        s = check_covariance(sigma)
        lam, q = np.linalg.eigh(s)
        order = np.argsort(lam)[::-1]
        lam, q = lam[order], _fix_signs(q[:, order])
        for a in (s, lam, q):
            a.setflags(write=False)
        return cls(sigma=s, eigenvalues=lam, eigenvectors=q)

    @classmethod
    def from_eigenvalues(cls, eigenvalues: object, rotation: object | None = None) -> Problem:
        """Sigma = R diag(eigenvalues) R^T; R orthogonal (identity when omitted)."""
        try:
            lam = np.asarray(eigenvalues, dtype=float).ravel()
        except (TypeError, ValueError):
            raise ParameterError("sigma", eigenvalues, "a list of real eigenvalues") from None
        if lam.size < 2:
            raise ParameterError("sigma", eigenvalues, "at least two eigenvalues (d >= 2)")
        if rotation is None:
            r = np.eye(lam.size)
        else:
            r = np.asarray(rotation, dtype=float)
            if r.shape != (lam.size, lam.size) or not np.allclose(
                r.T @ r, np.eye(lam.size), atol=1e-10
            ):
                raise ParameterError("rotation", rotation, "an orthogonal d x d matrix")
        return cls.from_matrix(r @ np.diag(lam) @ r.T)

    @classmethod
    def random_rotation(cls, eigenvalues: object, rng: np.random.Generator) -> Problem:
        """Sigma with the given spectrum and a Haar-random orthogonal eigenbasis."""
        from scipy.stats import ortho_group

        lam = np.asarray(eigenvalues, dtype=float).ravel()
        if lam.size < 2:
            raise ParameterError("sigma", eigenvalues, "at least two eigenvalues (d >= 2)")
        return cls.from_eigenvalues(lam, ortho_group.rvs(lam.size, random_state=rng))

    @property
    def d(self) -> int:
        return int(self.sigma.shape[0])

    @property
    def lambda1(self) -> float:
        return float(self.eigenvalues[0])

    @property
    def lambda2(self) -> float:
        return float(self.eigenvalues[1])

    @property
    def gap(self) -> float:
        """lambda_1 - lambda_2 > 0 (A1)."""
        return self.lambda1 - self.lambda2

    @property
    def is_diagonal(self) -> bool:
        return bool(np.allclose(self.sigma, np.diag(np.diag(self.sigma)), atol=0.0))

    @property
    def top_eigenvector(self) -> np.ndarray:
        """v^1, the optimum of eq. (4) (up to sign)."""
        return self.eigenvectors[:, 0]

    def to_eigen(self, v: np.ndarray) -> np.ndarray:
        """h = Q^T v (last axis)."""
        return np.asarray(v) @ self.eigenvectors

    def from_eigen(self, h: np.ndarray) -> np.ndarray:
        """v = Q h (last axis)."""
        return np.asarray(h) @ self.eigenvectors.T
