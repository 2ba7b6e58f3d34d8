"""Batched asynchronous simulation of the block adaptive methods, with stale reads.

``runs`` independent runs (lanes) of one configuration advance together, vectorised over lanes.
Update k of a lane reads w_k = x_{k - tau_k} from a ring buffer of past iterates (a read before
the start returns x_0), draws its block and sample, and applies :func:`methods.step`; tau_k comes
from any model of :mod:`simulate.delays` (i.i.d. laws, constant, the parameter-server schedule
via :func:`simulate.delays.ps_start` / :func:`~simulate.delays.ps_advance`) or from a recorded
trace (:class:`simulate.adaptive.replay.TraceDelay`).

Seeds: each run owns one Generator per purpose, ``SeedSequence(seed, spawn_key=(key, run,
stream))`` with ``key`` a stable hash of (problem, method, delay, blocks) and the streams
:class:`simulate.seeds.Stream` DATA, DELAY, START plus :data:`BLOCK` and :data:`NOISE` here.
Every purpose consumes a fixed number of variates per update, so a run's numbers are the same
alone or in any batch, whatever the chunk length (tested).

Ring-buffer cap: a lane keeps the last cap + 1 iterates, cap = min(steps, the model's bound,
``max_delay``); an update whose delay exceeds the cap (and reaches past x_0's slot) reads
x_{k - cap} instead and is counted in ``truncated``.

Stationarity is measured with the exact gradient: ||grad F(x_k)||^2 at the checkpoints
(:func:`checkpoint_grid`, geometric), for every run.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from simulate.adaptive.blocks import BlockScheme, parse_blocks
from simulate.adaptive.methods import Method, MethodState, step
from simulate.adaptive.names import DEFAULT_MAX_DELAY
from simulate.adaptive.problems import StochasticProblem
from simulate.delays import DelayModel, ParameterServer, ps_advance, ps_start
from simulate.resources import available_memory, format_bytes
from simulate.seeds import Stream, check_seed, generator, stable_key
from theory.validation import ParameterError, check_positive_int, check_tau

BLOCK = 3  # spawn-key word of the block-choice stream (after Stream.DATA, DELAY, START)
NOISE = 4  # ... of the noisy-norm stream
# DEFAULT_MAX_DELAY lives in simulate.adaptive.names (for the command line)
DEFAULT_DIVERGENCE_BOUND = 1e6
CHUNK = 256  # updates drawn at a time (no effect on results)


def checkpoint_grid(steps: int, per_octave: int = 32) -> np.ndarray:
    """0, then the update counts round(2^(i/per_octave)) up to ``steps`` (steps included):
    every k while k < per_octave / ln 2, then a geometric grid with ratio 2^(1/per_octave)."""
    steps = check_positive_int("steps", steps)
    per_octave = check_positive_int("per_octave", per_octave)
    top = math.floor(math.log2(steps) * per_octave)
    grid = np.round(2.0 ** (np.arange(top + 1) / per_octave)).astype(np.int64)
    return np.unique(np.concatenate([[0], grid[grid <= steps], [steps]]))


def octave_bins(
    points: np.ndarray, values: np.ndarray, per_octave: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """Average ``values`` (runs, points) over geometric bins [2^(j/b), 2^((j+1)/b)) of the
    update count (b = ``per_octave``; k = 0 left out). Returns (t, means): t the geometric mean
    of the points in each non-empty bin, means (runs, bins)."""
    points = np.asarray(points)
    keep = points >= 1
    k, v = points[keep], np.asarray(values)[:, keep]
    # the small offset keeps exact powers of two in their own bin despite rounding in log2
    j = np.floor(np.log2(k) * per_octave + 1e-9).astype(np.int64)
    _, inverse = np.unique(j, return_inverse=True)
    counts = np.bincount(inverse)
    t = np.exp(np.bincount(inverse, weights=np.log(k)) / counts)
    means = np.stack([np.bincount(inverse, weights=row) for row in v]) / counts
    return t, means


def config_key(problem: StochasticProblem, method: Method, delay: object, blocks: str) -> int:
    """The stable hash keying a configuration's streams (``horizon``: the step depends on T)."""
    return stable_key("adaptive", problem.spec, method.spec, str(delay), blocks)


@dataclass
class AdaptiveResult:
    """Per-run outputs of one configuration; ``grad2[r, i]`` = ||grad F(x_k)||^2 at
    k = ``checkpoints[i]`` for run r (inf once a run diverged)."""

    problem: dict[str, object]
    method: dict[str, object]
    delay: str
    blocks: str
    seed: int
    run_ids: np.ndarray
    steps: int
    checkpoints: np.ndarray
    grad2: np.ndarray
    final_x: np.ndarray
    diverged: np.ndarray
    delay_hist: np.ndarray
    truncated: int
    cap: int
    elapsed: float
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def runs(self) -> int:
        return int(self.run_ids.size)

    def binned(self, per_octave: int = 4) -> tuple[np.ndarray, np.ndarray]:
        """Per-run means of ||grad F(x_k)||^2 over geometric bins of k (:func:`octave_bins`)."""
        return octave_bins(self.checkpoints, self.grad2, per_octave)

    def min_curve(self, per_octave: int = 4) -> tuple[np.ndarray, np.ndarray]:
        """(t, G(t)): G(t) = the smallest bin mean of E ||grad F(x_k)||^2 over bins up to t
        (D3's min_{k <= t} E ||grad F(x_k)||^2, averaged over a bin: an upper bound of it
        with the same power law)."""
        t, means = self.binned(per_octave)
        return t, np.minimum.accumulate(means.mean(axis=0))

    def tail_grad2(self, start: float = 0.5) -> np.ndarray:
        """Per run: the mean of ||grad F(x_k)||^2 over k in [start * steps, steps] (the
        checkpoints there, trapezoid weights, so uniform in k)."""
        sel = self.checkpoints >= start * self.steps
        k, g = self.checkpoints[sel].astype(float), self.grad2[:, sel]
        if k.size < 2:
            return g[:, -1].copy()
        # trapezoid rule by hand (np.trapezoid needs NumPy >= 2)
        area = (0.5 * (g[:, 1:] + g[:, :-1]) * np.diff(k)).sum(axis=1)
        return area / (k[-1] - k[0])

    def delay_stats(self) -> dict[str, object]:
        h = self.delay_hist
        n = int(h.sum())
        if n == 0:
            return {"mean": math.nan, "max": 0, "quantiles": {}}
        k = np.arange(h.size)
        cdf = np.cumsum(h) / n
        q = {str(p): int(np.searchsorted(cdf, p)) for p in (0.5, 0.9, 0.99)}
        return {"mean": float((k * h).sum() / n), "max": int(k[h > 0].max()), "quantiles": q}


class LaneDelays:
    """The delays of a set of lanes, chunk by chunk, from their delay streams."""

    def __init__(self, model: object, rngs: Sequence[np.random.Generator]) -> None:
        self.model, self.rngs = model, list(rngs)
        self.kind = getattr(model, "kind", None)
        if self.kind == "schedule":
            ps = model
            assert isinstance(ps, ParameterServer)
            first = [ps.draw_times(r, ps.workers) for r in self.rngs]
            self.finish, self.read, self.scale = ps_start([ps] * len(self.rngs), first)
        elif self.kind not in ("constant", "iid", "trace"):
            raise ParameterError("delay", model, "a model of simulate.delays or a trace")

    def next(self, k0: int, nb: int) -> np.ndarray:
        """(lanes, nb) delays of updates k0 .. k0 + nb - 1."""
        lanes = len(self.rngs)
        m = self.model
        if self.kind == "constant":
            return np.full((lanes, nb), m.tau, dtype=np.int64)  # type: ignore[attr-defined]
        if self.kind == "iid":
            return np.stack([m.draw(r, nb) for r in self.rngs])  # type: ignore[attr-defined]
        if self.kind == "trace":
            return np.broadcast_to(m.window(k0, nb), (lanes, nb))  # type: ignore[attr-defined]
        times = np.stack([m.draw_times(r, nb) for r in self.rngs])  # type: ignore[attr-defined]
        out = np.empty((lanes, nb), dtype=np.int64)
        ps_advance(self.finish, self.read, self.scale, times, k0, out)
        return out


def _cap(model: object, steps: int, max_delay: int | None) -> int:
    cap = steps
    bound = getattr(model, "bound", None)
    if bound is not None:
        cap = min(cap, int(bound))
    if max_delay is not None:
        cap = min(cap, check_tau(max_delay, "max_delay"))
    return max(cap, 0)


def memory_estimate(
    *, lanes: int, d: int, ring: int, checkpoints: int, batch: int, chunk: int
) -> dict[str, int]:
    """Peak bytes of :func:`simulate_adaptive`, by what grows: ``ring`` (the past iterates and
    norms), ``batch`` (a chunk's samples and gradients), ``runs`` (the rest, per run)."""
    per = {
        "ring": 8 * ring * (d + 1),
        "batch": 8 * chunk * batch * (d + 1) + 8 * 4 * batch * d,
        "runs": 8 * (checkpoints + 8 * d + chunk * (d + 2)),
    }
    out = {k: lanes * v for k, v in per.items()}
    out["total"] = sum(out.values())
    return out


def check_memory(**sizes: int) -> None:
    """Raise ParameterError (naming --runs, --max-delay or --batch) when a run would not fit in
    the memory available here (:func:`simulate.resources.available_memory`)."""
    available = available_memory()
    if available is None:
        return
    est = memory_estimate(**sizes)
    if est["total"] <= available:
        return
    need, have = format_bytes(est["total"]), format_bytes(available)
    lanes = sizes["lanes"]
    per_run = est["total"] / lanes
    biggest = max(("ring", "batch", "runs"), key=lambda k: est[k])
    other = {"ring": "--max-delay", "batch": "--batch"}.get(biggest)
    if biggest == "runs" or per_run <= available:
        fit = max(0, int(available / per_run))
        also = f" (or {other})" if other else ""
        raise ParameterError(
            "runs",
            lanes,
            f"{lanes:,} runs would need about {need} of memory, more than the {have} available "
            f"here: at most about {fit:,} runs fit; lower --runs{also}",
        )
    name = "max_delay" if biggest == "ring" else "batch"
    value = sizes["ring"] - 1 if biggest == "ring" else sizes["batch"]
    raise ParameterError(
        name,
        value,
        f"one run would need about {need} of memory, more than the {have} available here; "
        f"lower {other}",
    )


def simulate_adaptive(
    problem: StochasticProblem,
    method: Method,
    delay: DelayModel | object,
    *,
    blocks: str | BlockScheme = "full",
    runs: int = 32,
    steps: int = 4096,
    seed: int = 0,
    run_ids: Sequence[int] | None = None,
    checkpoints: Sequence[int] | np.ndarray | None = None,
    max_delay: int | None = DEFAULT_MAX_DELAY,
    divergence_bound: float = DEFAULT_DIVERGENCE_BOUND,
    chunk: int = CHUNK,
) -> AdaptiveResult:
    """Simulate ``runs`` runs (or the runs ``run_ids``) of one configuration for ``steps``
    updates; see the module docstring. ``blocks``: a :class:`BlockScheme` or its text."""
    t0 = time.perf_counter()
    steps = check_positive_int("steps", steps)
    seed = check_seed(seed)
    chunk = check_positive_int("chunk", chunk)
    if run_ids is None:
        run_ids = range(check_positive_int("runs", runs))
    # before any array that grows with the runs (the run ids themselves included)
    check_memory(
        lanes=len(run_ids),
        d=problem.d,
        ring=_cap(delay, steps, max_delay) + 1,
        # the default grid: about 32 checkpoints an octave
        checkpoints=32 * steps.bit_length() + 64 if checkpoints is None else len(checkpoints),
        batch=int(getattr(problem, "batch", 1)),
        chunk=min(chunk, steps),
    )
    ids = np.asarray(list(run_ids), dtype=np.int64)
    if ids.size == 0 or np.any(ids < 0):
        raise ParameterError("run_ids", list(ids), "a non-empty list of run indices >= 0")
    scheme = blocks if isinstance(blocks, BlockScheme) else parse_blocks(blocks, problem.d)
    if scheme.d != problem.d:
        raise ParameterError("blocks", scheme.spec, f"a scheme on d = {problem.d} coordinates")
    if getattr(delay, "kind", None) == "trace":
        delay.check_length(steps)  # type: ignore[attr-defined]
    cps = checkpoint_grid(steps) if checkpoints is None else np.asarray(checkpoints, np.int64)
    if cps.size == 0 or np.any(np.diff(cps) <= 0) or cps[0] < 0 or cps[-1] > steps:
        raise ParameterError("checkpoints", list(cps), f"increasing update counts in [0, {steps}]")
    sched = method.schedule.for_horizon(steps)
    key = config_key(problem, method, delay, scheme.spec)
    if method.schedule.kind == "horizon":
        key = stable_key(key, steps)

    def rngs(stream: int) -> list[np.random.Generator]:
        return [generator(seed, (key, int(r), stream)) for r in ids]

    data_rngs, block_rngs = rngs(int(Stream.DATA)), rngs(BLOCK)
    noise_rngs = rngs(NOISE) if method.needs_noise else None
    lane_delays = LaneDelays(delay, rngs(int(Stream.DELAY)))
    lanes, d = ids.size, problem.d
    cap = _cap(delay, steps, max_delay)
    ring = cap + 1
    hist = np.empty((ring, lanes, d))
    hist[0] = np.stack([problem.start(r) for r in rngs(int(Stream.START))])
    nhist = np.full((ring, lanes), np.nan) if method.needs_stale_norm else None
    state = MethodState.zeros(method, lanes, d)
    lane_idx = np.arange(lanes)
    grad2 = np.empty((lanes, cps.size))
    delay_hist = np.zeros(ring, dtype=np.int64)
    truncated = 0
    next_cp = 0
    full = scheme.kind == "full"
    ones = np.ones((lanes, d), dtype=bool)

    def record(k: int, x: np.ndarray) -> None:
        nonlocal next_cp
        while next_cp < cps.size and cps[next_cp] == k:
            g = problem.grad(x)
            val = np.einsum("ij,ij->i", g, g)
            grad2[:, next_cp] = np.where(np.isfinite(val), val, np.inf)
            next_cp += 1

    with np.errstate(over="ignore", invalid="ignore"):
        record(0, hist[0])
        for k0 in range(0, steps, chunk):
            nb = min(chunk, steps - k0)
            xi = np.stack([problem.draw(r, nb) for r in data_rngs], axis=1)
            masks = None if full else np.stack([scheme.masks(r, nb) for r in block_rngs], axis=1)
            zeta = (
                np.stack([r.standard_normal(nb) for r in noise_rngs], axis=1)
                if noise_rngs is not None
                else None
            )
            tau = np.minimum(lane_delays.next(k0, nb), np.arange(k0, k0 + nb))  # before x_0: x_0
            moved = tau > cap
            truncated += int(moved.sum())
            tau = np.minimum(tau, cap)
            delay_hist += np.bincount(tau.ravel(), minlength=ring)
            for j in range(nb):
                k = k0 + j
                slot = (k - tau[:, j]) % ring
                w = hist[slot, lane_idx]
                mask = ones if masks is None else masks[j]
                g = problem.stoch_grad(w, xi[j])
                if masks is not None:
                    g *= mask
                dx = step(
                    method,
                    state,
                    g,
                    mask,
                    sched.eta_at(k),
                    stale_norm=None if nhist is None else nhist[slot, lane_idx],
                    zeta=None if zeta is None else zeta[j],
                )
                x = hist[k % ring] + dx
                hist[(k + 1) % ring] = x
                if nhist is not None:
                    nhist[(k + 1) % ring] = state.norm
                if next_cp < cps.size and cps[next_cp] == k + 1:
                    record(k + 1, x)
    final = hist[steps % ring].copy()
    norms = np.sqrt(np.einsum("ij,ij->i", final, final))
    # a run that left the bound or produced a non-finite gradient anywhere has diverged
    diverged = ~np.all(np.isfinite(grad2), axis=1) | ~(norms <= divergence_bound)
    grad2[diverged, -1] = np.inf
    return AdaptiveResult(
        problem=problem.describe(),
        method={**method.describe(), "schedule_spec": sched.spec},
        delay=str(delay),
        blocks=scheme.spec,
        seed=seed,
        run_ids=ids,
        steps=steps,
        checkpoints=cps,
        grad2=grad2,
        final_x=final,
        diverged=diverged,
        delay_hist=delay_hist,
        truncated=truncated,
        cap=cap,
        elapsed=time.perf_counter() - t0,
    )
