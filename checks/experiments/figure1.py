"""Figure 1 of the paper (THEORY.md C12), reproduced: the error of Async-MSGD against the delay.

Setting (Section 4.1): d = 4, Sigma = diag(4, 3, 2, 1), Gaussian data, start at the saddle
e_2 = (0, 1, 0, 0), eta = 5e-4, mu in {0.7, 0.8, 0.85, 0.9, 0.95}, constant delays from 0 to the
poster's range per momentum (160, 100, 80, 45, 20). Runs per point and the delay step depend on
the scale (``paper``: 100 runs, step 5; ``ci``: 20 runs, step 10); every scale then refines the
grid with step 1 between the last delay within and the first beyond each margin of
:mod:`checks.experiments.optimal_delay` (so the optimal delay is resolved to one step).

**Iteration count** (the paper does not state it; :func:`iteration_budget`). A run must pass
all three phases before its error is averaged. At each momentum, from theory.phases:
T1 = Proposition 10's escape time with nu = 0.01 (99% of the runs have left the saddle,
delta = 0.1), T2 = the ODE traverse time of Proposition 8 (derived; twice the printed one), and
T3' = the time for the Phase-II residual delta^2 to decay to 1% of C4's stationary error,
(1-mu)/(2(lambda_1-lambda_2)) ln(delta^2/(0.01 E_C4)). The slowest momentum is mu = 0.7
(every time scales with 1-mu): T1 + T2 + T3' = 2628 + 2757 + 1271 = 6656 updates. Times a
safety factor 1.5 (the 1% escape tail, and delays that slow the phases) that is a burn-in of
9984 updates; the run is twice that, rounded up to 1000: **N = 20,000 updates**, and the error is
averaged over the second half (10,000 updates = 16.7 relaxation times (1-mu)/(eta(lambda_1 -
lambda_2)) of the slowest mode at mu = 0.7, at least the 10 required). The data say whether it
sufficed: every run's Phase-II end (H_1^2 >= 1 - delta^2) is recorded and the fraction reached
before the averaging window is reported per point.

**Metrics.** Per run, the time average over the window of ||v - v1||^2 (the error E1 predicts;
it sees the norm of v, which eq. (5) does not fix) and of 1 - (v.v1)^2/||v||^2 (the angle only,
C4's tangential error); both are kept, the plot shows both (panel a: ||v - v1||^2, the primary
metric; panel b: the angle). The final iterate's errors are kept too. Common random numbers:
every configuration sees the same data streams (run r's data: SeedSequence(seed,
spawn_key=(r, 0)), :mod:`simulate.seeds`), so differences between delays carry less noise.

Everything is computed through the sweep store (:func:`simulate.runner.cached_results`): a
rerun computes only the missing cells, and an interrupted run loses nothing already stored.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from checks.experiments import optimal_delay as od
from checks.experiments.common import (
    BUILD,
    check_scale,
    floats,
    json_clean,
    package_versions,
    read_json,
)
from checks.profile import ROOT_SEED
from checks.stationary import ou_values
from simulate.backends import Backend
from simulate.cells import Cell
from simulate.engine import ENGINE_VERSION, Config
from simulate.records import ConfigResult, RecordSpec
from simulate.runner import cached_results, pending_cells
from simulate.store import Store, open_store
from theory import ou, phases
from theory import stability as st
from theory.distributions import get_model
from theory.lazy import lazy_module
from theory.problem import Problem

sps = lazy_module("scipy.stats")

SPECTRUM: tuple[float, ...] = st.FIGURE1_EIGENVALUES
ETA = st.FIGURE1_ETA
MUS: tuple[float, ...] = st.FIGURE1_MUS
START = "e2"
DISTRIBUTION = "gaussian"
POSTER_RANGE = {0.7: 160, 0.8: 100, 0.85: 80, 0.9: 45, 0.95: 20}
# relative margins m of the optimal-delay definition (error within (1 + m) x its tau = 0 value):
# the paper does not define "similar error", so C12 decides one reading per margin
MARGINS = (0.1, 0.25, 0.5, 1.0, 2.0)
PRIMARY_MARGIN = 0.5
DELTA = 0.1  # phase threshold (escape, convergence)
NU = 0.01  # T1: at most 1% of the runs still at the saddle
RESIDUAL = 0.01  # T3': the transient decays to this fraction of C4's stationary error
SAFETY = 1.5
WINDOW = 0.5  # the averaged fraction of each run (its second half)
STEP_QUANTUM = 1000
MIN_WINDOW_RELAXATIONS = 10.0
PATH_POINTS = 20  # mean error recorded at this many + 1 evenly spaced iterates
DEFAULT_OUT = BUILD / "figure1"
STORE_NAME = "figure1.sqlite"


@dataclass(frozen=True)
class Scale:
    name: str
    runs: int
    step: int  # coarse delay step (refined to 1 at the crossings)
    n_boot: int


SCALES = {"ci": Scale("ci", 20, 10, 200), "paper": Scale("paper", 100, 5, 1000)}


def get_scale(name: str) -> Scale:
    return SCALES[check_scale(name)]


def problem() -> Problem:
    return Problem.from_eigenvalues(SPECTRUM)


# --- the iteration count ----------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseBudget:
    """The phase lengths at one momentum, in updates."""

    mu: float
    t1: float
    t2: float
    t3: float
    relaxation: float  # (1-mu)/(eta (lambda_1 - lambda_2))

    @property
    def total(self) -> float:
        return self.t1 + self.t2 + self.t3


@dataclass(frozen=True)
class Budget:
    phases: tuple[PhaseBudget, ...]
    burn_in: float
    steps: int
    window: float

    @property
    def slowest(self) -> PhaseBudget:
        return max(self.phases, key=lambda p: p.total)

    @property
    def window_start(self) -> int:
        """First iterate index of the averaging window (as simulate.records resolves it)."""
        return self.steps - max(1, round(self.window * self.steps)) + 1

    @property
    def window_relaxations(self) -> float:
        return self.window * self.steps / self.slowest.relaxation

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": "steps = ceil(2 x 1.5 x max_mu(T1 + T2 + T3') / 1000) x 1000; T1: "
            "Proposition 10 with nu = 0.01, delta = 0.1; T2: the ODE traverse time (derived); "
            "T3': (1-mu)/(2 gap) ln(delta^2/(0.01 E_C4)); error averaged over the second half",
            "phases": [
                {
                    "mu": p.mu,
                    "T1": p.t1,
                    "T2": p.t2,
                    "T3": p.t3,
                    "total": p.total,
                    "relaxation": p.relaxation,
                }
                for p in self.phases
            ],
            "slowest_mu": self.slowest.mu,
            "burn_in": self.burn_in,
            "steps": self.steps,
            "window": self.window,
            "window_start": self.window_start,
            "window_relaxations": self.window_relaxations,
        }


def phase_budget(mu: float) -> PhaseBudget:
    """T1, T2, T3' and the relaxation time at one momentum (module docstring), in updates."""
    lam1, lam2 = SPECTRUM[0], SPECTRUM[1]
    alpha12 = math.sqrt(float(get_model(DISTRIBUTION).alpha2(problem())[0, 1]))
    z_nu = float(sps.norm.ppf((1.0 + NU) / 2.0))
    t1 = float(phases.t1().derived.numpy(mu, lam1, lam2, ETA, DELTA, z_nu, alpha12))
    t2 = float(phases.t2().derived.numpy(mu, lam1, lam2, DELTA))
    e_c4 = ETA * float(np.sum(ou_values(mu, SPECTRUM)[0]))
    t3 = float(phases.t3_residual()(mu, lam1, lam2, DELTA, RESIDUAL, e_c4))
    relaxation = float(ou.relaxation_steps_formula()(ETA, mu, lam1, lam2))
    return PhaseBudget(mu, t1 / ETA, t2 / ETA, t3 / ETA, relaxation)


@cache
def iteration_budget() -> Budget:
    """The run length (module docstring): twice the safety-scaled burn-in at the slowest mu."""
    budgets = tuple(phase_budget(m) for m in MUS)
    burn = SAFETY * max(b.total for b in budgets)
    steps = math.ceil(2.0 * burn / STEP_QUANTUM) * STEP_QUANTUM
    budget = Budget(budgets, burn, steps, WINDOW)
    assert budget.window_relaxations >= MIN_WINDOW_RELAXATIONS, budget
    assert budget.window_start > burn, budget
    return budget


# --- grid and cells ---------------------------------------------------------------------------


def coarse_delays(mu: float, step: int) -> list[int]:
    """0, step, 2 step, ... up to the poster's range for this mu (its end included)."""
    top = POSTER_RANGE[mu]
    return sorted({*range(0, top + 1, step), top})


def settings(scale: str, seed: int = ROOT_SEED) -> dict[str, object]:
    """Everything that fixes the numbers of a scale (a results file must match it exactly)."""
    sc = get_scale(scale)
    budget = iteration_budget()
    return {
        "sigma_eigenvalues": list(SPECTRUM),
        "distribution": DISTRIBUTION,
        "start": START,
        "eta": ETA,
        "mus": list(MUS),
        "delay": "constant",
        "poster_range": {str(k): v for k, v in POSTER_RANGE.items()},
        "coarse_step": sc.step,
        "runs": sc.runs,
        "steps": budget.steps,
        "window": WINDOW,
        "delta": DELTA,
        "seed": seed,
        "crn": True,
        "margins": list(MARGINS),
        "n_boot": sc.n_boot,
        "engine_version": ENGINE_VERSION,
    }


def records(steps: int) -> RecordSpec:
    return RecordSpec(steps=RecordSpec.grid(steps, PATH_POINTS), delta=DELTA, window=WINDOW)


def make_cell(mu: float, tau: int, runs: int, steps: int, seed: int = ROOT_SEED) -> Cell:
    return Cell.from_config(
        problem(),
        Config(mu, ETA, int(tau)),
        runs=runs,
        steps=steps,
        seed=seed,
        distribution=DISTRIBUTION,
        start=START,
        records=records(steps),
        crn=True,
    )


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Curve:
    """All runs at all delays of one momentum (delays increasing; arrays are (runs, delays))."""

    mu: float
    delays: np.ndarray
    error: np.ndarray  # time-averaged ||v - v1||^2; +inf for a diverged run
    misalignment: np.ndarray  # time-averaged 1 - (v.v1)^2/||v||^2; +inf for a diverged run
    final_error: np.ndarray  # at the last iterate; NaN for a diverged run
    final_misalignment: np.ndarray
    diverged: np.ndarray  # bool
    converged: np.ndarray  # bool: Phase II ended before the averaging window
    keys: tuple[str, ...]  # the store's cell keys
    mean_path: np.ndarray  # (delays, PATH_POINTS + 1): mean error over non-diverged runs

    def metric(self, name: str) -> np.ndarray:
        return {"error": self.error, "misalignment": self.misalignment}[name]


@dataclass(frozen=True)
class Figure1Data:
    scale: str
    settings: dict[str, object]
    record_steps: np.ndarray
    curves: tuple[Curve, ...]

    def curve(self, mu: float) -> Curve:
        return next(c for c in self.curves if c.mu == mu)


def _curve(
    mu: float, delays: list[int], res: dict[int, ConfigResult], keys: dict[int, str]
) -> Curve:
    budget = iteration_budget()
    rs = [res[t] for t in delays]

    def stack(name: str) -> np.ndarray:
        return np.stack([getattr(r, name) for r in rs], axis=1)

    div = stack("diverged")
    conv = stack("convergence_step")
    with warnings.catch_warnings():  # a record step where every run has diverged: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        path = np.stack([np.nanmean(r.error_at, axis=0) for r in rs], axis=0)
    return Curve(
        mu=mu,
        delays=np.array(delays, dtype=np.int64),
        error=np.where(div, np.inf, stack("stationary_error")),
        misalignment=np.where(div, np.inf, stack("stationary_misalignment")),
        final_error=stack("final_error"),
        final_misalignment=stack("final_misalignment"),
        diverged=div,
        converged=(conv >= 0) & (conv < budget.window_start),
        keys=tuple(keys[t] for t in delays),
        mean_path=path,
    )


Plan = Callable[[int], object]
Tick = Callable[[], object]


def _fetch(
    wanted: dict[float, list[int]],
    scale: Scale,
    store: Store,
    backend: Backend | None,
    plan: Plan | None,
    tick: Tick | None,
    seed: int = ROOT_SEED,
) -> tuple[dict[tuple[float, int], ConfigResult], dict[tuple[float, int], str]]:
    steps = iteration_budget().steps
    pairs = [(mu, t) for mu, ts in wanted.items() for t in ts]
    cells = [make_cell(mu, t, scale.runs, steps, seed) for mu, t in pairs]
    if plan is not None:
        plan(len(pending_cells(cells, store)))
    progress = None if tick is None else (lambda _cell, _outcome: tick())
    results = cached_results(cells, store, backend, progress=progress)
    return dict(zip(pairs, results, strict=True)), {
        p: c.key for p, c in zip(pairs, cells, strict=True)
    }


def compute(
    scale: str,
    store: Store,
    backend: Backend | None = None,
    *,
    plan: Plan | None = None,
    tick: Tick | None = None,
    seed: int = ROOT_SEED,
) -> Figure1Data:
    """Run (or read from ``store``) the coarse grid, then the step-1 refinement at every margin's
    crossing, of every momentum. ``plan(n)`` announces n cells to compute, ``tick()`` follows
    each one (the CLI's progress bar)."""
    sc = get_scale(scale)
    grid = {mu: coarse_delays(mu, sc.step) for mu in MUS}
    res, keys = _fetch(grid, sc, store, backend, plan, tick, seed)
    extra: dict[float, list[int]] = {}
    for mu in MUS:
        ts = grid[mu]
        errs = np.stack([_finite_or_inf(res[(mu, t)]) for t in ts], axis=1)
        new = set()
        for margin in MARGINS:
            br = od.bracket(np.array(ts), errs, margin)
            if br is not None:
                new.update(range(br[0] + 1, br[1]))
        extra[mu] = sorted(new - set(ts))
    more, more_keys = _fetch(extra, sc, store, backend, plan, tick, seed)
    res.update(more)
    keys.update(more_keys)
    curves = []
    for mu in MUS:
        delays = sorted(set(grid[mu]) | set(extra[mu]))
        curves.append(
            _curve(
                mu, delays, {t: res[(mu, t)] for t in delays}, {t: keys[(mu, t)] for t in delays}
            )
        )
    return Figure1Data(
        scale,
        settings(scale, seed),
        np.asarray(records(iteration_budget().steps).steps),
        tuple(curves),
    )


def _finite_or_inf(r: ConfigResult) -> np.ndarray:
    return np.where(r.diverged, np.inf, r.stationary_error)


# --- the raw-results file ---------------------------------------------------------------------

PER_RUN = (
    "stationary_error",
    "stationary_misalignment",
    "final_error",
    "final_misalignment",
    "diverged",
    "converged_before_window",
)


def raw_results(data: Figure1Data) -> dict[str, object]:
    """Per cell: its parameters and store key, and per run (index r; seeds as in the module
    docstring) the metric values; plus the settings, the iteration budget and the versions."""
    cells = []
    for c in data.curves:
        for j, tau in enumerate(c.delays):
            cells.append(
                {
                    "mu": c.mu,
                    "tau": int(tau),
                    "eta": ETA,
                    "key": c.keys[j],
                    "runs": int(c.error.shape[0]),
                    "run_index": list(range(c.error.shape[0])),
                    "stationary_error": c.error[:, j],
                    "stationary_misalignment": c.misalignment[:, j],
                    "final_error": c.final_error[:, j],
                    "final_misalignment": c.final_misalignment[:, j],
                    "diverged": c.diverged[:, j],
                    "converged_before_window": c.converged[:, j],
                    "mean_error_path": c.mean_path[j],
                }
            )
    return {
        "experiment": "figure1",
        "claim": "C12",
        "scale": data.scale,
        "settings": data.settings,
        "iteration_budget": iteration_budget().as_dict(),
        "seeds": "run r of every cell: SeedSequence(seed, spawn_key=(r, stream)) for data and "
        "start, (delay model, r, stream) for delays (common random numbers, simulate.seeds)",
        "metrics": {
            "stationary_error": "mean of ||v - v1||^2 over the averaging window (null: diverged)",
            "stationary_misalignment": "mean of 1 - (v.v1)^2/||v||^2 over the window",
            "final_error": "||v - v1||^2 at the last iterate",
        },
        "record_steps": data.record_steps,
        "packages": package_versions(),
        "cells": cells,
    }


def from_raw(raw: dict, scale: str, seed: int = ROOT_SEED) -> Figure1Data | None:
    """The data of a raw-results file, or None when it was made with other settings."""
    wanted = _jsonish(settings(scale, seed))
    if raw.get("experiment") != "figure1" or raw.get("settings") != wanted:
        return None
    by_mu: dict[float, list[dict]] = {}
    for cell in raw["cells"]:
        by_mu.setdefault(float(cell["mu"]), []).append(cell)
    curves = []
    for mu in MUS:
        cells = sorted(by_mu.get(mu, []), key=lambda c: c["tau"])
        if not cells:
            return None

        def col(name: str, cells: Sequence[dict] = cells) -> np.ndarray:
            return np.stack([floats(c[name]) for c in cells], axis=1)

        div = np.stack([np.array(c["diverged"], dtype=bool) for c in cells], axis=1)
        curves.append(
            Curve(
                mu=mu,
                delays=np.array([c["tau"] for c in cells], dtype=np.int64),
                error=np.where(div, np.inf, col("stationary_error")),
                misalignment=np.where(div, np.inf, col("stationary_misalignment")),
                final_error=col("final_error"),
                final_misalignment=col("final_misalignment"),
                diverged=div,
                converged=np.stack(
                    [np.array(c["converged_before_window"], dtype=bool) for c in cells], axis=1
                ),
                keys=tuple(c["key"] for c in cells),
                mean_path=np.stack([floats(c["mean_error_path"]) for c in cells], axis=0),
            )
        )
    return Figure1Data(scale, settings(scale, seed), floats(raw["record_steps"]), tuple(curves))


def _jsonish(obj: object) -> object:
    """``obj`` as it reads back from JSON (tuples as lists, keys as strings)."""
    return json.loads(json.dumps(json_clean(obj)))


def results_path(out: Path, scale: str, seed: int = ROOT_SEED) -> Path:
    """The raw-results file of a scale (and of a root seed other than the default)."""
    tag = "" if seed == ROOT_SEED else f"-seed{seed}"
    return Path(out) / f"figure1-{check_scale(scale)}{tag}.json"


def load_or_compute(
    scale: str, out: Path | None = None, backend: Backend | None = None, seed: int = ROOT_SEED
) -> Figure1Data:
    """The scale's data from the ``asyncmsgd figure1`` results file in ``out`` (default
    :data:`DEFAULT_OUT`) when it matches the settings, else from (and into) the store there
    (computing only the missing cells)."""
    out = DEFAULT_OUT if out is None else out
    raw = read_json(results_path(out, scale, seed))
    data = from_raw(raw, scale, seed) if raw is not None else None
    if data is not None:
        return data
    Path(out).mkdir(parents=True, exist_ok=True)
    with open_store(Path(out) / STORE_NAME) as store:
        return compute(scale, store, backend, seed=seed)
