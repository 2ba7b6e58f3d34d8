"""``asyncmsgd derive [CLAIM ...|all] [--format text|latex|json]``: the symbolic derivations."""

from __future__ import annotations

import argparse
import sys

from asyncmsgd.commands import UsageError
from asyncmsgd.commands._common import dump_json
from theory.claims import BUILDERS, VERDICT_MEANING, ClaimDerivation, derive


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "derive",
        help="derive claims C1-C11 with SymPy and compare with the paper's printed forms",
        description="Derive each claim's closed forms with SymPy, set them beside the paper's "
        "printed forms, and say how they compare (identical, a constant factor, a different "
        "scaling). Verdicts: " + "; ".join(f"{k}: {v}" for k, v in VERDICT_MEANING.items()),
    )
    p.add_argument(
        "claims",
        nargs="*",
        default=["all"],
        metavar="CLAIM",
        help="claim ids (C1 ... C11) or 'all' (default)",
    )
    p.add_argument("--format", choices=("text", "latex", "json"), default="text")
    p.set_defaults(func=run)


def _select(names: list[str]) -> list[str]:
    if not names or any(n.lower() == "all" for n in names):
        return list(BUILDERS)
    out = []
    for n in names:
        key = n.upper()
        if key not in BUILDERS:
            raise UsageError(f"unknown claim {n!r}; choose from {', '.join(BUILDERS)} or 'all'")
        out.append(key)
    return out


def _text(d: ClaimDerivation, fmt: str) -> str:
    lines = [f"{d.claim}  {d.title}  [{d.source}]", f"  verdict: {d.verdict}"]
    for item in d.as_dict(fmt)["items"]:
        lines.append(f"  - {item['label']}: {item['verdict']}")
        if item["derived"] is not None:
            lines.append(f"      derived: {item['derived']}")
        if item["printed"] is not None:
            lines.append(f"      printed: {item['printed']}")
        if item["comparison"] is not None and item["comparison"]["kind"] != "identical":
            lines.append(f"      comparison: {item['comparison']['text']}")
        if item["note"]:
            lines.append(f"      note: {item['note']}")
    for f in d.findings:
        lines.append(f"  * finding: {f}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    selected = _select(args.claims)
    results = []
    for claim in selected:
        d = derive(claim)
        results.append(d)
        if args.format != "json":
            print(_text(d, args.format), end="\n\n", flush=True)
    if args.format == "json":
        print(
            dump_json([d.as_dict("text") | {"latex": d.as_dict("latex")["items"]} for d in results])
        )
    failed = [d.claim for d in results if d.verdict == "failed"]
    if failed:
        print(f"derivations that failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
