"""Run registry checks for a set of claims, reusing cached results when nothing changed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from checks.cache import ResultCache
from checks.profile import Profile
from checks.registry import ENTRIES, ClaimResult, run_check
from checks.results import CheckResult, Evidence
from theory.validation import ParameterError


def select(claims: Iterable[str] | None) -> list[str]:
    if not claims:
        return list(ENTRIES)
    out = []
    for c in claims:
        key = c.strip().upper()
        if key not in ENTRIES:
            raise ParameterError("claims", c, "claim ids among " + ", ".join(ENTRIES))
        out.append(key)
    return out


def _from_dict(d: dict) -> CheckResult:
    def ev(x: dict) -> Evidence:
        x = {k: v for k, v in x.items() if k != "passed"}
        if x.get("ci") is not None:
            x["ci"] = tuple(x["ci"])
        return Evidence(**x)

    return CheckResult(
        claim=d["claim"],
        check=d["check"],
        verdict=d["verdict"],
        summary=d["summary"],
        evidence=tuple(ev(e) for e in d["evidence"]),
        controls=tuple(ev(e) for e in d["controls"]),
        reason=d.get("reason", ""),
        seconds=d.get("seconds", 0.0),
        details=d.get("details", {}),
    )


def run_claims(
    claims: Iterable[str] | None,
    profile: Profile,
    cache_dir: Path | None = None,
    on_check: Callable[[str, str, bool], None] | None = None,
) -> list[ClaimResult]:
    """Run (or reuse) every check of the selected claims. ``on_check(claim, check, cached)`` is
    called after each one (the CLI's progress bar)."""
    cache = ResultCache(cache_dir) if cache_dir is not None else None
    out = []
    for cid in select(claims):
        entry = ENTRIES[cid]
        cr = ClaimResult(entry.info)
        for check in entry.checks:
            name = f"{cid}-{check.name}"
            stored = cache.get(name, profile.name) if cache else None
            if stored is not None:
                cr.results.append(_from_dict(stored))
            else:
                res = run_check(cid, check, profile)
                cr.results.append(res)
                if cache and not res.errored and check.name != "pending":
                    cache.put(name, profile.name, res.as_dict())
            if on_check:
                on_check(cid, check.name, stored is not None)
        out.append(cr)
    return out


def headline(cr: ClaimResult) -> Evidence | None:
    """The evidence shown in one-line tables: the first numeric item of the first simulation
    check, else the first evidence at all."""
    for r in cr.results:
        for e in r.evidence:
            if e.relation != "identity":
                return e
    for r in cr.results:
        if r.evidence:
            return r.evidence[0]
    return None
