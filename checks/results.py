"""What a check returns: evidence items (theory beside measurement, the tolerance and where it
came from, what statement each tests), its negative controls, and, through the verdict rule of
:mod:`checks.verdict`, the verdict. Value types only: no check code, no I/O."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields

from checks.verdict import Decision, Verdict, decide

RELATIONS = {
    "abs-diff": "|measured - theory| <= tolerance",
    "upper": "measured <= theory + tolerance",
    "lower": "measured >= theory - tolerance",
    "lower-strict": "measured - tolerance > theory (significantly above)",
    "upper-strict": "measured + tolerance < theory (significantly below)",
    "identity": "a symbolic identity or comparison that holds (SymPy); no numbers",
}
_REL_TEXT = {
    "abs-diff": "within +-",
    "upper": "<= theory +",
    "lower": ">= theory -",
    "lower-strict": "> theory +",
    "upper-strict": "< theory -",
}


def _num(x: float) -> str:
    return f"{x:.4g}" if math.isfinite(x) else str(x)


@dataclass(frozen=True)
class Evidence:
    """One comparison: passes when |measured - theory| <= tolerance (or a stated relation).

    ``origin``, ``form``, ``mismatch`` and ``reading`` are what the verdict rule reads (see
    :mod:`checks.verdict`); ``statement`` names the claim's statement the item tests and
    ``note`` says, in words, what its outcome means (both go into the verdict's reason).
    ``mdd``/``mdd_kind``: the check's minimum detectable deviation (relative, absolute or in an
    exponent), where the check computes one.
    """

    label: str
    theory: float
    measured: float
    tolerance: float
    basis: str  # how the tolerance was obtained (runs, z, bias bound)
    se: float = math.nan
    ci: tuple[float, float] | None = None
    relation: str = "abs-diff"  # see RELATIONS
    holds: bool | None = None  # for relation == "identity"
    origin: str = "toolkit"
    form: str = "exact"
    mismatch: str = ""
    reading: str = ""
    statement: str = ""
    note: str = ""
    mdd: float = math.nan
    mdd_kind: str = ""
    near_miss: bool = False  # for controls: a wrong theory close to the right one

    def __post_init__(self) -> None:
        if self.relation not in RELATIONS:
            raise ValueError(f"unknown relation {self.relation!r}")
        from checks.verdict import FORMS, MISMATCHES, ORIGINS

        if self.origin not in ORIGINS:
            raise ValueError(f"unknown origin {self.origin!r}")
        if self.form not in FORMS:
            raise ValueError(f"unknown form {self.form!r}")
        if self.mismatch and self.mismatch not in MISMATCHES:
            raise ValueError(f"unknown mismatch {self.mismatch!r}")

    @property
    def passed(self) -> bool:
        if self.relation == "identity":
            return bool(self.holds)
        if not (math.isfinite(self.measured) and math.isfinite(self.theory)):
            return False
        if self.relation == "abs-diff":
            return abs(self.measured - self.theory) <= self.tolerance
        if self.relation == "upper":
            return self.measured <= self.theory + self.tolerance
        if self.relation == "lower":
            return self.measured >= self.theory - self.tolerance
        if self.relation == "lower-strict":
            return self.measured - self.tolerance > self.theory
        if self.relation == "upper-strict":
            return self.measured + self.tolerance < self.theory
        raise ValueError(self.relation)

    @property
    def z(self) -> float:
        """|measured - theory| / SE (NaN when there is no SE)."""
        if self.relation == "identity" or not (self.se > 0 and math.isfinite(self.se)):
            return math.nan
        return abs(self.measured - self.theory) / self.se

    def describe(self) -> str:
        """The item's outcome in one line, with its own numbers (for the verdict's reason)."""
        head = self.note or self.label
        if self.relation == "identity":
            return f"{head} (SymPy)"
        ratio = ""
        if (
            self.theory not in (0.0,)
            and math.isfinite(self.theory)
            and self.mismatch
            in (
                "constant",
                "value",
            )
        ):
            ratio = f", ratio {self.measured / self.theory:.3g}"
        return (
            f"{head} (measured {_num(self.measured)} vs {_num(self.theory)}, "
            f"{_REL_TEXT[self.relation]} {_num(self.tolerance)}{ratio})"
        )

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["passed"] = bool(self.passed)
        return out

    @classmethod
    def from_dict(cls, d: dict) -> Evidence:
        names = {f.name for f in fields(cls)}
        x = {k: v for k, v in d.items() if k in names}
        if x.get("ci") is not None:
            x["ci"] = tuple(x["ci"])
        for k in ("theory", "measured", "tolerance", "se", "mdd"):
            if k in x and x[k] is None:
                x[k] = math.nan
        return cls(**x)


@dataclass(frozen=True)
class CheckResult:
    """A check's evidence and controls. Its verdict is the rule's (:attr:`decision`)."""

    claim: str
    check: str
    summary: str
    evidence: tuple[Evidence, ...] = ()
    controls: tuple[Evidence, ...] = ()  # wrong theories: each must have passed == False
    reason: str = ""  # why the check could not run here (runnable False)
    runnable: bool = True
    seconds: float = 0.0
    details: dict[str, object] = field(default_factory=dict)
    readings: tuple[str, ...] = ()

    @property
    def controls_rejected(self) -> bool:
        return all(not c.passed for c in self.controls)

    @property
    def errored(self) -> bool:
        return bool(self.details.get("error"))

    @property
    def decision(self) -> Decision:
        """This check's own verdict by the rule (the claim's combines every check's items)."""
        return decide(
            self.evidence,
            readings=self.readings,
            errors=[self.summary] if self.errored else [],
            not_run=[] if self.runnable else [self.reason or "the check cannot run here"],
        )

    @property
    def verdict(self) -> Verdict:
        return self.decision.verdict

    @property
    def power(self) -> dict[str, object] | None:
        """The check's minimum detectable deviation (its weakest statistical claim item):
        ``mdd``, ``mdd_kind``, ``item`` (:mod:`checks.power`); None where it computes none."""
        from checks.power import check_power

        return check_power(self.evidence)

    @property
    def max_delay_fraction(self) -> float | None:
        """The largest simulated delay over E1's boundary at its (mu, eta), if recorded."""
        v = self.details.get("max_delay_fraction")
        return None if v is None else float(v)

    def as_dict(self) -> dict[str, object]:
        d = self.decision
        return {
            "claim": self.claim,
            "check": self.check,
            "verdict": str(d.verdict),
            "verdict_reason": d.reason,
            "rule": d.rule,
            "summary": self.summary,
            "reason": self.reason,
            "runnable": self.runnable,
            "readings": list(self.readings),
            "seconds": self.seconds,
            "max_delay_fraction": self.max_delay_fraction,
            "power": self.power,
            "evidence": [e.as_dict() for e in self.evidence],
            "controls": [e.as_dict() for e in self.controls],
            "controls_rejected": bool(self.controls_rejected),
            "details": self.details,
        }

    @classmethod
    def from_dict(cls, d: dict) -> CheckResult:
        return cls(
            claim=d["claim"],
            check=d["check"],
            summary=d["summary"],
            evidence=tuple(Evidence.from_dict(e) for e in d["evidence"]),
            controls=tuple(Evidence.from_dict(e) for e in d["controls"]),
            reason=d.get("reason", ""),
            runnable=d.get("runnable", True),
            seconds=d.get("seconds", 0.0),
            details=d.get("details", {}),
            readings=tuple(d.get("readings", ())),
        )


__all__ = ["RELATIONS", "CheckResult", "Decision", "Evidence", "Verdict"]
