"""The Numba engine: the NumPy engine's arithmetic fused into one compiled loop (optional).

It consumes the very same pre-drawn blocks (z, tau) as :mod:`simulate.kernels_numpy` and performs
the same floating-point operations in the same order (no fastmath, so no reassociation or fused
multiply-add), hence the two engines agree bit for bit; NumPy stays the reference. The loop runs
lane by lane over a block of steps, so one run's ring buffer ``ring[lane, slot, i]`` stays in
cache. ``cache=True`` keeps the compiled code between sessions; ``nogil=True`` lets a thread draw
the next block while this one runs; there is no ``parallel=True``, so no scheduling can change a
result. Without numba importable, ``AVAILABLE`` is False and the NumPy engine runs instead.
"""

from __future__ import annotations

import numpy as np

try:
    import numba
except ImportError:  # pragma: no cover - exercised by the no-numba test in a subprocess
    numba = None

AVAILABLE = numba is not None


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn) if AVAILABLE else fn


@_jit
def advance(
    ring,  # (n, L, d) float64: v_k of lane in ring[lane, k % L]
    k0,  # first update of the block
    nb,  # updates in the block
    z,  # (n, B, d) standardised samples
    tau,  # (n, B) int64 delays (already capped)
    mixing,  # (d, d): y = mixing @ z
    diagonal,  # mixing is diagonal
    mu,  # (n,)
    eta,  # (n,)
    normalize,  # (n,) bool: renormalised variant (not eq. (5))
    bound2,  # divergence: ||v||^2 > bound2 or non-finite
    alive,  # (n,) bool
    diverged_step,  # (n,) int64
    final_h,  # (n, d): v at divergence
    saddle,  # 0-based escape coordinate
    esc_thr,  # h_saddle^2 <= esc_thr (-inf: off)
    conv_thr,  # h_1^2 >= conv_thr (+inf: off)
    eps_thr,  # sum_{i>=2} h_i^2 <= eps_thr (-inf: off)
    escape,  # (n,) int64 hitting times, -1 not yet
    convergence,
    eps_hit,
    window_start,  # first iterate of the stationary window
    sum_error,  # (n,)
    sum_misalignment,
    rec_steps,  # (R,) sorted iterate indices
    error_at,  # (n, R)
    misalignment_at,
    h_at,  # (n, R or 0, d)
    record_h,
):
    n, L, d = ring.shape
    n_rec = rec_steps.shape[0]
    y = np.empty(d)
    new = np.empty(d)
    r0 = np.searchsorted(rec_steps, k0 + 1)
    for lane in range(n):
        if not alive[lane]:
            continue
        m = mu[lane]
        e = eta[lane]
        r = r0
        # slots of v_k, v_{k-1}, v_{k+1}, advanced by one each step (no integer division)
        cur = k0 % L
        prev = (k0 + L - 1) % L
        nxt = (k0 + 1) % L
        for j in range(nb):
            k = k0 + j
            t_k = tau[lane, j]
            if k < t_k:
                src = 0  # a read before the start returns v_0 (slot 0 is rewritten only at k = L-1)
            else:
                src = cur - t_k  # tau <= cap = L - 2: at most one wrap
                if src < 0:
                    src += L
            if diagonal:
                for i in range(d):
                    y[i] = z[lane, j, i] * mixing[i, i]
            else:
                for i in range(d):
                    acc = mixing[i, 0] * z[lane, j, 0]
                    for q in range(1, d):
                        acc += mixing[i, q] * z[lane, j, q]
                    y[i] = acc
            c = y[0] * ring[lane, src, 0]
            for i in range(1, d):
                c += y[i] * ring[lane, src, i]
            a = e * c
            for i in range(d):
                hi = ring[lane, cur, i]
                v = (hi - ring[lane, prev, i]) * m + hi
                t = y[i] - c * ring[lane, src, i]
                new[i] = v + t * a
            norm2 = new[0] * new[0]
            for i in range(1, d):
                norm2 += new[i] * new[i]
            if normalize[lane]:
                s = np.sqrt(norm2)
                for i in range(d):
                    new[i] = new[i] / s
            if not norm2 <= bound2:
                alive[lane] = False
                diverged_step[lane] = k + 1
                for i in range(d):
                    final_h[lane, i] = ring[lane, cur, i]
                break
            for i in range(d):
                ring[lane, nxt, i] = new[i]
            prev = cur
            cur = nxt
            nxt = nxt + 1 if nxt + 1 < L else 0
            it = k + 1
            if escape[lane] < 0 and new[saddle] * new[saddle] <= esc_thr:
                escape[lane] = it
            if convergence[lane] < 0 and new[0] * new[0] >= conv_thr:
                convergence[lane] = it
            in_window = it >= window_start
            recording = r < n_rec and rec_steps[r] == it
            if eps_hit[lane] < 0 or in_window or recording:
                tail = new[1] * new[1]
                for i in range(2, d):
                    tail += new[i] * new[i]
                if eps_hit[lane] < 0 and tail <= eps_thr:
                    eps_hit[lane] = it
                if in_window or recording:
                    q1 = abs(new[0]) - 1.0
                    err = tail + q1 * q1
                    mis = tail / (new[0] * new[0] + tail)
                    if in_window:
                        sum_error[lane] += err
                        sum_misalignment[lane] += mis
                    if recording:
                        error_at[lane, r] = err
                        misalignment_at[lane, r] = mis
                        if record_h:
                            for i in range(d):
                                h_at[lane, r, i] = new[i]
                        r += 1


@_jit
def ps_advance(finish, read, scale, times, k0, nb, out):
    """:func:`simulate.delays.ps_advance` compiled: the same schedule, the same floats."""
    n, w = finish.shape
    for lane in range(n):
        for j in range(nb):
            k = k0 + j
            who = 0
            best = finish[lane, 0]
            for i in range(1, w):
                if finish[lane, i] < best:  # strict: ties go to the lowest index, as np.argmin
                    best = finish[lane, i]
                    who = i
            out[lane, j] = k - read[lane, who]
            read[lane, who] = k + 1
            finish[lane, who] += scale[lane, who] * times[lane, j]


@_jit
def histogram_add(hist, tau, nb):
    """hist[lane, tau[lane, j]] += 1 for j < nb (the NumPy engine uses np.add.at)."""
    for lane in range(tau.shape[0]):
        for j in range(nb):
            hist[lane, tau[lane, j]] += 1


class NumbaChunk:
    """State of one chunk of lanes for the Numba engine (same interface as NumpyChunk)."""

    def __init__(self, h0, ring_length, mu, eta, sampler, *, normalize, bound, rec, out):
        n, d = h0.shape
        self.L = ring_length
        self.ring = np.empty((n, ring_length, d))
        self.ring[:] = h0[:, None, :]
        self.mu = np.array(mu, dtype=float)
        self.eta = np.array(eta, dtype=float)
        self.mixing = np.array(sampler.mixing, dtype=float)  # writable: one compiled signature
        self.diagonal = bool(sampler.diagonal)
        self.normalize = np.asarray(normalize, dtype=np.bool_)
        self.bound2 = float(bound) * float(bound)
        self.rec, self.out = rec, out

    def advance(self, k0, nb, z, tau):
        rec, out = self.rec, self.out
        advance(
            self.ring,
            k0,
            nb,
            z,
            tau,
            self.mixing,
            self.diagonal,
            self.mu,
            self.eta,
            self.normalize,
            self.bound2,
            out.alive,
            out.diverged_step,
            out.final_h,
            rec.saddle,
            rec.escape_threshold,
            rec.convergence_threshold,
            rec.eps_threshold,
            out.escape,
            out.convergence,
            out.eps,
            rec.window_start,
            out.sum_error,
            out.sum_misalignment,
            rec.steps,
            out.error_at,
            out.misalignment_at,
            out.h_at,
            rec.h,
        )

    def finish(self, steps):
        alive = self.out.alive
        self.out.final_h[alive] = self.ring[alive, steps % self.L]


def numba_ps_kernel(finish, read, scale, times, k0, nb, out):
    ps_advance(finish, read, scale, times, k0, nb, out)
