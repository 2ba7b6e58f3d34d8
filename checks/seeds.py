"""Verdicts across root seeds (issue 14): are the verdicts seed-picked?

``asyncmsgd verify --seeds K`` reruns the statistical checks (every check but the symbolic ones,
which draw no random numbers) under K root seeds spawned from ``SeedSequence(root).spawn(K)``
before dispatch, and reports per claim how many seeds gave the root seed's verdict and the
distribution of |z| = |measured - theory| / SE over the claim's statistical items (JSON
``seed_stability``: ``seeds``, ``same_verdict``, ``z_quantiles``). ``benchmarks/calibration.py``
runs the same machinery over 50 seeds and measures the suite's false-rejection rate.

A seed's results are cached like any check result (keyed by claim, check, seed, code), so an
interrupted study resumes where it stopped, and results do not depend on how the seeds are
split across worker processes: each seed's checks run in one process, from its own root.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from checks.claims.base import Check
from checks.profile import Profile
from checks.registry import ClaimResult, entries
from checks.results import CheckResult, Evidence

Z_QUANTILES: tuple[float, ...] = (0.5, 0.9, 0.99)


def spawn_roots(root: int, k: int) -> tuple[int, ...]:
    """K independent root seeds: the 64-bit states of ``SeedSequence(root).spawn(K)``."""
    if k < 1:
        from theory.validation import ParameterError

        raise ParameterError("seeds", k, "an integer >= 1")
    return tuple(
        int(c.generate_state(1, np.uint64)[0]) for c in np.random.SeedSequence(root).spawn(k)
    )


def is_statistical(check: Check) -> bool:
    """Every check but the symbolic one draws random numbers."""
    return check.kind != "symbolic"


def statistical_items(result: CheckResult) -> list[Evidence]:
    """The evidence items with a standard error (not identities, not controls)."""
    return [
        e for e in result.evidence if e.relation != "identity" and math.isfinite(e.se) and e.se > 0
    ]


def _run_seed(
    claims: Sequence[str], profile: Profile, cache_dir: Path | None
) -> list[list[CheckResult]]:
    """One seed's statistical checks (top level: it runs in a worker process)."""
    from checks.runner import run_claims

    out = run_claims(claims, profile, cache_dir, only=is_statistical)
    return [list(cr.results) for cr in out]


def run_seeds(
    claims: Sequence[str],
    profile: Profile,
    seeds: Iterable[int],
    cache_dir: Path | None,
    *,
    workers: int = 1,
    on_seed: Callable[[int], None] | None = None,
    on_check: Callable[[str, str, bool, CheckResult], None] | None = None,
) -> dict[int, list[list[CheckResult]]]:
    """Per seed, the statistical check results of each claim (in ``claims`` order).

    ``workers`` > 1 runs seeds in parallel processes (a seed is never split: D2 and D3 share
    their simulations within a process). ``on_check`` is called per check when ``workers`` is
    1, ``on_seed`` per finished seed in either case."""
    seeds = list(seeds)
    out: dict[int, list[list[CheckResult]]] = {}
    if workers <= 1:
        from checks.runner import run_claims

        for s in seeds:
            res = run_claims(claims, profile.with_seed(s), cache_dir, on_check, is_statistical)
            out[s] = [list(cr.results) for cr in res]
            if on_seed:
                on_seed(s)
        return out
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {
            pool.submit(_run_seed, claims, profile.with_seed(s), cache_dir): s for s in seeds
        }
        for fut in as_completed(futures):
            s = futures[fut]
            out[s] = fut.result()
            if on_seed:
                on_seed(s)
    return {s: out[s] for s in seeds}


@dataclass(frozen=True)
class SeedStability:
    """One claim's verdicts under K root seeds, against its verdict at the root seed."""

    claim: str
    reference: str
    seeds: tuple[int, ...]
    verdicts: tuple[str, ...]
    z: tuple[float, ...]
    flips: tuple[str, ...]

    @property
    def same_verdict(self) -> int:
        return sum(v == self.reference for v in self.verdicts)

    def z_quantiles(self) -> dict[str, float | None]:
        if not self.z:
            return {**{f"{q:g}": None for q in Z_QUANTILES}, "max": None}
        z = np.asarray(self.z)
        return {
            **{f"{q:g}": float(np.quantile(z, q)) for q in Z_QUANTILES},
            "max": float(z.max()),
        }

    def summary(self) -> str:
        zq = self.z_quantiles()
        ztext = "" if zq["max"] is None else f"; |z| median {zq['0.5']:.2f}, max {zq['max']:.2f}"
        return f"{self.same_verdict}/{len(self.seeds)} seeds give {self.reference}{ztext}"

    def as_dict(self) -> dict[str, object]:
        return {
            "seeds": list(self.seeds),
            "same_verdict": self.same_verdict,
            "of": len(self.seeds),
            "reference_verdict": self.reference,
            "verdicts": dict(zip(map(str, self.seeds), self.verdicts, strict=True)),
            "z_quantiles": self.z_quantiles(),
            "items": len(self.z),
            "flipped_items": list(self.flips),
        }


def _flips(ref: list[CheckResult], other: list[CheckResult], seed: int) -> list[str]:
    """Items whose outcome differs from the root seed's, matched by check and position."""
    by_check = {r.check: r for r in ref}
    out = []
    for r in other:
        base = by_check.get(r.check)
        if base is None:
            continue
        for kind in ("evidence", "controls"):
            for a, b in zip(getattr(base, kind), getattr(r, kind), strict=False):
                if a.passed != b.passed:
                    word = "failed" if a.passed else "passed"
                    what = "control" if kind == "controls" else "item"
                    out.append(f"{r.check}: {what} {a.label!r} {word} at seed {seed}")
    return out


def stability(
    reference: list[ClaimResult], runs: dict[int, list[list[CheckResult]]]
) -> dict[str, SeedStability]:
    """Per claim, its verdict at each seed (its symbolic results are the root run's: they do
    not depend on the seed) against the root seed's verdict."""
    known = entries()
    out = {}
    for i, cr in enumerate(reference):
        fixed = {c.name for c in known[cr.id].checks if not is_statistical(c)}
        symbolic = [r for r in cr.results if r.check in fixed]
        verdicts, z, flips = [], [], []
        for s, per_claim in runs.items():
            stat = per_claim[i]
            verdicts.append(str(ClaimResult(cr.claim, symbolic + stat).verdict))
            z += [e.z for r in stat if not r.errored for e in statistical_items(r)]
            flips += _flips(cr.results, stat, s)
        out[cr.id] = SeedStability(
            cr.id, cr.verdict, tuple(runs), tuple(verdicts), tuple(z), tuple(flips)
        )
    return out
