"""``asyncmsgd derive [CLAIM ...|all] [--format text|latex|json]``: the symbolic derivations of
every claim that has one (C1-C10, E1), with the comparison of each derived form against the
printed one and the claim's symbolic verdict by the verdict rule."""

from __future__ import annotations

import argparse
import os
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
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="derive in N processes (default: one per CPU; 1 derives in this process). The "
        "derivations are independent; their output is in the claims' order either way",
    )
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


def _derive(claim_id: str, fmt: str) -> tuple[object, list[str]]:
    """One claim's derivation as printed output (text) or payload (JSON), and its failed toolkit
    identities; a pure function of the claim id, so it can run in a worker process."""
    from checks.claims import discover
    from checks.derivation import symbolic_check

    claim = next(c for c in discover() if c.id == claim_id)
    d = claim.derive()
    result = symbolic_check(claim.id, lambda d=d: d, claim.reading_names, controls=False)
    defects = [
        f"{claim.id}: {i.label}"
        for i in d.items
        if i.origin == "toolkit" and i.is_evidence and not i.holds
    ]
    if fmt == "json":
        out: object = (
            d.as_dict("text") | {"latex": d.as_dict("latex")["items"]} | result.decision.as_dict()
        )
    else:
        out = _text(claim, d, result, fmt)
    return out, defects


def _jobs(requested: int | None, n_claims: int) -> int:
    import multiprocessing

    from asyncmsgd.commands import UsageError

    if requested is not None and requested < 1:
        raise UsageError(f"jobs={requested} is not allowed: --jobs must be an integer >= 1")
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n = requested if requested is not None else (available or 1)
    # fork shares the imports already made (SymPy and the toolkit, ~2 s); elsewhere, one process
    return min(n, n_claims) if "fork" in multiprocessing.get_all_start_methods() else 1


def _results(ids: list[str], fmt: str, jobs: int):
    """(output, defects) per claim, in the claims' order, derived in ``jobs`` processes."""
    if jobs <= 1:
        for cid in ids:
            yield _derive(cid, fmt)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        # the slowest derivations first, so that the two processes finish together
        order = sorted(range(len(ids)), key=lambda k: _COST.get(ids[k], 1.0), reverse=True)
        futures = {k: pool.submit(_derive, ids[k], fmt) for k in order}
        for k in range(len(ids)):
            yield futures[k].result()


# CPU seconds of each derivation alone in a fresh worker (measured 2026-12-02): only the
# dispatch order uses them (longest first, so that the workers finish together).
_COST = {
    "C10": 4.1,
    "E1": 3.7,
    "C9": 3.4,
    "C3": 3.2,
    "C5": 2.4,
    "C4": 2.4,
    "C6": 2.0,
    "C8": 1.8,
    "C2": 1.7,
    "C7": 1.2,
    "C1": 0.9,
}


def run(args: argparse.Namespace) -> int:
    from asyncmsgd.commands._json import dumps

    selected = _select(args.claims)
    ids = [c.id for c in selected]
    payload, defects = [], []
    for out, bad in _results(ids, args.format, _jobs(args.jobs, len(ids))):
        defects += bad
        if args.format == "json":
            payload.append(out)
        else:
            print(out, end="\n\n", flush=True)
    if args.format == "json":
        print(dumps(payload))
    if defects:
        print(f"toolkit identities that failed: {'; '.join(defects)}", file=sys.stderr)
        return 1
    return 0
