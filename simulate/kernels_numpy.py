"""The NumPy engine: eq. (5) for a chunk of runs, one vectorised update per step (the reference).

All runs of a chunk (any mix of configurations mu, eta, tau) advance together: the state is a ring
buffer ``ring[slot, i, lane]`` of the last L = cap + 2 iterates in eigen-coordinates, coordinate
major so that each coordinate of all lanes is one contiguous vector. Iterate v_k lives in slot
k mod L; the delayed read w = v_{max(k - tau_k, 0)} (history v_{-i} = v_0) is a gather. Every
slot starts as v_0, so v_{-1} = v_0 too and the first update has no momentum (v_1 = v_0 in
THEORY.md's numbering).

Per step, with y = Y_k = Q^T X_k and c = y . w (eq. (5) in eigen-coordinates, h = Q^T v):

    h_{k+1} = (h_k + mu (h_k - h_{k-1})) + (eta c) (y - c w)

since (I - w w^T) y y^T w = c (y - c w). Every sum runs over the coordinates in the same fixed
order as :mod:`simulate.kernels_numba`, and no operation mixes lanes, so the two engines agree
bit for bit and a run's numbers do not depend on its batch.
"""

from __future__ import annotations

import numpy as np

from simulate.data import DataSampler
from simulate.records import LaneOutputs, ResolvedRecords


class NumpyChunk:
    """State of one chunk of lanes for the NumPy engine."""

    def __init__(
        self,
        h0: np.ndarray,
        ring_length: int,
        mu: np.ndarray,
        eta: np.ndarray,
        sampler: DataSampler,
        *,
        normalize: np.ndarray,
        bound: float,
        rec: ResolvedRecords,
        out: LaneOutputs,
    ) -> None:
        n, d = h0.shape
        self.n, self.d, self.L = n, d, ring_length
        self.ring = np.empty((ring_length, d, n))
        self.ring[:] = h0.T
        # mu and eta per lane; a diverged lane gets mu = eta = 0, which freezes it exactly
        self.mu = np.array(mu, dtype=float)
        self.eta = np.array(eta, dtype=float)
        self.sampler = sampler
        # per lane: the renormalised variant (not eq. (5)) divides by the norm, others by 1.0
        self.normalize = np.asarray(normalize, dtype=bool)
        self.any_normalize = bool(self.normalize.any())
        self.bound2 = bound * bound
        self.rec = rec
        self.out = out
        # flat index of (slot 0, coordinate i, lane) in the raveled ring
        self.base = np.arange(d)[:, None] * n + np.arange(n)[None, :]

    def advance(self, k0: int, nb: int, z: np.ndarray, tau: np.ndarray) -> None:
        """Updates k0 .. k0 + nb - 1 from the blocks z[:, :nb] (n, B, d) and tau[:, :nb]."""
        ring, L, d, n = self.ring, self.L, self.d, self.n
        flat = ring.reshape(-1)
        rec, out = self.rec, self.out
        yt = _step_major(self.sampler.eigen(z[:, :nb]))
        # flat ring offsets of every delayed read of the block, v_{max(k - tau_k, 0)}: one
        # vectorised pass per block instead of four small operations per step
        src = np.arange(k0, k0 + nb)[:, None] - tau[:, :nb].T
        np.maximum(src, 0, out=src)
        src %= L
        src *= d * n
        r = int(np.searchsorted(rec.steps, k0 + 1))
        esc_thr, conv_thr, eps_thr = (
            rec.escape_threshold,
            rec.convergence_threshold,
            rec.eps_threshold,
        )
        pending_escape = rec.delta is not None and bool((out.escape < 0).any())
        pending_conv = rec.delta is not None and bool((out.convergence < 0).any())
        pending_eps = rec.eps is not None and bool((out.eps < 0).any())
        with np.errstate(all="ignore"):  # a diverging lane may overflow before it is frozen
            for j in range(nb):
                k = k0 + j
                h, hp, new = ring[k % L], ring[(k - 1) % L], ring[(k + 1) % L]
                w = flat.take(src[j] + self.base)
                y = yt[j]
                yw = y * w  # then summed row by row, in the kernels' order
                c = yw[0].copy()
                for i in range(1, d):
                    c += yw[i]
                a = self.eta * c
                # new may share its slot with hp when L = 2: hp is read before new is written
                np.subtract(h, hp, out=new)
                new *= self.mu
                new += h
                t = c * w
                np.subtract(y, t, out=t)
                t *= a
                new += t
                sq = new * new
                norm2 = sq[0].copy()
                for i in range(1, d):
                    norm2 += sq[i]
                if self.any_normalize:  # x / 1.0 == x: eq. (5) lanes are untouched
                    new /= np.where(self.normalize, np.sqrt(norm2), 1.0)
                    sq = new * new
                if not norm2.max() <= self.bound2:  # a NaN makes the max NaN: caught too
                    self._diverge(np.flatnonzero(~(norm2 <= self.bound2)), k)
                it = k + 1
                if pending_escape:
                    hit = (sq[rec.saddle] <= esc_thr) & (out.escape < 0) & out.alive
                    if hit.any():
                        out.escape[hit] = it
                        pending_escape = bool((out.escape < 0).any())
                if pending_conv:
                    hit = (sq[0] >= conv_thr) & (out.convergence < 0) & out.alive
                    if hit.any():
                        out.convergence[hit] = it
                        pending_conv = bool((out.convergence < 0).any())
                in_window = it >= rec.window_start
                recording = r < rec.steps.size and rec.steps[r] == it
                if not (pending_eps or in_window or recording):
                    continue
                tail = sq[1].copy()
                for i in range(2, d):
                    tail += sq[i]
                if pending_eps:
                    hit = (tail <= eps_thr) & (out.eps < 0) & out.alive
                    if hit.any():
                        out.eps[hit] = it
                        pending_eps = bool((out.eps < 0).any())
                if not (in_window or recording):
                    continue
                q = np.abs(new[0]) - 1.0
                q *= q
                err = tail + q
                mis = tail / (sq[0] + tail)
                if in_window:
                    out.sum_error += err
                    out.sum_misalignment += mis
                if recording:
                    alive = out.alive
                    out.error_at[:, r] = np.where(alive, err, np.nan)
                    out.misalignment_at[:, r] = np.where(alive, mis, np.nan)
                    if rec.h:
                        out.h_at[:, r] = np.where(alive[:, None], new.T, np.nan)
                    r += 1

    def _diverge(self, lanes: np.ndarray, k: int) -> None:
        """Freeze lanes whose v_{k+1} left the bound: they keep v_k (mu = eta = 0) for good."""
        h = self.ring[k % self.L][:, lanes]  # a copy (fancy index)
        self.out.alive[lanes] = False
        self.out.diverged_step[lanes] = k + 1
        self.out.final_h[lanes] = h.T
        self.ring[:, :, lanes] = h[None]
        self.mu[lanes] = 0.0
        self.eta[lanes] = 0.0

    def finish(self, steps: int) -> None:
        """Copy v_steps of the surviving lanes to ``out.final_h``."""
        alive = self.out.alive
        self.out.final_h[alive] = self.ring[steps % self.L].T[alive]


def _step_major(y: np.ndarray, tile: int = 64) -> np.ndarray:
    """(n, nb, d) -> (nb, d, n), transposed in tiles of lanes (a plain strided copy is ~2.5x
    slower: it walks one of the two arrays with a stride of nb * d doubles)."""
    n, nb, d = y.shape
    rows = np.ascontiguousarray(y).reshape(n, nb * d)
    out = np.empty((nb * d, n))
    for a in range(0, n, tile):
        out[:, a : a + tile] = rows[a : a + tile].T
    return out.reshape(nb, d, n)
