"""Run profiles: ``ci`` (minutes on 2 cores) and ``full`` (paper scale), the one place that
holds Monte-Carlo sizes, experiment scales and the root seed.

A check asks the profile for its sizes; sizes never come from Hypothesis (which only draws theory
parameters). The statistical budget is shared by the whole suite: ``MAX_ASSERTIONS`` bounds how
many statistical assertions a full suite run makes, and every check uses the Bonferroni z for
that many (:data:`Z`), so a true claim fails a suite run with probability below
:data:`SUITE_ALPHA`.

The profile is chosen by name (``--profile`` of the CLI, ``ASYNCMSGD_PROFILE`` for pytest;
``paper`` is an alias of ``full``) and the root seed by ``--seed`` / ``ASYNCMSGD_SEED`` (default
:data:`ROOT_SEED`). Standard library only, so the CLI can import it for its help at no cost.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from statistics import NormalDist

SUITE_ALPHA = 1e-3  # probability that a true claim fails anywhere in one full suite run
MAX_ASSERTIONS = 400
ROOT_SEED = 20181203  # NeurIPS 2018, Montreal: the default root of every check's SeedSequence


def bonferroni_z(n_assertions: int, family_alpha: float = SUITE_ALPHA) -> float:
    """Two-sided z for ``n_assertions`` tests sharing the error budget ``family_alpha``."""
    if n_assertions < 1:
        raise ValueError("n_assertions must be >= 1")
    return NormalDist().inv_cdf(1.0 - family_alpha / (2 * n_assertions))


Z = bonferroni_z(MAX_ASSERTIONS)


@dataclass(frozen=True)
class AdaptiveSizes:
    """Monte-Carlo sizes of the D1-D4 checks (asynchronous adaptive methods)."""

    steps: int
    runs: int
    n_boot: int
    horizons: tuple[int, ...]
    lf_processes: int
    lf_updates: int
    lf_repeats: int
    replay_runs: int
    ps_reference: int
    d4_updates: int
    d4_sleep: float
    full_grid: bool
    pca_runs: int = 0

    def runs_for(self, problem: str) -> int:
        """Runs of one rate configuration: streaming PCA's log factor leaves the rate band
        little room, so its cases may take more runs (``pca_runs``; 0 means ``runs``)."""
        return self.pca_runs if problem == "pca" and self.pca_runs else self.runs


@dataclass(frozen=True)
class Profile:
    """Sizes and seed of one run of the suite.

    ``scale`` multiplies the run counts of the claim checks (:meth:`runs`); ``experiment`` is
    the scale of the figure reproductions (``ci``: 20 runs of Figure 1; ``paper``: the paper's
    100); ``adaptive`` the sizes of D1-D4; ``examples`` the number of Hypothesis draws per
    property; ``seed`` the root of every SeedSequence.
    """

    name: str
    scale: float
    experiment: str
    examples: int
    adaptive: AdaptiveSizes = field(repr=False)
    seed: int = ROOT_SEED
    engine: str = "auto"

    def runs(self, base: int) -> int:
        return max(20, round(base * self.scale))

    def with_seed(self, seed: int) -> Profile:
        return replace(self, seed=int(seed))


PROFILES: dict[str, Profile] = {
    "ci": Profile(
        "ci",
        1.0,
        "ci",
        10,
        AdaptiveSizes(
            32768,
            128,
            400,
            (2048, 4096, 8192, 16384, 32768),
            3,
            1500,
            24,  # D1's real repeats: its replay item's SE is over traces (t with 23 df)
            48,
            20_000,
            500,
            2e-3,
            False,
            pca_runs=256,
        ),
    ),
    "full": Profile(
        "full",
        4.0,
        "paper",
        50,
        AdaptiveSizes(
            65536,
            128,
            1000,
            tuple(2**k for k in range(9, 16)),
            4,
            20_000,
            32,
            128,
            200_000,
            3000,
            2e-3,
            True,
            pca_runs=512,
        ),
    ),
}
ALIASES = {"paper": "full"}
PROFILE_NAMES: tuple[str, ...] = (*PROFILES, *ALIASES)


def canonical_name(name: str) -> str:
    """``paper`` -> ``full``; any other name unchanged (validated by :func:`get_profile`)."""
    return ALIASES.get(name, name)


def get_profile(name: str | None = None, seed: int | str | None = None) -> Profile:
    """The profile ``name`` (default: ``ASYNCMSGD_PROFILE``, else ``ci``) with root seed ``seed``
    (default: ``ASYNCMSGD_SEED``, else :data:`ROOT_SEED`)."""
    from theory.validation import ParameterError

    name = canonical_name(name or os.environ.get("ASYNCMSGD_PROFILE", "ci"))
    if name not in PROFILES:
        raise ParameterError("profile", name, "one of " + ", ".join(PROFILE_NAMES))
    profile = PROFILES[name]
    raw = seed if seed is not None else os.environ.get("ASYNCMSGD_SEED")
    if raw is None or raw == "":
        return profile
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ParameterError("seed", raw, "a non-negative integer") from None
    if value < 0:
        raise ParameterError("seed", raw, "a non-negative integer")
    return profile.with_seed(value)


CONTROL_MIN_MU = 0.3


def require_control_momentum(mu: float) -> None:
    """Controls that drop the factor 1/(1-mu) coincide with the claim at mu = 0 and barely differ
    near it; such checks need mu >= CONTROL_MIN_MU for their negative control to mean anything."""
    if mu < CONTROL_MIN_MU:
        from theory.validation import ParameterError

        raise ParameterError(
            "mu", mu, f">= {CONTROL_MIN_MU} for this check (its negative control drops 1/(1-mu))"
        )
