"""``asyncmsgd derive [CLAIM ...|all] [--format text|latex|json]``: the symbolic derivations of
every claim that has one (C1-C10, E1), with the comparison of each derived form against the
printed one and the claim's symbolic verdict by the verdict rule."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "derive",
        help="derive the claims with SymPy and compare with the paper's printed forms",
        description="Derive each claim's closed forms with SymPy, set them beside the paper's "
        "printed forms, and say how they compare (identical, a constant factor, a log argument, "
        "a different scaling); the symbolic verdict comes from the verdict rule (see "
        "`asyncmsgd verify --help`).",
    )
    p.add_argument(
        "claims",
        nargs="*",
        default=["all"],
        metavar="CLAIM",
        help="claim ids with a derivation (C1 ... C10, E1) or 'all' (default)",
    )
    p.add_argument("--format", choices=("text", "latex", "json"), default="text")
    p.set_defaults(func=run)


def _select(names: list[str]) -> list:
    from asyncmsgd.commands import UsageError
    from checks.claims import discover

    with_derivation = {c.id: c for c in discover() if c.derive is not None}
    if not names or any(n.lower() == "all" for n in names):
        return list(with_derivation.values())
    out = []
    for n in names:
        key = n.strip().upper()
        if key not in with_derivation:
            raise UsageError(
                f"unknown claim {n!r} (or one without a derivation); choose from "
                f"{', '.join(with_derivation)} or 'all'"
            )
        out.append(with_derivation[key])
    return out


def _text(claim, d, result, fmt: str) -> str:
    dec = result.decision
    lines = [
        f"{d.claim}  {d.title}  [{d.source}]",
        f"  symbolic verdict: {dec.verdict} (rule {dec.rule}): {dec.reason}",
    ]
    for item in d.as_dict(fmt)["items"]:
        where = f" [{item['reading']}]" if item["reading"] else ""
        lines.append(f"  - {item['label']}{where}: {item['outcome']} ({item['origin']})")
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
    from asyncmsgd.commands._json import dumps
    from checks.derivation import symbolic_check

    selected = _select(args.claims)
    payload, defects = [], []
    for claim in selected:
        d = claim.derive()
        result = symbolic_check(claim.id, lambda d=d: d, claim.reading_names, controls=False)
        defects += [
            f"{claim.id}: {i.label}"
            for i in d.items
            if i.origin == "toolkit" and i.is_evidence and not i.holds
        ]
        if args.format == "json":
            payload.append(
                d.as_dict("text")
                | {"latex": d.as_dict("latex")["items"]}
                | result.decision.as_dict()
            )
        else:
            print(_text(claim, d, result, args.format), end="\n\n", flush=True)
    if args.format == "json":
        print(dumps(payload))
    if defects:
        print(f"toolkit identities that failed: {'; '.join(defects)}", file=sys.stderr)
        return 1
    return 0
