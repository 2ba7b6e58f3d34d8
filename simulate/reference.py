"""The transparent reference: one run of eq. (5), step by step, in the original coordinates.

Nothing here is optimised: the whole history is kept in a list, the delayed read is
``history[max(k - tau_k, 0)]`` (history v_{-i} = v_0), the update is written as in THEORY.md,

    v_{k+1} = v_k + mu (v_k - v_{k-1}) + eta (I - w w^T) X_k X_k^T w,   w = v_{k - tau_k},

with v_{-1} = v_0 (the first update has no momentum), X_k = A z_k drawn one at a time from the
run's data stream, tau_k one at a time from its delay stream (a parameter server is simulated with
an event queue), so it consumes exactly the streams the batched engines consume in blocks
(:mod:`simulate.seeds`). The engines must reproduce it to rounding (tests/simulate); it is also
the "naive per-run Python loop" of the benchmark.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

from simulate.delays import IIDDelay, ParameterServer
from simulate.engine import DEFAULT_DIVERGENCE_BOUND, Config, lane_cap
from simulate.seeds import Stream, check_seed, generator, run_key
from simulate.starts import parse_start, start_original
from theory.distributions import DataModel, get_model
from theory.problem import Problem


@dataclass
class ReferenceRun:
    """The iterates v_0 .. v_K (original coordinates; K = steps, or the last before divergence)."""

    problem: Problem
    v: np.ndarray  # (K + 1, d)
    delays: np.ndarray  # (K,) delays used (after the cap)
    diverged_step: int  # -1: never

    @property
    def h(self) -> np.ndarray:
        """H = Q^T v of every iterate."""
        return self.problem.to_eigen(self.v)

    def error(self) -> np.ndarray:
        """||v - s v^1||^2 with s = sign(v . v^1), every iterate."""
        v1 = self.problem.top_eigenvector
        s = np.where(self.v @ v1 >= 0, 1.0, -1.0)
        return np.sum((self.v - s[:, None] * v1) ** 2, axis=1)

    def misalignment(self) -> np.ndarray:
        """1 - (v . v^1)^2 / ||v||^2, every iterate."""
        v1 = self.problem.top_eigenvector
        return 1.0 - (self.v @ v1) ** 2 / np.sum(self.v**2, axis=1)

    def first(self, condition: np.ndarray) -> int:
        """First iterate index where ``condition`` holds, -1 if none."""
        idx = np.flatnonzero(condition)
        return int(idx[0]) if idx.size else -1


class _Sampler:
    """One X at a time, exactly as simulate/data.py draws it (see that module)."""

    def __init__(self, problem: Problem, model: DataModel, rng: np.random.Generator) -> None:
        self.p, self.m, self.rng, self.d = problem, model, rng, problem.d
        self.A = model.mixing_matrix(problem)
        self.QL = problem.eigenvectors * np.sqrt(problem.eigenvalues)  # Q Lambda^(1/2)

    def __call__(self) -> np.ndarray:
        name, d, rng = self.m.name, self.d, self.rng
        if name == "gaussian":
            return self.QL @ rng.standard_normal(d)
        if name == "uniform-sphere":
            g = rng.standard_normal(d)
            return self.QL @ (math.sqrt(d) * g / np.linalg.norm(g))
        if name == "uniform-ball":
            g = rng.standard_normal(d + 2)
            return self.QL @ (math.sqrt(d + 2) * g[:d] / np.linalg.norm(g))
        u = rng.random(d)
        if name == "rademacher":
            return self.A @ np.where(u < 0.5, -1.0, 1.0)
        if name == "uniform-box":
            return self.A @ (math.sqrt(3.0) * (2.0 * u - 1.0))
        raise AssertionError(name)


class _Delays:
    """One tau_k at a time."""

    def __init__(self, config: Config, rng: np.random.Generator | None) -> None:
        self.model, self.rng = config.delay, rng
        if isinstance(self.model, ParameterServer):
            m = self.model
            self.scale = m.worker_scales()
            self.read = [0] * m.workers
            # (finish time, worker): ties go to the lowest worker index, as in the engines
            self.queue = [(self.scale[i] * m.draw_times(rng, 1)[0], i) for i in range(m.workers)]
            heapq.heapify(self.queue)

    def __call__(self, k: int) -> int:
        m = self.model
        if isinstance(m, ParameterServer):
            t, i = heapq.heappop(self.queue)
            tau = k - self.read[i]
            self.read[i] = k + 1
            heapq.heappush(self.queue, (t + self.scale[i] * m.draw_times(self.rng, 1)[0], i))
            return tau
        if isinstance(m, IIDDelay):
            return int(m.from_uniform(np.array([self.rng.random()]))[0])
        return m.tau  # constant


def reference_run(
    problem: Problem,
    config: Config,
    *,
    steps: int,
    run: int = 0,
    seed: int = 0,
    distribution: str | DataModel = "gaussian",
    start: str | np.ndarray = "e2",
    crn: bool = False,
    divergence_bound: float = DEFAULT_DIVERGENCE_BOUND,
) -> ReferenceRun:
    """Run ``run`` of ``config`` (the same numbers as inside any batch of :func:`simulate`)."""
    seed = check_seed(seed)
    model = distribution if isinstance(distribution, DataModel) else get_model(distribution)
    start = parse_start(start, problem.d)

    def rng(stream: Stream) -> np.random.Generator:
        key = run_key(stream, config_key=config.key, delay_key=config.delay_key, run=run, crn=crn)
        return generator(seed, key)

    sample = _Sampler(problem, model, rng(Stream.DATA))
    delay = _Delays(config, rng(Stream.DELAY) if config.delay.kind != "constant" else None)
    cap = lane_cap(config, steps)
    v0 = start_original(problem, start, rng(Stream.START) if isinstance(start, str) else None)
    mu, eta, d = config.mu, config.eta, problem.d
    history = [v0]
    used: list[int] = []
    diverged = -1
    for k in range(steps):
        x = sample()
        tau = min(delay(k), cap)
        w = history[max(k - tau, 0)]
        v, v_prev = history[k], history[max(k - 1, 0)]
        v_next = v + mu * (v - v_prev) + eta * (np.eye(d) - np.outer(w, w)) @ np.outer(x, x) @ w
        used.append(tau)
        if not np.linalg.norm(v_next) <= divergence_bound:  # checked before any renormalising
            diverged = k + 1
            break
        if config.normalize:
            v_next = v_next / np.linalg.norm(v_next)
        history.append(v_next)
    return ReferenceRun(problem, np.array(history), np.array(used, dtype=np.int64), diverged)
