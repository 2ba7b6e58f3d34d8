"""Run profiles: ``ci`` (minutes on 2 cores) and ``full`` (paper scale).

A check asks the profile for its Monte-Carlo sizes; sizes never come from Hypothesis (which only
draws theory parameters). The statistical budget is shared by the whole suite:
``MAX_ASSERTIONS`` bounds how many statistical assertions a full suite run makes, and every
check uses the Bonferroni z for that many, so a true claim fails a suite run with probability
below ``checks.stats.SUITE_ALPHA``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from checks.stats import bonferroni_z

MAX_ASSERTIONS = 400
Z = bonferroni_z(MAX_ASSERTIONS)


@dataclass(frozen=True)
class Profile:
    name: str
    scale: float  # multiplies run counts
    seed: int = 20181203  # NeurIPS 2018, Montreal: the root of every check's SeedSequence
    engine: str = "auto"

    def runs(self, base: int) -> int:
        return max(20, round(base * self.scale))


PROFILES = {
    "ci": Profile("ci", 1.0),
    "full": Profile("full", 4.0),
}


def get_profile(name: str | None = None) -> Profile:
    name = name or os.environ.get("ASYNCMSGD_PROFILE", "ci")
    try:
        return PROFILES[name]
    except KeyError:
        from theory.validation import ParameterError

        raise ParameterError("profile", name, "one of " + ", ".join(PROFILES)) from None


CONTROL_MIN_MU = 0.3


def require_control_momentum(mu: float) -> None:
    """Controls that drop the factor 1/(1-mu) coincide with the claim at mu = 0 and barely differ
    near it; such checks need mu >= CONTROL_MIN_MU for their negative control to mean anything."""
    if mu < CONTROL_MIN_MU:
        from theory.validation import ParameterError

        raise ParameterError(
            "mu", mu, f">= {CONTROL_MIN_MU} for this check (its negative control drops 1/(1-mu))"
        )
