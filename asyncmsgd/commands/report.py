"""``asyncmsgd report [--out DIR]``: the toolkit's main job.

For now (before the LaTeX report of issue 7) it derives every claim, prints the verdict table and
writes it as Markdown to ``reports/build/verdicts.md`` (or ``--out``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from theory.claims import BUILDERS, derive


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="derive every claim and write the verdict table")
    p.add_argument("--out", type=Path, default=Path("reports/build"), help="output folder")
    p.set_defaults(func=run)


def markdown_table(rows: list[tuple[str, str, str, str]]) -> str:
    head = "| claim | source | statement | derivation verdict |\n|---|---|---|---|\n"
    return head + "".join(f"| {a} | {b} | {c} | {d} |\n" for a, b, c, d in rows)


def run(args: argparse.Namespace) -> int:
    rows = []
    for claim in BUILDERS:
        d = derive(claim)
        rows.append((d.claim, d.source, d.title, d.verdict))
        print(f"{d.claim:4s} {d.verdict:18s} {d.title}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "verdicts.md"
    path.write_text("# Derivation verdicts\n\n" + markdown_table(rows))
    print(f"wrote {path}")
    return 0
