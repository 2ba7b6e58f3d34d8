"""Pre-drawn sample blocks: the samples z and delays tau of a chunk of runs, B updates at a time.

Each run (lane) draws from its own streams (:mod:`simulate.seeds`): its data stream fills its rows
of the z block, its delay stream its row of the tau block. Every draw consumes a fixed number of
raw variates per update (see :mod:`simulate.data`, :mod:`simulate.delays`), so the numbers do not
depend on the block length B, on the other lanes, or on the engine: both engines are fed these
same arrays.

Ring-buffer cap: a lane keeps the last cap + 2 iterates, so the delay an update *uses* is
min(tau_k, cap). ``cap`` is the model's bound (constant, uniform), a (1 - 1e-12) tail quantile
(geometric, Poisson, Pareto; :data:`simulate.delays.TAIL_PROBABILITY`) or a user ``max_delay``,
and never more than the number of steps: a delay that reaches before v_0 reads v_0 anyway
(history v_{-i} = v_0), so capping at the run length never changes a read. ``truncated`` counts
the updates whose read the cap did move (tau_k > cap and k > cap). The delay histogram (bins
0..cap) and the statistics reported are those of the delays used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from simulate import delays as dl
from simulate.config import Config
from simulate.data import DataSampler
from simulate.seeds import Stream, run_generators

PsKernel = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int, np.ndarray], None]
HistKernel = Callable[[np.ndarray, np.ndarray, int], None]


def numpy_ps_kernel(
    finish: np.ndarray,
    read: np.ndarray,
    scale: np.ndarray,
    times: np.ndarray,
    k0: int,
    nb: int,
    out: np.ndarray,
) -> None:
    block = np.empty((finish.shape[0], nb), dtype=np.int64)
    dl.ps_advance(finish, read, scale, times[:, :nb], k0, block)
    out[:, :nb] = block


def numpy_histogram_add(hist: np.ndarray, tau: np.ndarray, nb: int) -> None:
    """hist[lane, tau[lane, j]] += 1 for j < nb."""
    rows = np.arange(hist.shape[0])[:, None] * hist.shape[1]
    np.add.at(hist.reshape(-1), (rows + tau[:, :nb]).ravel(), 1)


class ChunkDraws:
    """The random inputs of one chunk of lanes, drawn block by block (``buffers`` sets of arrays
    so that the next block can be drawn while the engine consumes the current one)."""

    def __init__(
        self,
        sampler: DataSampler,
        configs: Sequence[Config],
        runs: Sequence[int],
        caps: np.ndarray,
        *,
        root: int,
        crn: bool,
        block: int,
        ps_kernel: PsKernel,
        hist_kernel: HistKernel,
        buffers: int = 1,
    ) -> None:
        n = len(configs)
        self.sampler, self.n, self.block = sampler, n, block
        self.caps = np.asarray(caps, dtype=np.int64)
        self.ps_kernel, self.hist_kernel = ps_kernel, hist_kernel
        keys = [(c.key, c.delay_key, int(r)) for c, r in zip(configs, runs, strict=True)]
        self.data_rngs = run_generators(root, Stream.DATA, keys, crn=crn)
        kinds = np.array([c.delay.kind for c in configs])
        self.constant = np.flatnonzero(kinds == "constant")
        self.iid = np.flatnonzero(kinds == "iid")
        self.ps = np.flatnonzero(kinds == "schedule")
        self.random = np.flatnonzero(kinds != "constant")
        self.models = [c.delay for c in configs]
        rngs = run_generators(root, Stream.DELAY, [keys[i] for i in self.random], crn=crn)
        self.delay_rngs = dict(zip(self.random.tolist(), rngs, strict=True))
        d, width = sampler.d, sampler.raw_width
        self.raw = [np.empty((n, block, width)) for _ in range(buffers)]
        gaussian = sampler.model.name == "gaussian"
        self.z = self.raw if gaussian else [np.empty((n, block, d)) for _ in range(buffers)]
        self.tau = [np.empty((n, block), dtype=np.int64) for _ in range(buffers)]
        const = np.array([self.models[i].tau for i in self.constant], dtype=np.int64)
        self.const_tau = np.minimum(const, self.caps[self.constant])
        # constant lanes whose delay exceeds their cap: their reads are truncated too
        self.const_over = self.constant[const > self.caps[self.constant]]
        for t in self.tau:
            t[self.constant] = self.const_tau[:, None]
        self.tau_raw = np.empty((self.random.size, block), dtype=np.int64)
        width = int(self.caps.max()) + 1
        self.hist_constant = np.zeros((self.constant.size, width), dtype=np.int64)
        self.hist_random = np.zeros((self.random.size, width), dtype=np.int64)
        self.truncated = np.zeros(n, dtype=np.int64)
        if self.ps.size:
            # every worker reads v_0 at time 0: W compute times first, then one per update
            ps_models = [self.models[i] for i in self.ps]
            first = [
                m.draw_times(self.delay_rngs[i], m.workers)
                for i, m in zip(self.ps.tolist(), ps_models, strict=True)
            ]
            self.finish, self.read, self.scale = dl.ps_start(ps_models, first)
            self.ps_times = np.empty((self.ps.size, block))
            self.ps_out = np.empty((self.ps.size, block), dtype=np.int64)

    def draw(self, k0: int, nb: int, slot: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Fill buffer set ``slot`` with updates k0 .. k0 + nb - 1; returns (z, tau) (n, B, .)."""
        raw, z, tau = self.raw[slot], self.z[slot], self.tau[slot]
        sampler = self.sampler
        for lane, rng in enumerate(self.data_rngs):
            sampler.draw_raw(rng, raw[lane, :nb])
        if z is not raw:
            z[:, :nb] = sampler.standardise(raw[:, :nb])
        if self.random.size:
            self._draw_delays(k0, nb, tau)
        if self.constant.size:
            self.hist_constant[np.arange(self.constant.size), self.const_tau] += nb
        if self.const_over.size:
            # a constant delay above its cap moves every read from update cap + 1 on
            first = np.maximum(k0, self.caps[self.const_over] + 1)
            self.truncated[self.const_over] += np.maximum(0, k0 + nb - first)
        return z, tau

    @property
    def hist(self) -> np.ndarray:
        """(n, cap_max + 1) histogram of the delays used so far, per lane."""
        out = np.empty((self.n, self.hist_random.shape[1]), dtype=np.int64)
        out[self.constant] = self.hist_constant
        out[self.random] = self.hist_random
        return out

    def _draw_delays(self, k0: int, nb: int, tau: np.ndarray) -> None:
        pos = {lane: j for j, lane in enumerate(self.random.tolist())}
        for lane in self.iid.tolist():
            self.tau_raw[pos[lane], :nb] = self.models[lane].draw(self.delay_rngs[lane], nb)
        if self.ps.size:
            for j, lane in enumerate(self.ps.tolist()):
                self.ps_times[j, :nb] = self.models[lane].draw_times(self.delay_rngs[lane], nb)
            self.ps_kernel(self.finish, self.read, self.scale, self.ps_times, k0, nb, self.ps_out)
            self.tau_raw[[pos[lane] for lane in self.ps.tolist()], :nb] = self.ps_out[:, :nb]
        drawn = self.tau_raw[:, :nb]
        cap = self.caps[self.random][:, None]
        k = np.arange(k0, k0 + nb)[None, :]
        self.truncated[self.random] += ((drawn > cap) & (k > cap)).sum(axis=1)
        used = np.minimum(drawn, cap)
        tau[self.random, :nb] = used
        self.hist_kernel(self.hist_random, used, nb)
