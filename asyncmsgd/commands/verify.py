"""``asyncmsgd verify [--profile ci|full] [--claims C4,C12] [--seed N] [--json]``: run the claim
checks and print one verdict per claim, decided by the verdict rule (the table below).

JSON (``--json``): one object per claim with ``verdict``, ``verdict_reason`` (one line, written by
the rule), ``rule`` (the row of the table that applied), ``readings`` (where the statement is
ambiguous: each reading with its own verdict), ``max_delay_fraction`` and ``checks``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from asyncmsgd.commands._paths import default_cache
from checks.profile import PROFILE_NAMES


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


def run(args: argparse.Namespace) -> int:
    from asyncmsgd.commands._json import dumps
    from asyncmsgd.commands._paths import check_cache_dir
    from asyncmsgd.commands._progress import check_progress
    from checks.profile import get_profile
    from checks.runner import parse_claims, run_claims

    profile = get_profile(args.profile, args.seed)
    claims = parse_claims(args.claims)
    cache = None if args.no_cache else check_cache_dir(args.cache)
    with check_progress(claims) as tick:
        results = run_claims(claims, profile, cache, tick)
    if args.json:
        print(dumps([cr.as_dict() for cr in results]))
    else:
        print(f"{'claim':5s} {'verdict':24s} {'delay/E1':>8s}  reason")
        for cr in results:
            d = cr.decision
            print(f"{cr.id:5s} {d.verdict!s:24s} {_num(cr.max_delay_fraction):>8s}  {d.reason}")
    failed = [cr.id for cr in results if cr.errored]
    if failed:
        print(f"checks that errored: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
