"""Argument parsing and error handling for ``asyncmsgd``.

Each subcommand lives in its own module under :mod:`asyncmsgd.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to a callable taking the parsed
arguments and returning an exit code. Only the chosen command's module is imported (the others
appear in the listing by their one-line help), so ``asyncmsgd --help`` is instant. User mistakes
raise :class:`theory.errors.ParameterError` (or :class:`asyncmsgd.commands.UsageError`) and become
one line on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from asyncmsgd import __version__
from asyncmsgd.commands import COMMANDS, UsageError
from theory.errors import ParameterError


def _chosen(argv: Sequence[str]) -> str | None:
    """The command named on the command line (the first word that is one), if any."""
    for word in argv:
        if word in COMMANDS:
            return word
        if not word.startswith("-"):
            return None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asyncmsgd",
        description="Verify, claim by claim, the theory of asynchronous momentum SGD "
        "(Liu et al., NeurIPS 2018) for streaming PCA.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = _chosen(sys.argv[1:] if argv is None else argv)
    for name, help_text in COMMANDS.items():
        if name == chosen:
            importlib.import_module(f"asyncmsgd.commands.{name}").register(sub)
        else:
            sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
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
