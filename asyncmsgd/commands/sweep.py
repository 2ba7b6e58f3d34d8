"""``asyncmsgd sweep``: placeholder until its issue lands."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sweep", help="(not yet available)")
    p.set_defaults(func=lambda args: print("asyncmsgd sweep: not yet available") or 2)
