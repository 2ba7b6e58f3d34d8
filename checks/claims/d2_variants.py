r"""D2 (Gratton & Toint 2026): variants with momentum and inexact normalisation.

**Statement** (THEORY.md D2). The class includes variants with momentum and/or inexact
normalisation (and, with D3, they keep the rate O(1/sqrt(t)) up to log factors).

**Source.** The abstract of Gratton and Toint (2026).

**Assumptions.** As D3; the variants are the toolkit's (heavy ball, Adam's EMA; normalised steps
with stale, noisy, running-estimate and exact norms).

**Checks.** *variant rates*: D3's rate slope for every momentum and normalisation variant;
control: heavy ball with a fixed step (no decay, no adaptation), which plateaus.
"""

from __future__ import annotations

from checks.adaptive import CONTROL_D2, cases, rate_check
from checks.claims.base import Check, Claim, Statement
from checks.profile import Profile
from checks.results import CheckResult
from checks.verdict import Verdict

STATEMENT = Statement(
    id="D2",
    source="Gratton and Toint 2026, abstract",
    title="Momentum and inexact normalisation variants",
    latex=r"Variants with momentum and/or inexact normalisation belong to the class.",
    text="variants with momentum and/or inexact normalisation belong to the class (and keep "
    "its rate)",
    kind="experiment",
    assumptions=("the toolkit's instances of the variants",),
)


def check_variant_rates(profile: Profile) -> CheckResult:
    selected = [c for c in cases(profile) if c.variant]
    return rate_check("D2", "variant rates", selected, CONTROL_D2, profile, with_horizon=False)


CHECKS = (Check("variant rates", check_variant_rates, "simulation"),)
EXPECTED_VERDICT = Verdict.VERIFIED
CLAIM = Claim(STATEMENT, CHECKS, EXPECTED_VERDICT)
