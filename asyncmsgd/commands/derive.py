"""``asyncmsgd derive [CLAIM ...|all] [--format text|latex|json]``: the symbolic derivations of
every claim that has one (C1-C10, E1), with the comparison of each derived form against the
printed one and the claim's symbolic verdict by the verdict rule."""

from __future__ import annotations

import argparse
import gc
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


def _derive_all(ids: list[str], fmt: str) -> list[tuple[object, list[str]]]:
    """Several claims' derivations in one process (a worker's share: they reuse each other's
    memoised sub-derivations)."""
    return [_derive(cid, fmt) for cid in ids]


def _shares(ids: list[str], jobs: int) -> list[list[str]]:
    """Split the claims into ``jobs`` shares of about equal cost (longest processing time first),
    keeping claims that share sub-derivations (:data:`_AFFINITY`) in one share."""
    units: dict[str, list[str]] = {}
    for cid in ids:
        units.setdefault(_AFFINITY.get(cid, cid), []).append(cid)
    shares: list[list[str]] = [[] for _ in range(jobs)]
    load = [0.0] * jobs
    for key in sorted(units, key=lambda u: _COST.get(u, 1.0), reverse=True):
        k = min(range(jobs), key=load.__getitem__)
        shares[k] += units[key]
        load[k] += _COST.get(key, 1.0)
    return [s for s in shares if s]


def _results(ids: list[str], fmt: str, jobs: int):
    """(output, defects) per claim, in the claims' order, derived in ``jobs`` processes."""
    if jobs <= 1:
        for cid in ids:
            yield _derive(cid, fmt)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("fork")
    shares = _shares(ids, jobs)
    # the imports' objects stay shared with the workers: their collections do not touch them
    # (the gc module's advice for fork without exec)
    gc.freeze()
    with ProcessPoolExecutor(max_workers=len(shares), mp_context=ctx) as pool:
        futures = [pool.submit(_derive_all, share, fmt) for share in shares]
        done: dict[str, tuple[object, list[str]]] = {}
        for share, fut in zip(shares, futures, strict=True):
            done |= dict(zip(share, fut.result(), strict=True))
        for cid in ids:
            yield done[cid]


# Claims whose derivations share sub-derivations: the phase times T1-T3 and the complexities
# built on them (C5, C6, C7, C9, C10), and Theorem 9's OU process, which T1 is solved from (C8,
# C9). Derived in one process, they are computed once.
_AFFINITY = dict.fromkeys(("C5", "C6", "C7", "C8", "C9", "C10"), "phases")

# CPU seconds of each unit within a worker's share (measured 2026-12-02, after the units before
# it, so that sub-derivations shared across units are counted once): only the split into shares
# uses them, so that the workers finish together.
_COST = {"phases": 7.0, "E1": 2.5, "C3": 1.8, "C4": 1.0, "C2": 0.9, "C1": 0.2}


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
    # the derivations leave about a million SymPy objects in memory; frozen, they are not
    # traversed again by the collection at the interpreter's exit (0.4 s of a 9 s command)
    gc.freeze()
    if defects:
        print(f"toolkit identities that failed: {'; '.join(defects)}", file=sys.stderr)
        return 1
    return 0
