"""Trace replay: rerun the simulator with the delays measured in a lock-free run, and compare
the measured staleness distribution with the parameter-server model.

:class:`TraceDelay` is not a delay model but recorded data: update k of every simulated run uses
the k-th measured staleness (in write order), so the simulated runs differ from each other (and
from the real run) only in their samples, blocks and start, never in their delays.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from simulate.adaptive.lockfree import LockFreeResult
from simulate.adaptive.methods import Method
from simulate.adaptive.problems import StochasticProblem
from simulate.adaptive.run import AdaptiveResult, simulate_adaptive
from simulate.delays import ParameterServer, ps_delays
from simulate.seeds import generator, stable_key
from theory.validation import ParameterError

QUANTILES = (0.5, 0.9, 0.99)


@dataclass(frozen=True)
class TraceDelay:
    """A recorded delay sequence, replayed identically in every run (``kind = 'trace'``)."""

    delays: np.ndarray
    source: str = "lock-free run"
    kind: str = field(default="trace", init=False)

    def __post_init__(self) -> None:
        d = np.asarray(self.delays, dtype=np.int64).ravel()
        if d.size == 0 or np.any(d < 0):
            raise ParameterError("delays", self.delays, "a non-empty sequence of delays >= 0")
        d = d.copy()
        d.setflags(write=False)
        object.__setattr__(self, "delays", d)

    @property
    def spec(self) -> str:
        digest = hashlib.sha256(self.delays.tobytes()).hexdigest()[:12]
        return f"trace(n={self.delays.size},sha={digest})"

    @property
    def mean(self) -> float:
        return float(self.delays.mean())

    @property
    def bound(self) -> int:
        return int(self.delays.max())

    def check_length(self, steps: int) -> None:
        if steps > self.delays.size:
            raise ParameterError(
                "steps", steps, f"at most the trace length {self.delays.size} for a replay"
            )

    def window(self, k0: int, nb: int) -> np.ndarray:
        return self.delays[k0 : k0 + nb]

    def __str__(self) -> str:
        return self.spec


def replay(
    run: LockFreeResult,
    problem: StochasticProblem,
    method: Method,
    *,
    blocks: str,
    runs: int = 64,
    seed: int = 0,
) -> AdaptiveResult:
    """Simulate ``runs`` runs of the same configuration with the run's measured delays."""
    trace = TraceDelay(run.staleness)
    return simulate_adaptive(
        problem,
        method,
        trace,
        blocks=blocks,
        runs=runs,
        steps=trace.delays.size,
        seed=seed,
        max_delay=None,
    )


def distribution(delays: np.ndarray) -> dict[str, object]:
    """Mean, quantiles, max and the share of zero delays."""
    d = np.asarray(delays)
    return {
        "n": int(d.size),
        "mean": float(d.mean()),
        "quantiles": {str(q): float(np.quantile(d, q)) for q in QUANTILES},
        "max": int(d.max()),
        "zero_fraction": float(np.mean(d == 0)),
    }


def ps_reference(model: ParameterServer, n: int, seed: int = 0, burn: int = 1000) -> np.ndarray:
    """n steady-state delays of the parameter-server model (after ``burn`` updates)."""
    rng = generator(seed, (stable_key("ps-reference", model.spec),))
    return ps_delays(model, rng, n + burn)[burn:]


def total_variation(a: np.ndarray, b: np.ndarray) -> float:
    """TV distance between the empirical laws of two integer samples (both non-empty)."""
    if a.size == 0 or b.size == 0:
        raise ParameterError("sample", [], "two non-empty samples of delays")
    top = int(max(a.max(), b.max())) + 1
    pa = np.bincount(a, minlength=top) / a.size
    pb = np.bincount(b, minlength=top) / b.size
    return 0.5 * float(np.abs(pa - pb).sum())


def compare_with_ps(
    staleness: np.ndarray,
    processes: int,
    *,
    n_reference: int = 200_000,
    sigmas: tuple[float, ...] = (0.1, 0.25, 0.5, 1.0, 2.0),
    seed: int = 0,
) -> dict[str, object]:
    """The measured staleness beside ps:P (exponential compute times) and the log-normal PS
    models of the given sigmas: distributions, TV distances, and the closest model."""
    s = np.asarray(staleness, dtype=np.int64)
    if s.size == 0:
        # nothing to compare: say so rather than compare an empty law
        return {
            "measured": None,
            "ps_mean": float(processes - 1),
            "models": [],
            "closest": None,
            "closest_tv": None,
            "note": f"no update ran while all {processes} processes were running (they did "
            "not overlap: each did too few updates), so there is no steady-state staleness "
            "to compare with the parameter-server model; give more --steps per process",
        }
    models = [ParameterServer(processes)] + [
        ParameterServer(processes, times="lognormal", sigma=x) for x in sigmas
    ]
    rows = []
    for m in models:
        ref = ps_reference(m, n_reference, seed)
        rows.append({"model": m.spec, **distribution(ref), "tv": total_variation(s, ref)})
    best = min(rows, key=lambda r: r["tv"])
    return {
        "measured": distribution(s),
        "ps_mean": float(processes - 1),
        "models": rows,
        "closest": best["model"],
        "closest_tv": best["tv"],
    }
