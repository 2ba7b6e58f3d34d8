"""Progress of ``asyncmsgd report``'s phases, and its plan (what will run, about how long).

Each phase (derivations, figure reproductions, checks, figures, LaTeX) shows a tqdm bar on a
terminal and, where tqdm cannot draw (a pipe, a CI log), one line per finished step. The plan
reads the wall times stored by earlier runs: a check's cached result of another code version
(the cache keeps them under other fingerprints) carries the seconds it took, and the build
folder keeps the last build's phase times (:data:`TIMINGS`).
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

TIMINGS = "report-timings.json"  # in the build folder: the phase times of the last build


@contextlib.contextmanager
def phase(name: str, total: int, unit: str = "step", estimate: float | None = None) -> Iterator:
    """Yields ``tick(label, cached=False, seconds=None)``; a bar, or a line per step."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=name, unit=unit, disable=None, file=sys.stderr, leave=True)
    t0 = time.perf_counter()
    done = 0
    if bar.disable:
        about = f", about {estimate:.0f} s" if estimate else ""
        print(f"{name}: {total} {unit}(s){about}", file=sys.stderr, flush=True)

    def tick(label: str, cached: bool = False, seconds: float | None = None) -> None:
        nonlocal done
        done += 1
        where = " (cached)" if cached else (f" ({seconds:.1f} s)" if seconds is not None else "")
        if bar.disable:
            elapsed = time.perf_counter() - t0
            print(
                f"[{name} {done}/{total}] {label}{where}, {elapsed:.0f} s so far",
                file=sys.stderr,
                flush=True,
            )
        else:
            bar.set_postfix_str(f"{label}{where}")
            bar.update()

    try:
        yield tick
    finally:
        if not bar.disable and bar.n < (bar.total or 0):
            bar.total = bar.n  # a phase that did fewer steps than planned (LaTeX passes)
            bar.refresh()
        bar.close()
        if bar.disable:
            print(f"{name}: done in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class CheckPlan:
    claim: str
    check: str
    cached: bool
    estimate: float | None  # seconds, from an earlier run of the same check (any code version)


def plan_checks(claims: Sequence[str], profile, cache_dir: Path | None) -> list[CheckPlan]:
    """Per check: cached now, or how long it took the last time it ran."""
    from checks.cache import ResultCache
    from checks.registry import entries
    from checks.runner import cache_key

    cache = ResultCache(cache_dir) if cache_dir is not None else None
    out = []
    for cid in claims:
        for check in entries()[cid].checks:
            key = cache_key(cid, check, profile)
            if cache is None:
                out.append(CheckPlan(cid, check.name, False, None))
                continue
            path = cache._path(key, profile.name)
            cached = path.exists()
            estimate = None
            stem = path.name.rsplit("--", 1)[0]
            for other in sorted(path.parent.glob(f"{stem}--*.json"), key=_mtime, reverse=True):
                try:
                    estimate = float(json.loads(other.read_text()).get("seconds", 0.0))
                    break
                except (OSError, ValueError, AttributeError):
                    continue
            out.append(CheckPlan(cid, check.name, cached, estimate))
    return out


def _mtime(p: Path) -> float:
    try:
        return p.stat().st_mtime
    except OSError:
        return 0.0


def load_timings(build: Path) -> dict[str, float]:
    try:
        data = json.loads((build / TIMINGS).read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, (int, float))}


def save_timings(build: Path, timings: dict[str, float]) -> None:
    # a read-only build folder only loses the next run's estimate
    with contextlib.suppress(OSError):
        (build / TIMINGS).write_text(json.dumps(timings, indent=1) + "\n")


def describe_plan(
    plans: Sequence[CheckPlan],
    *,
    profile: str,
    seed: int,
    derivations_cached: int,
    derivations_total: int,
    timings: dict[str, float],
    extra: Sequence[tuple[str, float | None]] = (),
) -> tuple[str, float]:
    """The opening lines: what will run and roughly how long, from stored wall times."""
    cached = sum(p.cached for p in plans)
    todo = [p for p in plans if not p.cached]
    known = sum(p.estimate or 0.0 for p in todo)
    unknown = sum(p.estimate is None for p in todo)
    der = 0.0 if derivations_cached == derivations_total else timings.get("derivations", 10.0)
    figs = timings.get("figures", 10.0)
    pdf = timings.get("pdf", 60.0)
    extra_s = sum(s or 0.0 for _, s in extra)
    total = der + known + figs + pdf + extra_s
    lines = [
        f"asyncmsgd report, profile {profile}, root seed {seed}:",
        f"  derivations: {derivations_total} ({derivations_cached} cached)",
        f"  checks: {len(plans)} ({cached} cached, {len(todo)} to compute"
        + (f", about {known:.0f} s from earlier runs" if todo else "")
        + (f"; {unknown} never timed here" if unknown else "")
        + ")",
    ]
    for name, seconds in extra:
        lines.append(f"  {name}" + (f": about {seconds:.0f} s" if seconds else ""))
    lines.append(f"  figures: about {figs:.0f} s; LaTeX (latexmk): about {pdf:.0f} s")
    lines.append(
        f"  roughly {total / 60:.1f} min in all"
        + (" (more: some checks have no stored time)" if unknown else "")
    )
    return "\n".join(lines), total
