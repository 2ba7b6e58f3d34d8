"""``asyncmsgd results``: list the cells of a sweep store, as a table, CSV or JSON.

Example::

    asyncmsgd results --store small.sqlite --where mu=0.9 --where tau=0,10 --format csv

The store is opened read-only (it may be read while a sweep writes it). JSON gives one object
per cell: ``key``, ``status``, ``params`` (everything that fixes its numbers), ``summary`` (the
keys of ``asyncmsgd simulate --json``), ``error`` for a failed cell, and with ``--arrays`` the
per-run arrays. From Python use :func:`simulate.store.open_store` instead.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
from typing import TYPE_CHECKING

from asyncmsgd.commands import UsageError
from asyncmsgd.commands._common import dump_json
from simulate.names import DISTRIBUTIONS, ENGINE_VERSION, STORE_FILTERS

if TYPE_CHECKING:  # annotations only: the store loads when the command runs
    from simulate.store import CellRecord

FORMATS = ("table", "csv", "json")
# Summary values shown (table) and exported (CSV), in this order.
SUMMARY_COLUMNS = (
    "error_mean",
    "error_ci",
    "stationary_error",
    "misalignment_mean",
    "diverged",
    "escape_steps_median",
    "convergence_steps_median",
    "eps_steps_median",
    "delay_mean",
    "delay_max",
    "delays_truncated",
)
PARAM_COLUMNS = ("mu", "eta", "delay", "tau", "distribution", "start", "steps", "runs", "seed")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "results",
        help="list the cells of a sweep store (table, CSV or JSON)",
        description="Read a store written by 'asyncmsgd sweep' and print its cells with their "
        "parameters and summaries (failed cells with their error).",
    )
    p.add_argument("--store", required=True, help="the SQLite store written by asyncmsgd sweep")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument(
        "--status",
        choices=("done", "failed", "all"),
        default="all",
        help="which cells (default all)",
    )
    p.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="KEY=VALUE[,VALUE...]",
        help="keep the cells whose KEY is one of the values (exact match); keys: "
        + ", ".join(STORE_FILTERS),
    )
    p.add_argument("--arrays", action="store_true", help="JSON: include the per-run arrays")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from simulate.store import open_store

    filters = dict(_parse_where(w) for w in args.where)
    if "status" in filters and args.status != "all":
        raise UsageError("give the status once: --status or --where status=...")
    status = filters.pop("status", None if args.status == "all" else args.status)
    engine_version = filters.pop("engine_version", ENGINE_VERSION)
    if args.arrays and args.format != "json":
        raise UsageError("--arrays needs --format json")
    with open_store(args.store, readonly=True) as store:
        records = store.query(status=status, engine_version=engine_version, **filters)
        counts = store.counts()
        if args.format == "json":
            print(dump_json([_as_json(r, args.arrays) for r in records]))
        elif args.format == "csv":
            _csv(records)
        else:
            print(_table(records))
            stale = f", {counts['stale']} from an older engine" if counts.get("stale") else ""
            print(
                f"{len(records)} shown; store: {counts['done']} done, {counts['failed']} failed"
                f"{stale}"
            )
    return 0


def _parse_where(text: str) -> tuple[str, object]:
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UsageError(f"--where {text!r}: expected KEY=VALUE, e.g. mu=0.9 or tau=0,10")
    if key not in STORE_FILTERS:
        raise UsageError(f"--where {key}: unknown key; the keys are " + ", ".join(STORE_FILTERS))
    texts = [v.strip() for v in raw.split(",") if v.strip()]
    if not texts:
        raise UsageError(f"--where {text!r}: no value")
    items = [_checked(key, v) for v in texts]
    if key == "eigenvalues":
        return key, items  # the list is the value
    return key, items if len(items) > 1 else items[0]


def _value(text: str) -> object:
    """An int, a float, true/false or the text itself."""
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


# What each --where key takes (a value outside it can match no cell: it is refused, not
# silently "0 shown").
_RULES = {
    "mu": "a momentum in [0, 1), like 0.9",
    "eta": "a step size > 0, like 5e-4",
    "tau": "a delay >= 0 (an integer for constant and uniform), or none (ps:W delays)",
    "delay": "a delay model: constant, uniform, geometric, poisson, pareto:ALPHA or "
    "ps:W[:lognormal:SIGMA][:straggler:FACTOR]",
    "distribution": "one of " + ", ".join(DISTRIBUTIONS),
    "start": "e1, e2, ... or random",
    "steps": "an integer >= 1",
    "runs": "an integer >= 1",
    "seed": "an integer >= 0",
    "crn": "true or false",
    "normalize": "true or false",
    "max_delay": "an integer >= 0, or none (the model's cap)",
    "d": "an integer >= 2 (the dimension)",
    "eigenvalues": "numbers, like 4,3,2,1",
    "key": "a hexadecimal key or prefix, as the table shows",
    "status": "done or failed",
    "engine_version": "an engine version, like " + ENGINE_VERSION,
}


def _checked(key: str, text: str) -> object:
    """The value of ``--where key=text`` as stored, or a ParameterError with the key's rule."""
    from theory.validation import ParameterError

    if key == "delay":
        return _delay(text)
    value = _value(text)
    lower = text.lower()
    integer = value if isinstance(value, int) and not isinstance(value, bool) else None
    number = None
    if integer is not None or isinstance(value, float):
        number = float(value)  # type: ignore[arg-type]
        number = number if math.isfinite(number) else None
    if key in ("tau", "max_delay") and lower in ("none", "null"):
        return None
    if key == "mu":
        ok = number is not None and 0.0 <= number < 1.0
    elif key == "eta":
        ok = number is not None and number > 0.0
    elif key == "tau":
        ok = number is not None and number >= 0.0
    elif key == "eigenvalues":
        ok = number is not None
    elif key in ("steps", "runs", "seed", "max_delay", "d"):
        low = {"seed": 0, "max_delay": 0, "d": 2}.get(key, 1)
        ok = integer is not None and integer >= low
    elif key in ("crn", "normalize"):
        ok = isinstance(value, bool)
    elif key == "distribution":
        ok = lower in DISTRIBUTIONS
    elif key == "start":
        ok = re.fullmatch(r"e[1-9]\d*|random", lower) is not None
    elif key == "key":
        ok = re.fullmatch(r"[0-9a-f]+", lower) is not None
    elif key == "status":
        ok = lower in ("done", "failed")
    else:  # engine_version: any text
        return text
    if not ok:
        raise ParameterError(f"--where {key}", text, _RULES[key])
    return lower if key in ("key", "status", "start", "distribution") else value


def _delay(text: str) -> str:
    """A delay model's text as the store writes it (pareto:2.50 is stored as pareto:2.5)."""
    from simulate.cells import delay_text
    from simulate.delays import parse_delay
    from theory.validation import ParameterError

    spec = text.strip().lower()
    try:
        return delay_text(parse_delay(spec, None if spec.startswith("ps") else 1.0))[0]
    except ParameterError:
        raise ParameterError("--where delay", text, _RULES["delay"]) from None


def _as_json(r: CellRecord, arrays: bool) -> dict[str, object]:
    out: dict[str, object] = {
        "key": r.key,
        "status": r.status,
        "params": r.params,
        "summary": r.summary,
        "error": r.error,
        "elapsed_seconds": r.elapsed,
        "engine": r.engine,
        "worker": r.worker,
        "updated": r.updated,
        "engine_version": r.engine_version,
    }
    if arrays:
        out["arrays"] = r.arrays()
    return out


def _flat(r: CellRecord) -> dict[str, object]:
    """One CSV/table row: key, status, parameters, summary scalars, error."""
    p, s = r.params, r.summary or {}
    row: dict[str, object] = {"key": r.key, "status": r.status}
    for name in PARAM_COLUMNS:
        value = p[name]
        row[name] = value if not isinstance(value, list) else " ".join(f"{x:g}" for x in value)
    for name in SUMMARY_COLUMNS:
        value = s.get(name)
        if name == "error_ci":
            lo, hi = value if isinstance(value, list) else (None, None)
            row["error_ci_low"], row["error_ci_high"] = lo, hi
        else:
            row[name] = value
    row["elapsed_seconds"] = r.elapsed
    row["error"] = r.error
    return row


def _csv(records: list[CellRecord]) -> None:
    rows = [_flat(r) for r in records]
    if not rows:
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)


def _fmt(x: object) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if isinstance(x, float):
        return f"{x:.4g}"
    return str(x)


def _table(records: list[CellRecord]) -> str:
    header = ("key", "status", "mu", "eta", "delay", "tau", "dist", "start", "steps", "runs",
              "error_mean", "stationary", "diverged", "escape_med", "note")  # fmt: skip
    shown = ("mu", "eta", "delay", "tau", "distribution", "start", "steps", "runs", "error_mean",
             "stationary_error", "diverged", "escape_steps_median")  # fmt: skip
    lines = [header]
    for r in records:
        row = _flat(r)
        values = [_fmt(row[name]) for name in shown]
        lines.append((r.key[:10], r.status, *values, (r.error or "")[:60]))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )
