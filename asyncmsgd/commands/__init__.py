"""Subcommands of ``asyncmsgd``, one module each (registered in this order)."""

from __future__ import annotations

COMMAND_MODULES: tuple[str, ...] = (
    "derive",
    "simulate",
    "stability",
    "sweep",
    "results",
    "adaptive",
    "figure1",
    "figure2",
    "verify",
    "report",
)


class UsageError(Exception):
    """A command-line mistake that is not a parameter range (a missing file, a bad format)."""
