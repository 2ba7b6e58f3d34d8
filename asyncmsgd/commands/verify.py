"""``asyncmsgd verify [--profile ci|full] [--claims C4,C12] [--json]``: run the claim checks."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from asyncmsgd.commands._common import dump_json
from checks.profile import PROFILES, get_profile
from checks.registry import ClaimResult
from checks.results import VERDICT_MEANING
from checks.runner import headline, run_claims


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "verify",
        help="run the claim checks (simulation vs theory) and print one verdict per claim",
        description="Verdicts: " + "; ".join(f"{k}: {v}" for k, v in VERDICT_MEANING.items()),
    )
    p.add_argument("--profile", choices=sorted(PROFILES), default="ci")
    p.add_argument("--claims", default="", help="comma-separated claim ids (default: all)")
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per claim")
    p.add_argument(
        "--cache",
        type=Path,
        default=Path("reports/build/cache"),
        help="where results are kept for reuse (default: %(default)s)",
    )
    p.add_argument("--no-cache", action="store_true", help="recompute everything")
    p.set_defaults(func=run)


def _num(x: float) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.4g}"


def as_json(cr: ClaimResult) -> dict[str, object]:
    h = headline(cr)
    out = cr.as_dict()
    out.update(
        theory=None if h is None or h.relation == "identity" else h.theory,
        measured=None if h is None or h.relation == "identity" else h.measured,
        tolerance=None if h is None or h.relation == "identity" else h.tolerance,
        headline=None if h is None else h.label,
    )
    return out


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    profile = get_profile(args.profile)
    claims = [c for c in args.claims.split(",") if c.strip()]
    cache = None if args.no_cache else args.cache
    bar = tqdm(desc="checks", unit="check", disable=None, file=sys.stderr)

    def tick(claim: str, check: str, cached: bool) -> None:
        bar.set_postfix_str(f"{claim} {check}{' (cached)' if cached else ''}")
        bar.update()

    try:
        results = run_claims(claims, profile, cache, tick)
    finally:
        bar.close()
    if args.json:
        print(dump_json([as_json(cr) for cr in results]))
    else:
        print(
            f"{'claim':5s} {'verdict':24s} {'theory':>10s} {'measured':>10s} {'tol':>9s}  "
            "headline evidence"
        )
        for cr in results:
            h = headline(cr)
            numeric = h is not None and h.relation != "identity"
            print(
                f"{cr.info.id:5s} {cr.verdict:24s} "
                f"{_num(h.theory) if numeric else '-':>10s} "
                f"{_num(h.measured) if numeric else '-':>10s} "
                f"{_num(h.tolerance) if numeric else '-':>9s}  {h.label if h else ''}"
            )
    failed = [cr.info.id for cr in results if cr.errored]
    asserted = [cr.info.id for cr in results if cr.info.id == "E1" and cr.verdict == "refuted"]
    asserted += [
        cr.info.id
        for cr in results
        for r in cr.results
        if r.details.get("derivation_verdict") == "failed"
    ]
    if failed or asserted:
        print(
            f"checks that errored: {failed}; toolkit claims that failed: {asserted}",
            file=sys.stderr,
        )
        return 1
    return 0
