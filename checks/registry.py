"""The claim registry: every claim module of :mod:`checks.claims`, discovered, with its checks.

The same registry feeds pytest (``checks/test_verification.py``), ``asyncmsgd verify``,
``asyncmsgd derive`` and the report. A claim with a derivation gets the generic symbolic check
(:func:`checks.derivation.symbolic_check`) first; its other checks are the module's own. A
claim's verdict is :func:`checks.verdict.decide` over the evidence of all its checks.
"""

from __future__ import annotations

import math
import time
import traceback
from dataclasses import dataclass, field, replace
from functools import cache

from checks.claims import discover
from checks.claims.base import Check, Claim
from checks.derivation import symbolic_check
from checks.power import near_miss, with_power
from checks.profile import Profile
from checks.results import CheckResult, Evidence
from checks.verdict import Decision, decide


def checks_of(claim: Claim) -> tuple[Check, ...]:
    """The symbolic check (when the claim has a derivation) and the module's own checks."""
    own = claim.checks
    if claim.derive is None:
        return own
    sym = Check(
        "symbolic",
        lambda _p, c=claim: symbolic_check(c.id, c.derive, c.reading_names),
        "symbolic",
    )
    return (sym, *own)


@dataclass(frozen=True)
class Entry:
    claim: Claim
    checks: tuple[Check, ...]

    @property
    def id(self) -> str:
        return self.claim.id


@cache
def entries() -> dict[str, Entry]:
    return {c.id: Entry(c, checks_of(c)) for c in discover()}


def claim_ids() -> list[str]:
    return list(entries())


@dataclass
class ClaimResult:
    claim: Claim
    results: list[CheckResult] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.claim.id

    @property
    def decision(self) -> Decision:
        errors = [r.summary for r in self.results if r.errored]
        not_run = [r.reason or f"{r.check} cannot run here" for r in self.results if not r.runnable]
        return decide(
            [e for r in self.results if not r.errored for e in r.evidence],
            readings=self.claim.reading_names,
            errors=errors,
            not_run=not_run,
        )

    @property
    def verdict(self) -> str:
        return str(self.decision.verdict)

    @property
    def errored(self) -> bool:
        return any(r.errored for r in self.results)

    @property
    def max_delay_fraction(self) -> float | None:
        fr = [r.max_delay_fraction for r in self.results if r.max_delay_fraction is not None]
        return max(fr) if fr else None

    @property
    def power(self) -> dict[str, object] | None:
        """The claim's weakest check (the largest MDD): relative MDDs first, as they compare
        across checks; then exponents; then absolute ones. Its check is named in ``check``."""
        powers = [{**p, "check": r.check} for r in self.results if not r.errored and (p := r.power)]
        for kind in ("relative", "exponent", "absolute"):
            same = [p for p in powers if p["mdd_kind"] == kind]
            if same:
                return max(same, key=lambda p: p["mdd"])
        return None

    def as_dict(self) -> dict[str, object]:
        s = self.claim.statement
        return {
            "claim": s.id,
            "source": s.source,
            "title": s.title,
            "statement": s.text,
            "kind": s.kind,
            "reconstructed": s.reconstructed,
            **self.decision.as_dict(),
            "expected_verdict": str(self.claim.expected_verdict),
            "max_delay_fraction": self.max_delay_fraction,
            "power": self.power,
            "checks": [r.as_dict() for r in self.results],
        }


def run_check(claim: Claim, check: Check, profile: Profile) -> CheckResult:
    """Run one check; an exception becomes an errored result carrying the traceback."""
    t0 = time.perf_counter()
    try:
        result = check.func(profile)
    except Exception as exc:  # a check must never take the suite down with it
        return CheckResult(
            claim.id,
            check.name,
            f"the check raised {type(exc).__name__}: {exc}",
            seconds=time.perf_counter() - t0,
            details={"error": traceback.format_exc()},
            readings=claim.reading_names,
        )
    # the registry's names are the ids of tests and cache entries; readings are the claim's
    return with_resolving_power(replace(result, check=check.name, readings=claim.reading_names))


def _mdd_kind(item: Evidence) -> str | None:
    if item.mdd_kind:
        return item.mdd_kind
    if item.label.lower().startswith(("exponent", "sup-error rate")):
        return "exponent"
    return None


def with_resolving_power(result: CheckResult) -> CheckResult:
    """Every statistical item with its minimum detectable deviation (:mod:`checks.power`), and,
    for a check with statistical claim items but no near-miss control, a near miss at twice the
    MDD of its weakest claim item (issue 14 of the project): the same check must reject it."""
    evidence = tuple(
        with_power(e, _mdd_kind(e)) if e.relation != "identity" and math.isnan(e.mdd) else e
        for e in result.evidence
    )
    controls = tuple(result.controls)
    # a near miss of a theory the check supports: its weakest passing statistical item with a
    # value (a two-sided comparison). A one-sided bound with slack has no such near miss: a
    # bound shifted by 2 MDD from the printed one can still lie on the measurement's safe side
    # (the calibration found C1's, C3's and C11's accepted at 50 of 50 seeds), and one placed
    # 2 MDD beyond the measurement is rejected by construction; its power is its MDD alone
    stats = [
        e
        for e in evidence
        if e.origin in ("claim", "toolkit") and e.relation == "abs-diff" and e.se > 0 and e.passed
    ]
    if stats and not any(c.near_miss for c in controls):
        weakest = max(stats, key=lambda e: e.mdd)
        shift = "by twice its minimum detectable deviation"
        controls += (near_miss(weakest, f"near miss: {weakest.label}, theory off {shift}"),)
    return replace(result, evidence=evidence, controls=controls)
