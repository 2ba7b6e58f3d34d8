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
and its errors are NaN from then on; summaries count it per configuration. A batch that would
not fit in the memory available here (:func:`memory_estimate`: the per-run outputs, the ring
buffers, a parameter server's state) is refused before anything is allocated, with a
ParameterError naming what to lower (:func:`validate` checks a call without running it).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from simulate.blocks import ChunkDraws, numpy_histogram_add, numpy_ps_kernel
from simulate.config import Config
from simulate.data import DataSampler
from simulate.kernels_numpy import NumpyChunk
from simulate.names import DEFAULT_DIVERGENCE_BOUND, ENGINE_VERSION, ENGINES
from simulate.records import (
    QUANTILES,
    ConfigResult,
    DelayStats,
    LaneOutputs,
    RecordSpec,
    ResolvedRecords,
    errors,
)
from simulate.resources import available_memory, format_bytes
from simulate.seeds import Stream, check_seed, run_generators
from simulate.starts import parse_start, saddle_index, start_eigen
from theory.distributions import DataModel, get_model
from theory.lazy import lazy_module
from theory.problem import Problem
from theory.validation import ParameterError, check_positive, check_positive_int

# Numba costs 0.3 s to import: only a simulation on the numba engine needs it
kernels_numba = lazy_module("simulate.kernels_numba")

# Config, ENGINE_VERSION, ENGINES and DEFAULT_DIVERGENCE_BOUND live in leaf modules
# (simulate.config, simulate.names); they are re-exported here, where callers import them from.
__all__ = [
    "DEFAULT_DIVERGENCE_BOUND",
    "ENGINES",
    "ENGINE_VERSION",
    "BatchResult",
    "Config",
    "lane_cap",
    "memory_estimate",
    "resolve_engine",
    "simulate",
    "step_runs_per_second",
    "validate",
]

DEFAULT_MEMORY = 256 * 2**20  # bytes per chunk (ring buffers, sample blocks, histograms)
_BLOCK = {"numpy": 256, "numba": 1024}  # updates per block (no effect on results)
_MAX_LANES = {"numpy": 8192, "numba": 2048}  # lanes per chunk (no effect on results)

Progress = Callable[[int], object]


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


@dataclass(frozen=True)
class _Plan:
    """A batch's checked parameters (what :func:`simulate` runs)."""

    configs: list[Config]
    runs: int
    steps: int
    seed: int
    model: DataModel
    start: str | np.ndarray
    rec: ResolvedRecords
    bound: float
    threads: int
    engine: str
    block: int
    max_lanes: int
    memory: int
    sampler: DataSampler
    caps: list[int]


def _prepare(
    problem: Problem,
    configs: Sequence[Config] | Config,
    *,
    runs: int,
    steps: int,
    seed: int,
    distribution: str | DataModel,
    start: str | np.ndarray,
    records: RecordSpec | None,
    engine: str,
    divergence_bound: float,
    threads: int,
    block: int | None,
    max_lanes: int | None,
    memory: int,
) -> _Plan:
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
    caps = [lane_cap(c, steps) for c in configs]
    # refuse what cannot fit before allocating anything that grows with runs or caps
    check_memory(configs, caps, runs=runs, steps=steps, d=problem.d,
                 raw_width=sampler.raw_width, rec=rec, block=block, max_lanes=max_lanes,
                 memory=memory, threads=threads)  # fmt: skip
    return _Plan(configs, runs, steps, seed, model, start, rec, bound, threads, engine, block,
                 max_lanes, memory, sampler, caps)  # fmt: skip


def validate(
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
) -> None:
    """Check a :func:`simulate` call (same arguments) without running it: every parameter,
    and that the batch fits in this machine's memory. Raises ParameterError."""
    _prepare(problem, configs, runs=runs, steps=steps, seed=seed, distribution=distribution,
             start=start, records=records, engine=engine, divergence_bound=divergence_bound,
             threads=threads, block=block, max_lanes=max_lanes, memory=memory)  # fmt: skip


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
    plan = _prepare(problem, configs, runs=runs, steps=steps, seed=seed,
                    distribution=distribution, start=start, records=records, engine=engine,
                    divergence_bound=divergence_bound, threads=threads, block=block,
                    max_lanes=max_lanes, memory=memory)  # fmt: skip
    configs, runs, steps, seed, start = plan.configs, plan.runs, plan.steps, plan.seed, plan.start
    model, rec, bound, threads, engine = plan.model, plan.rec, plan.bound, plan.threads, plan.engine
    block, max_lanes, memory, sampler = plan.block, plan.max_lanes, plan.memory, plan.sampler
    cap_list = plan.caps

    caps = np.array(cap_list, dtype=np.int64)
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


def _lane_bytes(cap: int, d: int, raw_width: int, block: int, rec: ResolvedRecords,
                threads: int) -> int:  # fmt: skip
    """Working memory of one lane inside a chunk: its ring buffer of cap + 2 iterates, its
    delay histogram, its share of the sample blocks and of the chunk's records."""
    buffers = 2 if threads == 2 else 1
    per_block = block * (buffers * (raw_width + d + 1) + 2 * d + 2) * 8
    per_record = rec.steps.size * (2 + (d if rec.h else 0)) * 8
    return (cap + 2) * d * 8 + (cap + 1) * 8 + per_block + per_record


def _output_bytes(d: int, rec: ResolvedRecords) -> int:
    """Memory per lane (run) that lives for the whole batch: the outputs of LaneOutputs, the
    delay statistics and the lane indices, held twice (the batch's arrays and each
    configuration's copies in its ConfigResult)."""
    r = rec.steps.size
    return 2 * 8 * (d + 7 + 2 * r + (r * d if rec.h else 0) + 6 + 3)


def _workers(config: Config) -> int:
    """Workers of a parameter-server delay (each lane keeps 4 numbers per worker), else 0."""
    return int(getattr(config.delay, "workers", 0)) if config.delay.kind == "schedule" else 0


def memory_estimate(
    caps: Sequence[int],
    *,
    runs: int,
    d: int,
    raw_width: int,
    rec: ResolvedRecords,
    block: int,
    max_lanes: int,
    memory: int = DEFAULT_MEMORY,
    threads: int = 1,
    workers: Sequence[int] = (),
) -> dict[str, int]:
    """Peak bytes of a batch (one cap, and one parameter-server width, per configuration):
    ``outputs`` (grows with the runs), ``chunk`` (the largest chunk's working memory: ring
    buffers, sample blocks), ``schedule`` (parameter-server state), ``histograms`` (one per
    configuration) and their ``total``. An estimate to refuse what cannot fit, never exact."""
    top = max(caps)
    lane = _lane_bytes(top, d, raw_width, block, rec, threads)
    lanes = runs * len(caps)
    # a chunk holds lanes up to ``memory`` bytes, but always at least one lane
    in_chunk = min(lanes, max_lanes)
    chunk = max(lane, min(in_chunk * lane, memory))
    width = max(workers, default=0)
    out = {
        "outputs": lanes * _output_bytes(d, rec),
        "chunk": chunk,
        "schedule": in_chunk * 32 * width,
        "histograms": sum(8 * (int(c) + 1) for c in caps),
    }
    out["total"] = sum(out.values())
    return out


def check_memory(
    configs: Sequence[Config],
    caps: Sequence[int],
    *,
    runs: int,
    steps: int,
    d: int,
    raw_width: int,
    rec: ResolvedRecords,
    block: int,
    max_lanes: int,
    memory: int = DEFAULT_MEMORY,
    threads: int = 1,
    fields: dict[str, str] | None = None,
    flags: dict[str, str] | None = None,
) -> None:
    """Raise ParameterError, naming what to lower, when the batch would not fit in the memory
    available on this machine (:func:`simulate.resources.available_memory`). The error names
    a parameter (runs, steps, tau, max_delay, delay), as ``fields`` renames it (a sweep spec:
    ``run.runs``), and says which option to lower, as ``flags`` spells it (default ``--runs``)."""
    available = available_memory()
    if available is None:
        return
    workers = [_workers(c) for c in configs]
    est = memory_estimate(caps, runs=runs, d=d, raw_width=raw_width, rec=rec, block=block,
                          max_lanes=max_lanes, memory=memory, threads=threads,
                          workers=workers)  # fmt: skip
    if est["total"] <= available:
        return
    flag = {k: f"--{k.replace('_', '-')}" for k in ("runs", "steps", "max_delay", "delay")}
    flag.update(flags or {})
    field = dict(fields or {})
    need, have = format_bytes(est["total"]), format_bytes(available)
    biggest = max(("outputs", "chunk", "schedule"), key=lambda k: est[k])
    if biggest == "outputs":
        per_run = est["outputs"] / runs
        fit = max(0, int((available - est["total"] + est["outputs"]) / per_run))
        raise ParameterError(
            field.get("runs", "runs"),
            runs,
            f"{runs:,} runs x {len(configs)} configuration(s) would need about {need} of memory "
            f"({format_bytes(per_run)} a run), more than the {have} available here: at most "
            f"about {fit:,} runs fit; lower {flag['runs']}",
        )
    if biggest == "schedule":
        i = max(range(len(configs)), key=lambda j: workers[j])
        raise ParameterError(
            field.get("delay", "delay"),
            configs[i].delay.spec,
            f"a parameter server of {workers[i]:,} workers keeps 4 numbers per worker and run, "
            f"about {need} of memory in all, more than the {have} available here; lower the "
            f"number of workers in {flag['delay']}",
        )
    i = max(range(len(caps)), key=lambda j: caps[j])
    cap, config = int(caps[i]), configs[i]
    if config.max_delay is not None and cap == config.max_delay:
        name, value, lower = "max_delay", config.max_delay, flag["max_delay"]
    elif cap == steps:
        name, value = "steps", steps
        lower = f"{flag['steps']} or set {flag['max_delay']}"
    else:
        name, value = "tau", config.delay.spec
        lower = f"the delay or set {flag['max_delay']}"
    raise ParameterError(
        field.get(name, name),
        value,
        f"each run keeps a ring buffer of the last cap + 2 = {cap + 2:,} iterates (cap = the "
        f"largest delay an update may use), about {need} of memory in all, more than the "
        f"{have} available here; lower {lower}",
    )


def _chunks(caps, d, raw_width, block, rec, max_lanes, memory, threads):
    """Contiguous lane ranges [a, b) whose buffers fit in ``memory`` bytes."""

    def lane_bytes(cap: int) -> int:
        return _lane_bytes(cap, d, raw_width, block, rec, threads)

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
    starts = range(0, steps, block)  # a range, not a list: steps may be 1e12
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
