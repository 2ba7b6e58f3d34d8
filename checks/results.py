"""What a check returns: evidence (theory beside measurement, with the tolerance and where it
came from), its negative controls, and a verdict from the fixed vocabulary of issue 5."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

VERDICTS = (
    "verified",
    "verified-up-to-constant",
    "discrepancy-found",
    "refuted",
    "inconclusive",
    "not-reproducible-here",
)
VERDICT_MEANING = {
    "verified": "the check agrees with the claim within its statistical tolerance",
    "verified-up-to-constant": "the scaling agrees; a constant factor differs from the printed one",
    "discrepancy-found": "the evidence disagrees with a printed detail (a constant, a form), "
    "while the claim's substance holds",
    "refuted": "the evidence contradicts the claim as stated",
    "inconclusive": "the evidence cannot decide at the scale run here",
    "not-reproducible-here": "the experiment cannot be run on this machine (reason given)",
}


RELATIONS = {
    "abs-diff": "|measured - theory| <= tolerance",
    "upper": "measured <= theory + tolerance",
    "lower": "measured >= theory - tolerance",
    "lower-strict": "measured - tolerance > theory (significantly above)",
    "upper-strict": "measured + tolerance < theory (significantly below)",
    "identity": "a symbolic identity or comparison that holds (SymPy); no numbers",
}


@dataclass(frozen=True)
class Evidence:
    """One comparison: passes when |measured - theory| <= tolerance (or a stated relation)."""

    label: str
    theory: float
    measured: float
    tolerance: float
    basis: str  # how the tolerance was obtained (runs, z, bias bound)
    se: float = math.nan
    ci: tuple[float, float] | None = None
    relation: str = "abs-diff"  # see RELATIONS
    expected: bool = True  # False: evidence that a printed statement fails (a finding)
    holds: bool | None = None  # for relation == "identity"

    @property
    def passed(self) -> bool:
        if self.relation == "identity":
            return bool(self.holds)
        if not (math.isfinite(self.measured) and math.isfinite(self.theory)):
            return False
        if self.relation == "abs-diff":
            return abs(self.measured - self.theory) <= self.tolerance
        if self.relation == "upper":  # measured must not exceed theory (+ tolerance)
            return self.measured <= self.theory + self.tolerance
        if self.relation == "lower":  # measured must be at least theory (- tolerance)
            return self.measured >= self.theory - self.tolerance
        if self.relation == "lower-strict":  # significantly above: measured - tolerance > theory
            return self.measured - self.tolerance > self.theory
        if self.relation == "upper-strict":  # significantly below: measured + tolerance < theory
            return self.measured + self.tolerance < self.theory
        raise ValueError(self.relation)

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["passed"] = self.passed
        return out


@dataclass(frozen=True)
class CheckResult:
    claim: str
    check: str
    verdict: str
    summary: str
    evidence: tuple[Evidence, ...] = ()
    controls: tuple[Evidence, ...] = ()  # wrong theories: each must have passed == False
    reason: str = ""  # for inconclusive / not-reproducible-here
    seconds: float = 0.0
    details: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}")

    @property
    def controls_rejected(self) -> bool:
        return all(not c.passed for c in self.controls)

    @property
    def as_expected(self) -> bool:
        """Every piece of evidence came out as the toolkit asserts (findings included)."""
        return all(e.passed == e.expected for e in self.evidence)

    @property
    def errored(self) -> bool:
        return bool(self.details.get("error"))

    def as_dict(self) -> dict[str, object]:
        return {
            "claim": self.claim,
            "check": self.check,
            "verdict": self.verdict,
            "summary": self.summary,
            "reason": self.reason,
            "seconds": self.seconds,
            "evidence": [e.as_dict() for e in self.evidence],
            "controls": [e.as_dict() for e in self.controls],
            "controls_rejected": self.controls_rejected,
            "as_expected": self.as_expected,
            "details": self.details,
        }


def combine(verdicts: list[str]) -> str:
    """A claim's verdict from its checks': the least favourable, in a fixed order."""
    order = (
        "verified",
        "verified-up-to-constant",
        "discrepancy-found",
        "inconclusive",
        "not-reproducible-here",
        "refuted",
    )
    if not verdicts:
        return "inconclusive"
    return max(verdicts, key=order.index)
