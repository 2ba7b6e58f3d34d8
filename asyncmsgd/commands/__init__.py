"""Subcommands of ``asyncmsgd``, one module each, imported only when chosen (``--help`` stays
instant). ``COMMANDS``: name -> the one-line help the top-level listing shows."""

from __future__ import annotations

COMMANDS: dict[str, str] = {
    "derive": "derive the claims with SymPy and compare with the paper's printed forms",
    "claims": "list the claims: statement, source, assumptions, readings (docs/claims.md)",
    "simulate": "simulate Async-MSGD (eq. (5)) for streaming PCA and summarise the runs",
    "stability": "E1: exact delay boundaries and stationary errors of eq. (5) at the optimum",
    "sweep": "run a parameter sweep from a TOML spec through the resumable result store",
    "results": "list, filter and export the results stored by sweeps",
    "adaptive": "asynchronous adaptive methods (D1-D4): simulate, lock-free runs, rate fits",
    "figure1": "reproduce the paper's Figure 1 (C12): error against delay per momentum",
    "figure2": "a CPU analogue of the paper's Figure 2 (C13): best momentum per workers",
    "validity": "validity maps: the largest delay at which a claim's prediction holds (issue 13)",
    "verify": "run the claim checks and print one verdict per claim",
    "report": "run every check and write the LaTeX/PDF report (the main job)",
}
COMMAND_MODULES: tuple[str, ...] = tuple(COMMANDS)


class UsageError(Exception):
    """A command-line mistake that is not a parameter range (a missing file, a bad format)."""
