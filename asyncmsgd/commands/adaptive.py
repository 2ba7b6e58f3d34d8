"""``asyncmsgd adaptive``: placeholder until its issue lands."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("adaptive", help="(not yet available)")
    p.set_defaults(func=lambda args: print("asyncmsgd adaptive: not yet available") or 2)
