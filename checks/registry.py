"""The claim registry: one entry per claim (C1-C14, D1-D4, E1), its checks, and its verdict.

The same registry feeds pytest (checks/test_*.py), ``asyncmsgd verify`` and the report. A check
is a function of the profile returning a :class:`checks.results.CheckResult`; a claim's verdict
combines its checks' (the least favourable, :func:`checks.results.combine`). A check that
cannot run here (e.g. scikit-learn missing for C13) returns the check name ``pending`` with its
reason, which the suite reports as a skip, so nothing is silently missing.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from checks import (
    adaptive,
    ode_limit,
    ou_limit,
    phase3,
    saddle,
    stability,
    symbolic,
    tightness,
    traverse,
)
from checks.claims import BY_ID, CLAIMS, ClaimInfo
from checks.experiments.c12 import check_c12
from checks.experiments.c13 import check_c13
from checks.profile import Profile
from checks.results import CheckResult, combine

CheckFn = Callable[[Profile], CheckResult]


@dataclass(frozen=True)
class Check:
    name: str
    func: CheckFn
    kind: str  # "symbolic" | "simulation" | "experiment"


@dataclass(frozen=True)
class Entry:
    info: ClaimInfo
    checks: tuple[Check, ...]

    @property
    def id(self) -> str:
        return self.info.id


def _sym(claim: str) -> Check:
    return Check("symbolic", lambda _p, c=claim: symbolic.check_symbolic(c), "symbolic")


ENTRIES: dict[str, Entry] = {}


def register(claim: str, *checks: Check) -> None:
    ENTRIES[claim] = Entry(BY_ID[claim], tuple(checks))


register("C1", _sym("C1"), Check("paths", tightness.check_c1, "simulation"))
register("C2", _sym("C2"))
register("C3", _sym("C3"), Check("mean path", ode_limit.check_c3, "simulation"))
register("C4", _sym("C4"), Check("OU moments", ou_limit.check_c4, "simulation"))
register("C5", _sym("C5"), Check("phase III", phase3.check_c5, "simulation"))
register("C6", _sym("C6"))
register("C7", _sym("C7"), Check("traverse", traverse.check_c7, "simulation"))
register("C8", _sym("C8"), Check("saddle variance", saddle.check_c8, "simulation"))
register("C9", _sym("C9"), Check("escape", saddle.check_c9, "simulation"))
register("C10", _sym("C10"), Check("speed-up", phase3.check_c10, "simulation"))
register("C11", Check("random delays", stability.check_c11, "simulation"))
register("C12", Check("figure 1", check_c12, "experiment"))
register("C13", Check("figure 2", check_c13, "experiment"))
register(
    "C14",
    Check("escape", saddle.check_c14_escape, "simulation"),
    Check("stationary", ou_limit.check_c14_stationary, "simulation"),
)
register("D1", Check("lock-free run", adaptive.check_d1, "experiment"))
register("D2", Check("variant rates", adaptive.check_d2, "simulation"))
register("D3", Check("rate slope", adaptive.check_d3, "simulation"))
register(
    "D4",
    Check("straggler throughput", adaptive.check_d4_throughput, "experiment"),
    Check("generalisation", adaptive.check_d4_generalisation, "experiment"),
)
register(
    "E1",
    Check("boundary", stability.check_e1_boundary, "simulation"),
    Check("delay growth", stability.check_e1_delay_growth, "simulation"),
)


@dataclass
class ClaimResult:
    info: ClaimInfo
    results: list[CheckResult] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return combine([r.verdict for r in self.results])

    @property
    def errored(self) -> bool:
        return any(r.errored for r in self.results)

    def as_dict(self) -> dict[str, object]:
        return {
            "claim": self.info.id,
            "source": self.info.source,
            "title": self.info.title,
            "kind": self.info.kind,
            "verdict": self.verdict,
            "checks": [r.as_dict() for r in self.results],
        }


def run_check(claim: str, check: Check, profile: Profile) -> CheckResult:
    """Run one check; an exception becomes an 'inconclusive' result carrying the error."""
    t0 = time.perf_counter()
    try:
        return check.func(profile)
    except Exception as exc:  # a check must never take the suite down with it
        return CheckResult(
            claim,
            check.name,
            "inconclusive",
            f"the check raised {type(exc).__name__}: {exc}",
            reason="error",
            seconds=time.perf_counter() - t0,
            details={"error": traceback.format_exc()},
        )


def claim_ids() -> list[str]:
    return [c.id for c in CLAIMS]
