"""Per-run random streams keyed by (configuration, run index).

Every run owns independent ``numpy.random.Generator`` streams, one per purpose (data, delays,
start), each seeded by ``SeedSequence(root, spawn_key=(key, run, stream))``. The key is a stable
hash of the configuration (:func:`config_key`), never a position in a batch, so a run gives the
same numbers alone, inside a batch of 1e4 configurations, in any order, on any machine (PCG64 and
SeedSequence are platform independent). Nothing reads NumPy's global state.

Common random numbers (``crn=True``): the data and start streams are keyed by the run index only,
and the delay stream by (delay model, run), so configurations that differ only in mu or eta see
the very same samples X_k and delays tau_k; comparisons between them (Figure 1, C12) then carry
less noise. Without it (the default) every configuration gets its own independent streams.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from enum import IntEnum

import numpy as np

from theory.validation import ParameterError


class Stream(IntEnum):
    """Which purpose a run's Generator serves; the last word of its spawn key."""

    DATA = 0
    DELAY = 1
    START = 2


def check_seed(seed: object) -> int:
    """The root seed: an integer >= 0 (SeedSequence entropy)."""
    allowed = "seed must be an integer >= 0"
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ParameterError("seed", seed, allowed)
    if int(seed) < 0:
        raise ParameterError("seed", seed, allowed)
    return int(seed)


def stable_key(*parts: object) -> int:
    """A 63-bit integer from the canonical text of ``parts`` (sha256; not Python's hash()).

    Floats enter through ``repr``, the shortest round-trip text, so the key is the same on every
    machine and Python version.
    """
    text = "|".join(repr(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1


def generator(root: int, key: tuple[int, ...]) -> np.random.Generator:
    """A PCG64 Generator from ``SeedSequence(root, spawn_key=key)``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(root, spawn_key=key)))


def run_key(
    stream: Stream, *, config_key: int, delay_key: int, run: int, crn: bool
) -> tuple[int, ...]:
    """The spawn key of one run's stream.

    Without common random numbers every stream is keyed by (configuration, run, stream). With
    them, data and start drop the configuration (key ``(run, stream)``: a different length, so it
    can never coincide with a configuration-keyed one), and delays keep only the delay model.
    """
    if not crn:
        return (config_key, run, int(stream))
    if stream is Stream.DELAY:
        return (delay_key, run, int(stream))
    return (run, int(stream))


def run_generators(
    root: int,
    stream: Stream,
    keys: Iterable[tuple[int, int, int]],
    *,
    crn: bool,
) -> list[np.random.Generator]:
    """One Generator per (config_key, delay_key, run) triple, for the given stream."""
    return [
        generator(root, run_key(stream, config_key=c, delay_key=dk, run=r, crn=crn))
        for c, dk, r in keys
    ]
