"""``asyncmsgd verify [--profile ci|full] [--claims C4,C12] [--seed N] [--seeds K] [--json]``: run
the claim checks and print one verdict per claim, decided by the verdict rule (the table below).

The table shows each claim's verdict, the largest delay it was tested at (as a fraction of E1's
boundary), its weakest check's minimum detectable deviation (``mdd``: the smallest error in the
theory value its tolerance rejects with probability 0.9; ``%`` relative, ``e`` in an exponent,
``a`` absolute) and the verdict's one-line reason.

``--seeds K`` reruns the statistical checks under K root seeds spawned from
``SeedSequence(root)`` and reports per claim how many give the root seed's verdict and the |z|
of its items over the seeds; the study is also written to
``reports/build/seed-stability-<profile>.json`` (the report shows it).

JSON (``--json``): one object per claim with ``verdict``, ``verdict_reason`` (one line, written by
the rule), ``rule`` (the row of the table that applied), ``readings`` (where the statement is
ambiguous: each reading with its own verdict), ``max_delay_fraction``, ``power`` (the weakest
check's), ``checks`` (each with its ``power``) and, with ``--seeds``, ``seed_stability``
(``seeds``, ``same_verdict``, ``z_quantiles``, ...).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from asyncmsgd.commands._paths import default_cache
from checks.profile import PROFILE_NAMES

if TYPE_CHECKING:
    from checks.profile import Profile
    from checks.registry import ClaimResult
    from checks.seeds import SeedStability


def register(sub: argparse._SubParsersAction) -> None:
    from checks.verdict import MEANING, RULES

    rules = "\n".join(f"  {r.id:17s} {r.verdict:24s} {r.when}" for r in RULES)
    meanings = "\n".join(f"  {v!s:24s} {m}" for v, m in MEANING.items())
    p = sub.add_parser(
        "verify",
        help="run the claim checks and print one verdict per claim",
        description=__doc__ + f"\nVerdicts:\n{meanings}\n\nThe verdict rule (first row of the "
        f"most severe verdict applies):\n{rules}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--profile",
        choices=PROFILE_NAMES,
        default="ci",
        help="ci: minutes on 2 cores; full (alias paper): paper scale (default: %(default)s)",
    )
    p.add_argument(
        "--claims", default=None, help="comma-separated claim ids (default: every claim)"
    )
    p.add_argument("--seed", default=None, help="root seed of every check (default: 20181203)")
    p.add_argument(
        "--seeds",
        default=None,
        help="rerun the statistical checks under K root seeds spawned from the root seed "
        "(K >= 1) and report how stable each verdict is",
    )
    p.add_argument(
        "--workers",
        default="1",
        help="processes for --seeds (one seed per process; default: %(default)s)",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per claim")
    p.add_argument(
        "--cache",
        type=Path,
        default=default_cache(),
        help="where results are kept for reuse (default: %(default)s)",
    )
    p.add_argument("--no-cache", action="store_true", help="recompute everything")
    p.set_defaults(func=run)


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def _mdd(power: dict | None) -> str:
    """The weakest check's MDD: 4.1% (relative), 0.06e (an exponent), 0.3a (absolute)."""
    if not power or power.get("mdd") is None:
        return "-"
    mdd, kind = power["mdd"], power.get("mdd_kind", "")
    if mdd == float("inf"):
        return "inf"
    if kind == "relative":
        return f"{100 * mdd:.1f}%"
    return f"{mdd:.2g}{'e' if kind == 'exponent' else 'a'}"


def _count(text: str | None, name: str, low: int) -> int | None:
    from theory.validation import ParameterError

    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        raise ParameterError(name, text, f"an integer >= {low}") from None
    if value < low:
        raise ParameterError(name, text, f"an integer >= {low}")
    return value


def run(args: argparse.Namespace) -> int:
    from asyncmsgd.commands._json import dumps
    from asyncmsgd.commands._paths import check_cache_dir
    from asyncmsgd.commands._progress import check_progress
    from checks.profile import get_profile
    from checks.runner import parse_claims, run_claims

    profile = get_profile(args.profile, args.seed)
    claims = parse_claims(args.claims)
    k = _count(args.seeds, "seeds", 1)
    workers = _count(args.workers, "workers", 1)
    cache = None if args.no_cache else check_cache_dir(args.cache)
    with check_progress(claims) as tick:
        results = run_claims(claims, profile, cache, tick)
    study = _seed_study(results, claims, profile, k, workers, cache) if k else {}
    rows = [cr.as_dict() for cr in results]
    for row in rows:
        if row["claim"] in study:
            row["seed_stability"] = study[row["claim"]].as_dict()
    if args.json:
        print(dumps(rows))
    else:
        seeds_col = f" {'seeds':>6s}" if study else ""
        print(f"{'claim':5s} {'verdict':24s} {'delay/E1':>8s} {'mdd':>6s}{seeds_col}  reason")
        for cr, row in zip(results, rows, strict=True):
            d = cr.decision
            st = study.get(cr.id)
            col = f" {st.same_verdict:>3d}/{len(st.seeds):<2d}" if st else ""
            print(
                f"{cr.id:5s} {d.verdict!s:24s} {_num(cr.max_delay_fraction):>8s} "
                f"{_mdd(row.get('power')):>6s}{col}  {d.reason}"
            )
    failed = [cr.id for cr in results if cr.errored]
    if failed:
        print(f"checks that errored: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _seed_study(
    results: list[ClaimResult],
    claims: list[str],
    profile: Profile,
    k: int,
    workers: int,
    cache: Path | None,
) -> dict[str, SeedStability]:
    """Rerun the statistical checks under K spawned seeds; write the study for the report."""
    import json

    from asyncmsgd.commands._paths import default_build
    from asyncmsgd.commands._progress import seed_progress
    from checks.seeds import run_seeds, spawn_roots, stability

    seeds = spawn_roots(profile.seed, k)
    with seed_progress(len(seeds), claims if workers == 1 else None) as (on_seed, on_check):
        runs = run_seeds(
            claims, profile, seeds, cache, workers=workers, on_seed=on_seed, on_check=on_check
        )
    study = stability(results, runs)
    out = default_build() / f"seed-stability-{profile.name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "profile": profile.name,
        "root_seed": profile.seed,
        "claims": {c: s.as_dict() for c, s in study.items()},
    }
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=1, allow_nan=True))
    tmp.replace(out)
    return study
