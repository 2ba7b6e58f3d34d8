"""Run registry checks for a set of claims, reusing cached results when nothing changed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from checks.cache import ResultCache
from checks.claims.base import Check
from checks.profile import Profile
from checks.registry import ClaimResult, entries, run_check
from checks.results import CheckResult
from theory.validation import ParameterError


def select(claims: Iterable[str] | None) -> list[str]:
    """Claim ids, validated and in registry order; None means every claim. An empty selection
    (``--claims ''``) is an error, not "every claim"."""
    known = entries()
    if claims is None:
        return list(known)
    wanted = []
    for c in claims:
        key = c.strip().upper()
        if key not in known:
            raise ParameterError("claims", c, "claim ids among " + ", ".join(known))
        wanted.append(key)
    if not wanted:
        raise ParameterError("claims", "", "one or more claim ids among " + ", ".join(known))
    return [k for k in known if k in wanted]


def parse_claims(text: str | None) -> list[str]:
    """``--claims`` as given on the command line: None (option absent) means every claim."""
    if text is None:
        return select(None)
    return select([c for c in text.split(",") if c.strip()])


def cache_key(claim: str, check: Check | str, profile: Profile) -> str:
    """A symbolic check does not draw random numbers: one entry serves every root seed.
    ``check``: the registered check or its name."""
    if isinstance(check, str):
        found = [c for c in entries()[claim].checks if c.name == check]
        if not found:
            return f"{claim}-{check}-seed{profile.seed}"
        check = found[0]
    if check.kind == "symbolic":
        return f"{claim}-{check.name}"
    return f"{claim}-{check.name}-seed{profile.seed}"


def run_claims(
    claims: Iterable[str] | None,
    profile: Profile,
    cache_dir: Path | None = None,
    on_check: Callable[[str, str, bool, CheckResult], None] | None = None,
    only: Callable[[Check], bool] | None = None,
) -> list[ClaimResult]:
    """Run (or reuse) every check of the selected claims (those ``only`` accepts, when given).
    ``on_check(claim, check, cached, result)`` is called after each one (the CLI's progress)."""
    cache = ResultCache(cache_dir) if cache_dir is not None else None
    known = entries()
    out = []
    for cid in select(claims):
        entry = known[cid]
        cr = ClaimResult(entry.claim)
        for check in entry.checks:
            if only is not None and not only(check):
                continue
            key = cache_key(cid, check, profile)
            stored = cache.get(key, profile.name) if cache else None
            if stored is not None:
                res = CheckResult.from_dict(stored)
            else:
                res = run_check(entry.claim, check, profile)
                if cache and not res.errored and res.runnable:
                    cache.put(key, profile.name, res.as_dict())
            cr.results.append(res)
            if on_check:
                on_check(cid, check.name, stored is not None, res)
        out.append(cr)
    return out
