"""Argument parsing and error handling for ``asyncmsgd``.

Each subcommand lives in its own module under :mod:`asyncmsgd.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to a callable taking the parsed
arguments and returning an exit code. User mistakes raise :class:`theory.validation.ParameterError`
(or :class:`asyncmsgd.commands.UsageError`) and become one line on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from asyncmsgd import __version__
from asyncmsgd.commands import COMMAND_MODULES, UsageError
from theory.validation import ParameterError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asyncmsgd",
        description="Verify, claim by claim, the theory of asynchronous momentum SGD "
        "(Liu et al., NeurIPS 2018) for streaming PCA.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"asyncmsgd.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (ParameterError, UsageError) as exc:
        print(f"asyncmsgd {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"asyncmsgd {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
