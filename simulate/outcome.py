"""What a sweep worker returns for one cell: a value type that imports nothing, so that the
store (which writes it) and the worker side (:mod:`simulate.compute`, which makes it) share it
without an import cycle. ``simulate.compute.Outcome`` is this class."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """What a worker returns for one cell: a summary and arrays, or an error."""

    key: str
    ok: bool
    summary: str | None  # canonical JSON
    arrays: bytes | None  # see simulate.store.encode_arrays
    error: str | None
    elapsed: float | None  # seconds in the worker
    engine: str | None
    worker: str
