"""``asyncmsgd simulate``: placeholder until its issue lands."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("simulate", help="(not yet available)")
    p.set_defaults(func=lambda args: print("asyncmsgd simulate: not yet available") or 2)
