"""Block choice for the block updates of D1: which coordinates an update touches.

Schemes (``--blocks``), on x in R^d:

* ``full``: every update touches all d coordinates (no block structure; draws nothing).
* ``partition:B``: a fixed partition of {0..d-1} into B contiguous blocks of sizes
  floor(d/B) or ceil(d/B); each update picks one of them uniformly (one double U: floor(B U)).
* ``random:S``: a uniformly random subset of S coordinates per update (d doubles: the S
  smallest of d uniforms).
* ``overlap:B:W``: B windows of W consecutive coordinates (cyclically), window i starting at
  floor(i d / B); B W > d, so neighbouring windows overlap; one uniform choice per update.

Every update consumes a fixed number of doubles of the block stream, so the choice sequence does
not depend on how the run is cut into chunks. ``inclusion`` gives P(j in S_k): the expected
update is diag(inclusion) times the full one, so every scheme here covers every coordinate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulate.adaptive.names import BLOCKS_SPEC_HELP
from theory.validation import ParameterError, check_positive_int

# the --blocks help (simulate.adaptive.names holds it, for the command line)
SPEC_HELP = BLOCKS_SPEC_HELP


@dataclass(frozen=True)
class BlockScheme:
    """A block scheme on d coordinates; ``windows`` (B, d) holds the fixed blocks' masks."""

    kind: str
    d: int
    n_blocks: int = 1
    size: int = 0
    windows: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        d = check_positive_int("d", self.d)
        if self.kind == "full":
            windows = np.ones((1, d), dtype=bool)
        elif self.kind == "partition":
            b = check_positive_int("blocks", self.n_blocks)
            if b > d:
                raise ParameterError("blocks", b, f"at most d = {d} blocks in a partition")
            edges = (np.arange(b + 1) * d) // b
            windows = np.zeros((b, d), dtype=bool)
            for i in range(b):
                windows[i, edges[i] : edges[i + 1]] = True
        elif self.kind == "random":
            s = check_positive_int("block size", self.size)
            if s > d:
                raise ParameterError("block size", s, f"at most d = {d} coordinates")
            windows = np.zeros((0, d), dtype=bool)
        elif self.kind == "overlap":
            b = check_positive_int("blocks", self.n_blocks)
            w = check_positive_int("window", self.size)
            if not (w < d and b * w > d):
                raise ParameterError(
                    "window", w, f"overlapping windows need W < d = {d} and B*W > d (B = {b})"
                )
            windows = np.zeros((b, d), dtype=bool)
            for i in range(b):
                windows[i, (i * d // b + np.arange(w)) % d] = True
        else:
            raise ParameterError("blocks", self.kind, SPEC_HELP)
        windows.setflags(write=False)
        object.__setattr__(self, "windows", windows)

    @property
    def spec(self) -> str:
        if self.kind == "full":
            return "full"
        if self.kind == "partition":
            return f"partition:{self.n_blocks}"
        if self.kind == "random":
            return f"random:{self.size}"
        return f"overlap:{self.n_blocks}:{self.size}"

    @property
    def doubles_per_update(self) -> int:
        return {"full": 0, "random": self.d}.get(self.kind, 1)

    def masks(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n block masks (n, d) bool, consuming ``doubles_per_update`` doubles each."""
        if self.kind == "full":
            return np.ones((n, self.d), dtype=bool)
        if self.kind == "random":
            u = rng.random((n, self.d))
            # rank < S: the S smallest uniforms (ties have probability 0)
            ranks = np.argsort(np.argsort(u, axis=1), axis=1)
            return ranks < self.size
        idx = np.minimum((rng.random(n) * self.n_blocks).astype(np.int64), self.n_blocks - 1)
        return self.windows[idx]

    def inclusion(self) -> np.ndarray:
        """P(coordinate j is in the block of an update), j = 0..d-1."""
        if self.kind == "random":
            return np.full(self.d, self.size / self.d)
        return self.windows.mean(axis=0)


def parse_blocks(spec: str, d: int) -> BlockScheme:
    """A :class:`BlockScheme` from its text (see the module docstring)."""
    if not isinstance(spec, str) or not spec.strip():
        raise ParameterError("blocks", spec, SPEC_HELP)
    parts = spec.strip().lower().split(":")
    try:
        nums = [int(p) for p in parts[1:]]
    except ValueError:
        raise ParameterError("blocks", spec, SPEC_HELP) from None
    kind = parts[0]
    if kind == "full" and not nums:
        return BlockScheme("full", d)
    if kind == "partition" and len(nums) == 1:
        return BlockScheme("partition", d, n_blocks=nums[0])
    if kind == "random" and len(nums) == 1:
        return BlockScheme("random", d, size=nums[0])
    if kind == "overlap" and len(nums) == 2:
        return BlockScheme("overlap", d, n_blocks=nums[0], size=nums[1])
    raise ParameterError("blocks", spec, SPEC_HELP)
