"""Batched Async-MSGD: many runs of many configurations of eq. (5), advanced together.

Usage::

    from simulate import Config, RecordSpec, simulate
    from theory.problem import Problem

    problem = Problem.from_eigenvalues([4, 3, 2, 1])
    configs = Config.grid(mu=[0.7, 0.9], tau=range(0, 101, 10), eta=5e-4)
    result = simulate(problem, configs, runs=100, steps=20_000, start="e2", seed=0,
                      records=RecordSpec(steps=RecordSpec.grid(20_000, 100)))
    result[0].final_error, result[0].escape_step, result[0].error_at, result.summary(0)

Each (configuration, run) pair is a *lane*. Lanes are processed in chunks bounded in memory; a
chunk advances all its lanes together, B updates per block of pre-drawn samples
(:mod:`simulate.blocks`), with the NumPy kernel (the reference, :mod:`simulate.kernels_numpy`) or
the Numba kernel (:mod:`simulate.kernels_numba`). Lanes never interact and every lane's random
streams are keyed by (configuration, run) (:mod:`simulate.seeds`), so results are bit-for-bit the
same whatever the batch, chunk, block length, engine or number of threads.

Numbering: ``steps`` counts updates and v_k is the iterate after k updates, v_0 the start (so
THEORY.md's v_1 = v_0 is our v_0 and its v_{k+1} our v_k); hitting times and record steps are
such k. Every lane starts with the history v_{-i} = v_0, so its first update has no momentum.

Guard rails (the batch never breaks): a lane whose iterate is non-finite or has
||v|| > ``divergence_bound`` is frozen at its last finite iterate, marked diverged with the step,
and its errors are NaN from then on; summaries count it per configuration.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from simulate import kernels_numba
from simulate.blocks import ChunkDraws, numpy_histogram_add, numpy_ps_kernel
from simulate.data import DataSampler
from simulate.delays import ConstantDelay, DelayModel, parse_delay
from simulate.kernels_numpy import NumpyChunk
from simulate.records import QUANTILES, ConfigResult, DelayStats, LaneOutputs, RecordSpec, errors
from simulate.seeds import Stream, check_seed, run_generators, stable_key
from simulate.starts import parse_start, saddle_index, start_eigen
from theory.distributions import DataModel, get_model
from theory.problem import Problem
from theory.validation import (
    ParameterError,
    check_eta,
    check_mu,
    check_positive,
    check_positive_int,
    check_tau,
)

# Bumped whenever a change to the engine could change a number: stored sweep cells are keyed by it.
ENGINE_VERSION = "engine-1"
ENGINES = ("auto", "numpy", "numba")
DEFAULT_DIVERGENCE_BOUND = 100.0
DEFAULT_MEMORY = 256 * 2**20  # bytes per chunk (ring buffers, sample blocks, histograms)
_BLOCK = {"numpy": 256, "numba": 1024}  # updates per block (no effect on results)
_MAX_LANES = {"numpy": 8192, "numba": 2048}  # lanes per chunk (no effect on results)

Progress = Callable[[int], object]


@dataclass(frozen=True)
class Config:
    """One configuration of eq. (5): momentum mu, step eta, delay model (an int: constant).

    ``normalize=True`` is the renormalised variant v <- v / ||v|| after every update, which is
    NOT the paper's eq. (5) (labelled so in every output). ``max_delay`` caps the ring buffer
    (default: the model's bound or tail quantile; see :mod:`simulate.blocks`).
    """

    mu: float
    eta: float
    delay: DelayModel | int = 0
    normalize: bool = False
    max_delay: int | None = None
    key: int = field(init=False, repr=False, compare=False)
    delay_key: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mu", check_mu(self.mu))
        object.__setattr__(self, "eta", check_eta(self.eta))
        delay = self.delay
        if not isinstance(delay, DelayModel):
            delay = ConstantDelay(check_tau(delay))
        object.__setattr__(self, "delay", delay)
        if self.max_delay is not None:
            object.__setattr__(self, "max_delay", check_tau(self.max_delay, "max_delay"))
        object.__setattr__(self, "normalize", bool(self.normalize))
        # seeds: a stable hash of what defines the run (not its position in a batch)
        object.__setattr__(
            self, "key", stable_key("config", self.mu, self.eta, delay.spec, self.normalize)
        )
        object.__setattr__(self, "delay_key", stable_key("delay", delay.spec))

    @property
    def update(self) -> str:
        return "renormalised (NOT the paper's eq. (5))" if self.normalize else "eq. (5)"

    def describe(self) -> dict[str, object]:
        return {
            "mu": self.mu,
            "eta": self.eta,
            "delay": self.delay.spec,
            "delay_model_mean": self.delay.mean,
            "update": self.update,
        }

    @classmethod
    def grid(
        cls,
        *,
        mu: float | Iterable[float],
        eta: float | Iterable[float],
        tau: float | Iterable[float] | None = None,
        delay: str = "constant",
        normalize: bool = False,
        max_delay: int | None = None,
    ) -> list[Config]:
        """All combinations (mu outermost, then eta, then tau) for one delay family."""

        def seq(x: object) -> list:
            return list(x) if isinstance(x, Iterable) and not isinstance(x, str) else [x]

        taus = [None] if tau is None else seq(tau)
        return [
            cls(m, e, parse_delay(delay, t), normalize, max_delay)
            for m in seq(mu)
            for e in seq(eta)
            for t in taus
        ]


def resolve_engine(engine: str) -> str:
    """'auto' is numba when importable, else numpy."""
    if engine not in ENGINES:
        raise ParameterError("engine", engine, "one of " + ", ".join(ENGINES))
    if engine == "auto":
        return "numba" if kernels_numba.AVAILABLE else "numpy"
    if engine == "numba" and not kernels_numba.AVAILABLE:
        raise ParameterError("engine", engine, "numba is not installed: use numpy or auto")
    return engine


@dataclass
class BatchResult:
    """Per-configuration results (index like a list) and what produced them."""

    configs: list[ConfigResult]
    problem: Problem
    distribution: DataModel
    start: str | np.ndarray
    steps: int
    runs: int
    seed: int
    crn: bool
    engine: str
    record_steps: np.ndarray
    window_start: int
    elapsed: float

    def __getitem__(self, i: int) -> ConfigResult:
        return self.configs[i]

    def __len__(self) -> int:
        return len(self.configs)

    def summary(self, i: int) -> dict[str, object]:
        out = self.configs[i].summary()
        out.update(self.meta())
        return out

    def summaries(self) -> list[dict[str, object]]:
        """One :meth:`summary` per configuration, in batch order."""
        return [self.summary(i) for i in range(len(self.configs))]

    def meta(self) -> dict[str, object]:
        c_d, exact = self.distribution.C_d(self.problem)
        return {
            "steps": self.steps,
            "seed": self.seed,
            "common_random_numbers": self.crn,
            "engine": self.engine,
            "distribution": self.distribution.name,
            "A2_bounded": self.distribution.bounded,
            "C_d": c_d,
            "C_d_exact": exact,
            "start": self.start if isinstance(self.start, str) else list(self.start),
            "eigenvalues": self.problem.eigenvalues.tolist(),
            "sigma_diagonal": self.problem.is_diagonal,
            "stationary_window": [self.window_start, self.steps],
            "elapsed_seconds": self.elapsed,
        }


def lane_cap(config: Config, steps: int) -> int:
    """The ring-buffer cap on this configuration's delays (see :mod:`simulate.blocks`)."""
    cap = config.max_delay if config.max_delay is not None else config.delay.default_cap()
    return steps if cap is None else min(cap, steps)


def simulate(
    problem: Problem,
    configs: Sequence[Config] | Config,
    *,
    runs: int,
    steps: int,
    seed: int = 0,
    distribution: str | DataModel = "gaussian",
    start: str | np.ndarray = "e2",
    records: RecordSpec | None = None,
    engine: str = "auto",
    crn: bool = False,
    divergence_bound: float = DEFAULT_DIVERGENCE_BOUND,
    threads: int = 1,
    block: int | None = None,
    max_lanes: int | None = None,
    memory: int = DEFAULT_MEMORY,
    progress: Progress | None = None,
) -> BatchResult:
    """Run ``runs`` independent runs of every configuration for ``steps`` updates of eq. (5).

    ``start``: 'e<j>' (eigenvector j), 'random' or a vector (:mod:`simulate.starts`).
    ``crn``: common random numbers across configurations (:mod:`simulate.seeds`).
    ``threads=2`` draws the next block in a second thread while the kernel runs (same numbers).
    ``block``, ``max_lanes``, ``memory`` only shape the work; they never change a number.
    ``progress(n)`` is called with the number of step-runs done after each block.
    """
    if isinstance(configs, Config):
        configs = [configs]
    configs = list(configs)
    if not configs:
        raise ParameterError("configs", configs, "at least one configuration")
    for c in configs:
        if not isinstance(c, Config):
            raise ParameterError("configs", c, "simulate.Config instances")
    if not isinstance(problem, Problem):
        raise ParameterError("problem", problem, "a theory.problem.Problem")
    runs = check_positive_int("runs", runs)
    steps = check_positive_int("steps", steps)
    seed = check_seed(seed)
    model = distribution if isinstance(distribution, DataModel) else get_model(distribution)
    start = parse_start(start, problem.d)
    rec = (records or RecordSpec()).resolve(steps, problem.d, saddle_index(start))
    bound = check_positive("divergence_bound", divergence_bound)
    threads = check_positive_int("threads", threads)
    if threads > 2:
        raise ParameterError("threads", threads, "1 (serial) or 2 (draw while computing)")
    engine = resolve_engine(engine)
    block = check_positive_int("block", block) if block is not None else _BLOCK[engine]
    block = min(block, steps)
    max_lanes = check_positive_int("max_lanes", max_lanes or _MAX_LANES[engine])
    memory = check_positive_int("memory", memory)
    sampler = DataSampler(problem, model)

    caps = np.array([lane_cap(c, steps) for c in configs], dtype=np.int64)
    lane_config = np.repeat(np.arange(len(configs)), runs)
    lane_run = np.tile(np.arange(runs), len(configs))
    lane_caps = caps[lane_config]
    n_lanes = lane_config.size
    d = problem.d
    out = LaneOutputs.allocate(n_lanes, d, rec)
    # delay statistics: per lane (mean, max, quantiles, truncated reads) and one pooled
    # histogram per configuration; per-lane histograms live only as long as their chunk
    delay_mean = np.zeros(n_lanes)
    delay_max = np.zeros(n_lanes, dtype=np.int64)
    delay_q = np.zeros((n_lanes, len(QUANTILES)), dtype=np.int64)
    truncated = np.zeros(n_lanes, dtype=np.int64)
    pooled = [np.zeros(int(cap) + 1, dtype=np.int64) for cap in caps]

    t0 = time.perf_counter()
    for a, b in _chunks(lane_caps, d, sampler.raw_width, block, rec, max_lanes, memory, threads):
        chunk_configs = [configs[i] for i in lane_config[a:b]]
        chunk_out = LaneOutputs.allocate(b - a, d, rec)
        hist, chunk_truncated = _run_chunk(
            problem,
            sampler,
            chunk_configs,
            lane_run[a:b],
            lane_caps[a:b],
            root=seed,
            crn=crn,
            start=start,
            steps=steps,
            block=block,
            engine=engine,
            threads=threads,
            bound=bound,
            rec=rec,
            out=chunk_out,
            progress=progress,
        )
        for name, arr in vars(chunk_out).items():
            getattr(out, name)[a:b] = arr
        stats = DelayStats.from_histograms(hist, chunk_truncated)
        delay_mean[a:b], delay_max[a:b], delay_q[a:b] = stats.mean, stats.max, stats.quantiles
        truncated[a:b] = chunk_truncated
        for c in np.unique(lane_config[a:b]):
            rows = lane_config[a:b] == c
            pooled[c] += hist[rows, : caps[c] + 1].sum(axis=0)
    elapsed = time.perf_counter() - t0

    results = []
    for i, config in enumerate(configs):
        sl = slice(i * runs, (i + 1) * runs)
        delays = DelayStats(
            mean=delay_mean[sl],
            max=delay_max[sl],
            quantiles=delay_q[sl],
            truncated=truncated[sl],
            pooled=pooled[i],
        )
        results.append(_config_result(config, int(caps[i]), out, sl, delays, rec))
    return BatchResult(
        configs=results,
        problem=problem,
        distribution=model,
        start=start,
        steps=steps,
        runs=runs,
        seed=seed,
        crn=bool(crn),
        engine=engine,
        record_steps=rec.steps,
        window_start=rec.window_start,
        elapsed=elapsed,
    )


def _chunks(caps, d, raw_width, block, rec, max_lanes, memory, threads):
    """Contiguous lane ranges [a, b) whose buffers fit in ``memory`` bytes."""
    buffers = 2 if threads == 2 else 1
    per_block = block * (buffers * (raw_width + d + 1) + 2 * d + 2) * 8
    per_record = rec.steps.size * (2 + (d if rec.h else 0)) * 8

    def lane_bytes(cap: int) -> int:
        return (cap + 2) * d * 8 + (cap + 1) * 8 + per_block + per_record

    a = 0
    n = caps.size
    while a < n:
        b, top = a + 1, int(caps[a])
        while b < n and b - a < max_lanes:
            new_top = max(top, int(caps[b]))
            if (b + 1 - a) * lane_bytes(new_top) > memory:
                break
            b, top = b + 1, new_top
        yield a, b
        a = b


def _run_chunk(
    problem,
    sampler,
    configs,
    runs,
    caps,
    *,
    root,
    crn,
    start,
    steps,
    block,
    engine,
    threads,
    bound,
    rec,
    out,
    progress,
) -> tuple[np.ndarray, np.ndarray]:
    """Run one chunk; returns its per-lane delay histograms and truncated-read counts."""
    n = len(configs)
    numba = engine == "numba"
    draws = ChunkDraws(
        sampler,
        configs,
        runs,
        caps,
        root=root,
        crn=crn,
        block=block,
        ps_kernel=kernels_numba.numba_ps_kernel if numba else numpy_ps_kernel,
        hist_kernel=kernels_numba.histogram_add if numba else numpy_histogram_add,
        buffers=2 if threads == 2 else 1,
    )
    if isinstance(start, str) and start == "random":
        keys = [(c.key, c.delay_key, int(r)) for c, r in zip(configs, runs, strict=True)]
        rngs = run_generators(root, Stream.START, keys, crn=crn)
    else:
        rngs = [None] * n
    h0 = np.array([start_eigen(problem, start, g) for g in rngs]).reshape(n, problem.d)
    out.record_start(h0, rec)
    kernel_cls = kernels_numba.NumbaChunk if numba else NumpyChunk
    state = kernel_cls(
        h0,
        int(caps.max()) + 2,
        np.array([c.mu for c in configs]),
        np.array([c.eta for c in configs]),
        sampler,
        normalize=np.array([c.normalize for c in configs]),
        bound=bound,
        rec=rec,
        out=out,
    )
    starts = list(range(0, steps, block))
    if threads == 1:
        for k0 in starts:
            nb = min(block, steps - k0)
            z, tau = draws.draw(k0, nb)
            state.advance(k0, nb, z, tau)
            if progress is not None:
                progress(n * nb)
    else:
        # draw block i + 1 in a second thread while the kernel consumes block i; every lane's
        # streams are used by one thread, in order, so the numbers are those of threads=1
        with ThreadPoolExecutor(max_workers=1) as pool:
            nb0 = min(block, steps)
            pending = pool.submit(draws.draw, 0, nb0, 0)
            for i, k0 in enumerate(starts):
                nb = min(block, steps - k0)
                z, tau = pending.result()
                if i + 1 < len(starts):
                    k1 = starts[i + 1]
                    pending = pool.submit(draws.draw, k1, min(block, steps - k1), (i + 1) % 2)
                state.advance(k0, nb, z, tau)
                if progress is not None:
                    progress(n * nb)
    state.finish(steps)
    return draws.hist, draws.truncated


def _config_result(config, cap, out, sl, delays, rec) -> ConfigResult:
    final_h = out.final_h[sl].copy()
    diverged = ~out.alive[sl]
    err, mis = errors(final_h)
    err[diverged] = np.nan
    mis[diverged] = np.nan
    count = rec.window_count
    stat = np.where(diverged, np.nan, out.sum_error[sl] / count)
    stat_mis = np.where(diverged, np.nan, out.sum_misalignment[sl] / count)
    return ConfigResult(
        config=config,
        cap=cap,
        final_h=final_h,
        final_error=err,
        final_misalignment=mis,
        error_at=out.error_at[sl].copy(),
        misalignment_at=out.misalignment_at[sl].copy(),
        h_at=out.h_at[sl].copy() if rec.h else None,
        stationary_error=stat,
        stationary_misalignment=stat_mis,
        escape_step=out.escape[sl].copy(),
        convergence_step=out.convergence[sl].copy(),
        eps_step=out.eps[sl].copy(),
        diverged=diverged,
        diverged_step=out.diverged_step[sl].copy(),
        delays=delays,
    )


def step_runs_per_second(result: BatchResult) -> float:
    """Throughput of a finished batch (updates x runs per second of wall time)."""
    total = result.steps * result.runs * len(result.configs)
    return total / result.elapsed if result.elapsed > 0 else math.inf
