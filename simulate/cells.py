"""Cells: the keyed units of a sweep (one configuration's replicate runs each).

A *cell* is one grid point: one configuration (mu, eta, delay model, ...) of one problem, with all
its ``runs`` replicate runs; it is exactly one call of :func:`simulate.simulate` with the sweep's
seed. Its *parameters* are a canonical JSON object holding everything that fixes its numbers, and
its *key* is the sha256 of (:data:`ENGINE_VERSION`, that JSON). Two consequences:

* a cell's numbers depend on its key only: not on the other cells, the batching, the backend or
  the number of workers (the engine keys every run's random streams by (configuration, run
  index) under the root seed, see :mod:`simulate.seeds`, and each cell is simulated on its own);
* a stored cell is bit-for-bit what ``simulate(problem, [config], seed=seed, ...)`` (or
  ``asyncmsgd simulate``) returns for the same parameters, so any caller may read it from the
  store instead of recomputing it (:meth:`Cell.from_config` builds the lookup key).

Passing the sweep's seed straight to ``simulate`` (rather than deriving one per cell) is what
gives the second property, and it keeps common random numbers (``crn``) working across the grid.
As with two ``asyncmsgd simulate`` calls with the same ``--seed``, cells that differ only in the
problem, data law, start or length share their random streams.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from simulate.config import Config
from simulate.delays import (
    ConstantDelay,
    DelayModel,
    GeometricDelay,
    ParameterServer,
    ParetoDelay,
    PoissonDelay,
    UniformDelay,
    parse_delay,
)
from simulate.names import DEFAULT_DIVERGENCE_BOUND, ENGINE_VERSION, NOMINAL_RATE
from simulate.records import RecordSpec
from simulate.seeds import check_seed
from simulate.starts import parse_start, saddle_index
from theory.distributions import get_model
from theory.problem import Problem
from theory.validation import ParameterError, check_positive, check_positive_int

# ENGINE_VERSION (simulate.names) is part of every cell key: bumped whenever a change to the
# simulator alters any stored number, so old cells simply stop matching. NOMINAL_RATE (there
# too) sizes tasks and estimates durations, never defines a cell.
__all__ = ["ENGINE_VERSION", "NOMINAL_RATE", "Cell", "canonical_json", "cell_key", "delay_text"]


def canonical_json(obj: object) -> str:
    """Sorted keys, no spaces; floats by repr (round-trip exact), so equal data hash equally."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)


def cell_key(params_json: str, engine_version: str = ENGINE_VERSION) -> str:
    """sha256 of (engine version, canonical parameters), hex."""
    return hashlib.sha256(f"{engine_version}\n{params_json}".encode()).hexdigest()


def delay_text(model: DelayModel) -> tuple[str, int | float | None]:
    """The (``--delay`` text, ``--tau``) pair that :func:`parse_delay` maps back to ``model``."""
    if isinstance(model, ConstantDelay):
        return "constant", model.tau
    if isinstance(model, UniformDelay):
        return "uniform", model.tau_max
    if isinstance(model, GeometricDelay):
        return "geometric", model.mean_delay
    if isinstance(model, PoissonDelay):
        return "poisson", model.mean_delay
    if isinstance(model, ParetoDelay):
        return f"pareto:{model.alpha!r}", model.mean_delay
    if isinstance(model, ParameterServer):
        text = f"ps:{model.workers}"
        if model.times == "lognormal":
            text += f":lognormal:{model.sigma!r}"
        if model.straggler != 1.0:
            text += f":straggler:{model.straggler!r}"
        return text, None
    raise ParameterError("delay", model, "a delay model of simulate.delays")


@dataclass(frozen=True, eq=False)
class Cell:
    """One grid point: its canonical parameters (JSON text) and key. Equal iff keys are equal."""

    params_json: str
    key: str

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Cell:
        text = canonical_json(dict(params))
        return cls(text, cell_key(text))

    @classmethod
    def from_config(
        cls,
        problem: Problem,
        config: Config,
        *,
        runs: int,
        steps: int,
        seed: int = 0,
        distribution: str = "gaussian",
        start: str | Iterable[float] = "e2",
        records: RecordSpec | None = None,
        crn: bool = False,
        divergence_bound: float = DEFAULT_DIVERGENCE_BOUND,
    ) -> Cell:
        """The cell holding ``simulate(problem, [config], runs=..., seed=..., ...)``: what a
        caller (figure 1, verify, report) looks up in a store instead of recomputing."""
        rec = records or RecordSpec()
        delay, tau = delay_text(config.delay)
        get_model(distribution)
        if isinstance(start, str):
            start_value: str | list[float] = start.strip().lower()
        else:
            start_value = [float(x) for x in np.asarray(start, dtype=float).ravel()]
        steps = check_positive_int("steps", steps)
        rec.resolve(steps, problem.d, saddle_index(parse_start(start_value, problem.d)))
        params = {
            "sigma": problem.sigma.tolist(),
            "distribution": distribution,
            "start": start_value,
            "mu": config.mu,
            "eta": config.eta,
            "delay": delay,
            "tau": tau,
            "normalize": config.normalize,
            "max_delay": config.max_delay,
            "runs": check_positive_int("runs", runs),
            "steps": steps,
            "seed": check_seed(seed),
            "crn": bool(crn),
            "records": {
                "steps": sorted({int(s) for s in rec.steps}),
                "h": bool(rec.h),
                "delta": rec.delta,
                "eps": rec.eps,
                "saddle": rec.saddle,
                "window": rec.window,
            },
            "divergence_bound": check_positive("divergence_bound", divergence_bound),
        }
        return cls.from_params(params)

    @property
    def params(self) -> dict[str, Any]:
        """The parameters as a dict (a fresh parse each time, so no caller can alter the cell)."""
        return json.loads(self.params_json)

    def problem(self) -> Problem:
        return Problem.from_matrix(np.array(self.params["sigma"], dtype=float))

    def config(self) -> Config:
        p = self.params
        return Config(
            p["mu"], p["eta"], parse_delay(p["delay"], p["tau"]), p["normalize"], p["max_delay"]
        )

    def records(self) -> RecordSpec:
        r = self.params["records"]
        return RecordSpec(
            steps=tuple(r["steps"]),
            h=r["h"],
            delta=r["delta"],
            eps=r["eps"],
            saddle=r["saddle"],
            window=r["window"],
        )

    def start(self) -> str | np.ndarray:
        s = self.params["start"]
        return s if isinstance(s, str) else np.array(s, dtype=float)

    @property
    def d(self) -> int:
        return len(self.params["sigma"])

    @cached_property
    def work(self) -> float:
        """Nominal cost in step-runs at d = 4 (cost grows about linearly with d). Cached (a
        number, so no caller can alter the cell through it): task packing asks for it of every
        cell, twice, and parsing the JSON each time made planning 1e5 cells take seconds."""
        p = self.params
        return p["runs"] * p["steps"] * max(len(p["sigma"]), 4) / 4.0

    def label(self) -> str:
        """A one-line description for messages."""
        p = self.params
        tau = "" if p["tau"] is None else f" tau={p['tau']}"
        start = p["start"] if isinstance(p["start"], str) else "vector"
        return (
            f"mu={p['mu']} eta={p['eta']} delay={p['delay']}{tau} {p['distribution']} "
            f"start={start} steps={p['steps']} runs={p['runs']}"
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cell) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)
