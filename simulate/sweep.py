"""Sweep specifications: a TOML grid of eq. (5) configurations expanded into cells.

What a cell is, and how it is keyed, is in :mod:`simulate.cells`.

The spec format (every section and key is checked; unknown ones are errors)::

    [sweep]                       # optional
    name = "figure-1 small"       # a label, not part of any key
    [problem]
    sigma = [4, 3, 2, 1]          # eigenvalues (Sigma diagonal) or "matrix.txt" / "matrix.npy"
    distribution = "gaussian"     # default gaussian (or a [grid] axis)
    start = "e2"                  # e1, e2, ..., random, or a vector (default e2; or a [grid] axis)
    [grid]                        # each key a list (a scalar is a one-value axis); cells: product
    mu = [0.7, 0.9]               # required, in [0, 1)
    eta = 5e-4                    # required, > 0
    tau = [0, 10, 20]             # default 0; ignored by ps:W delays
    delay = "constant"            # default constant; uniform, geometric, poisson, pareto:A, ps:W...
    [run]
    runs = 20                     # replicate runs per cell (required)
    steps = 4000                  # updates per run (required; or a [grid] axis)
    seed = 0                      # root seed (default 0)

See :data:`RUN_DEFAULTS` and :data:`GRID_AXES` for the remaining keys. Eigenvalues are given
in decreasing order (:mod:`simulate.eigenvalues`); a list in another order is refused.

Parsing checks every value once per distinct value (or pair: delay x tau, steps x start), and
refuses a spec whose largest cell would not fit in memory; the cells are then built on demand
from canonical JSON fragments (:class:`Sweep`), so that a grid of 1e7 cells is counted and sized
in a moment and planned at about 2 us a cell, with the very keys :meth:`Cell.from_config` gives.
"""

from __future__ import annotations

import itertools
import math
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from simulate.cells import Cell, canonical_json, cell_key, delay_text
from simulate.config import Config
from simulate.delays import DelayModel, parse_delay
from simulate.eigenvalues import check_order
from simulate.names import DEFAULT_DIVERGENCE_BOUND, DELAY_SPEC_HELP, DISTRIBUTIONS
from simulate.records import RecordSpec
from simulate.seeds import check_seed
from simulate.starts import parse_start, saddle_index
from theory.problem import Problem
from theory.validation import (
    ParameterError,
    check_eta,
    check_mu,
    check_positive,
    check_positive_int,
    check_tau,
)

# Above this many cells a grid is large: the dry run counts its cells from the axes instead of
# listing them, and both the dry run and the sweep say so (planning builds every cell, about
# 10 us and 1 KiB each).
LARGE_GRID = 100_000
# Memory a planned cell takes (its canonical JSON, key and object), beyond its JSON text.
CELL_OVERHEAD_BYTES = 400
# The keys of a cell's canonical JSON, in the sorted order canonical_json writes them.
_PARAM_KEYS = (
    "crn",
    "delay",
    "distribution",
    "divergence_bound",
    "eta",
    "max_delay",
    "mu",
    "normalize",
    "records",
    "runs",
    "seed",
    "sigma",
    "start",
    "steps",
    "tau",
)

# The axes a [grid] may vary, in the order cells are enumerated (outermost first).
GRID_AXES: tuple[str, ...] = (
    "distribution",
    "start",
    "delay",
    "normalize",
    "max_delay",
    "steps",
    "mu",
    "eta",
    "tau",
)
# Axes that may instead be given once, as a scalar, in another section.
_HOME = {"distribution": "problem", "start": "problem", "steps": "run"}
GRID_DEFAULTS: dict[str, Any] = {
    "distribution": "gaussian",
    "start": "e2",
    "delay": "constant",
    "normalize": False,
    "max_delay": None,
    "tau": None,  # 0 for every delay model that takes a tau
}
RUN_DEFAULTS: dict[str, Any] = {
    "seed": 0,
    "crn": False,
    "records": 10,  # record the error at this many evenly spaced iterates (0: none)
    "record_h": False,  # also record H = Q^T v there
    "delta": 0.1,
    "eps": 0.1,
    "window": 0.1,
    "saddle": None,
    "divergence_bound": DEFAULT_DIVERGENCE_BOUND,
}
_SECTIONS: dict[str, tuple[str, ...]] = {
    "sweep": ("name",),
    "problem": ("sigma", "distribution", "start"),
    "grid": GRID_AXES,
    "run": ("runs", "steps", *RUN_DEFAULTS),
}


@dataclass(frozen=True)
class _Axis:
    """One value of a grid axis: its canonical JSON fragment (the cell key sees only this)
    and the value itself."""

    text: str
    value: Any


@dataclass(frozen=True)
class _DelayAxis:
    """One delay model family of the grid with its distinct (canonical) taus."""

    text: str  # the canonical --delay text, as JSON
    taus: tuple[_Axis, ...]  # value: the delay model


class Sweep:
    """A parsed spec: its label, its problem, and its grid of cells (grid order, duplicates
    merged). Every parameter has been checked when the spec was parsed; the cells themselves
    are built on demand (:meth:`iter_cells`, :attr:`cells`), while :attr:`count` and
    :attr:`work` come from the axes without building any, so that a huge grid can be sized in
    milliseconds."""

    def __init__(self, name: str, problem: Problem, plan: _Plan) -> None:
        self.name = name
        self.problem = problem
        self._plan = plan

    @property
    def count(self) -> int:
        """The number of distinct cells (what :attr:`cells` would hold)."""
        return self._plan.count

    @property
    def work(self) -> float:
        """Nominal step-runs of all cells (:attr:`simulate.cells.Cell.work`)."""
        return self._plan.work

    @property
    def runs(self) -> int:
        return self._plan.run["runs"]

    def iter_cells(self) -> Iterator[Cell]:
        """The cells in grid order, built one at a time."""
        return self._plan.iter_cells()

    @cached_property
    def cells(self) -> tuple[Cell, ...]:
        return tuple(self.iter_cells())

    def planning_bytes(self) -> int:
        """About the memory holding every cell takes (what a sweep plans before computing)."""
        first = next(self.iter_cells())
        return self.count * (len(first.params_json) + len(first.key) + CELL_OVERHEAD_BYTES)


def _unique(items: Sequence[_Axis]) -> tuple[_Axis, ...]:
    """First occurrences by canonical text (what the cell key sees)."""
    seen: dict[str, _Axis] = {}
    for item in items:
        seen.setdefault(item.text, item)
    return tuple(seen.values())


class _Plan:
    """A validated grid: every axis as distinct canonical values, and how to build a cell's
    canonical JSON from them. Each parameter is checked once per distinct value (or pair, for
    delay x tau and steps x start), never once per cell."""

    def __init__(
        self,
        problem: Problem,
        axes: Mapping[str, list[Any]],
        run: Mapping[str, Any],
        where: Mapping[str, str],
    ) -> None:
        self.problem, self.run, self.where = problem, dict(run), dict(where)
        d = problem.d
        try:
            self.delays = self._delays(axes["delay"], axes["tau"])
            self.mu = _unique([_Axis(canonical_json(check_mu(v)), v) for v in axes["mu"]])
            self.eta = _unique([_Axis(canonical_json(check_eta(v)), v) for v in axes["eta"]])
            md = [None if v is None else check_tau(v, "max_delay") for v in axes["max_delay"]]
            self.max_delay = _unique([_Axis(canonical_json(v), v) for v in md])
            self.normalize = _unique([_Axis(canonical_json(v), v) for v in axes["normalize"]])
            self.distribution = _unique([_Axis(canonical_json(v), v) for v in axes["distribution"]])
            starts = []
            for v in axes["start"]:
                parsed = parse_start(v, d)
                value = v.strip().lower() if isinstance(v, str) else [float(x) for x in v]
                starts.append(_Axis(canonical_json(value), saddle_index(parsed)))
            self.start = _unique(starts)
            self.steps = _unique([_Axis(canonical_json(v), v) for v in axes["steps"]])
            self.records = {s.value: self._records(s.value) for s in self.steps}
            runs = check_positive_int("runs", run["runs"])
            seed = check_seed(run["seed"])
            bound = check_positive("divergence_bound", run["divergence_bound"])
        except ParameterError as exc:
            raise _field_error(exc, where) from None
        self.fixed = {
            "crn": canonical_json(bool(run["crn"])),
            "divergence_bound": canonical_json(bound),
            "runs": canonical_json(runs),
            "seed": canonical_json(seed),
            "sigma": canonical_json(problem.sigma.tolist()),
        }
        self.count = (
            len(self.distribution)
            * len(self.start)
            * sum(len(g.taus) for g in self.delays)
            * len(self.normalize)
            * len(self.max_delay)
            * len(self.steps)
            * len(self.mu)
            * len(self.eta)
        )
        per_step = runs * max(d, 4) / 4.0  # Cell.work, summed over steps below
        self.work = float(
            self.count / len(self.steps) * per_step * sum(s.value for s in self.steps)
        )

    def _delays(self, delays: list[str], taus: list[Any]) -> tuple[_DelayAxis, ...]:
        groups: dict[str, list[_Axis]] = {}
        for text in delays:
            ps = text.startswith("ps")
            for tau in [None] if ps else taus:
                model = parse_delay(text, None if ps else (0 if tau is None else tau))
                name, canonical_tau = delay_text(model)
                groups.setdefault(canonical_json(name), []).append(
                    _Axis(canonical_json(canonical_tau), model)
                )
        return tuple(_DelayAxis(name, _unique(items)) for name, items in groups.items())

    def _record_spec(self, steps: int) -> RecordSpec:
        run = self.run
        return RecordSpec(
            steps=RecordSpec.grid(steps, run["records"]) if run["records"] > 0 else (),
            h=run["record_h"],
            delta=run["delta"],
            eps=run["eps"],
            saddle=run["saddle"],
            window=run["window"],
        )

    def _records(self, steps: int) -> str:
        """The ``records`` fragment of the cells of this length, checked for every start."""
        rec = self._record_spec(steps)
        for start in {s.value for s in self.start}:
            rec.resolve(steps, self.problem.d, start)
        return canonical_json(
            {
                "steps": sorted({int(s) for s in rec.steps}),
                "h": bool(rec.h),
                "delta": rec.delta,
                "eps": rec.eps,
                "saddle": rec.saddle,
                "window": rec.window,
            }
        )

    def iter_cells(self) -> Iterator[Cell]:
        """Grid order (GRID_AXES, outermost first); the JSON is assembled from the canonical
        fragments, in the sorted key order of :func:`simulate.cells.canonical_json`, so it is
        the very text (and key) :meth:`Cell.from_config` gives (tested)."""
        fixed = self.fixed
        runs_d = self.run["runs"] * max(self.problem.d, 4) / 4.0
        for dist, start, group, norm, md, steps in itertools.product(
            self.distribution, self.start, self.delays, self.normalize, self.max_delay,
            self.steps,
        ):  # fmt: skip
            records = self.records[steps.value]
            work = runs_d * steps.value
            for mu, eta, tau in itertools.product(self.mu, self.eta, group.taus):
                text = (
                    f'{{"crn":{fixed["crn"]},"delay":{group.text},'
                    f'"distribution":{dist.text},"divergence_bound":{fixed["divergence_bound"]},'
                    f'"eta":{eta.text},"max_delay":{md.text},"mu":{mu.text},'
                    f'"normalize":{norm.text},"records":{records},"runs":{fixed["runs"]},'
                    f'"seed":{fixed["seed"]},"sigma":{fixed["sigma"]},"start":{start.text},'
                    f'"steps":{steps.text},"tau":{tau.text}}}'
                )
                cell = Cell(text, cell_key(text))
                cell.__dict__["work"] = work  # Cell.work's cached value, known without a parse
                yield cell

    def largest_cell(self) -> tuple[Config, int, int, int]:
        """(config, cap, steps, record count) of the most memory-hungry cell, for the check
        that one cell fits in memory."""
        top_steps = max(s.value for s in self.steps)
        best: tuple[float, DelayModel, int | None] | None = None
        for group in self.delays:
            for tau in group.taus:
                model = tau.value
                for md in self.max_delay:
                    cap = md.value if md.value is not None else model.default_cap()
                    cap = math.inf if cap is None else cap
                    width = getattr(model, "workers", 0) if model.kind == "schedule" else 0
                    score = min(cap, top_steps) + width
                    if best is None or score > best[0]:
                        best = (score, model, md.value)
        assert best is not None
        _, model, md = best
        config = Config(0.5, 1.0, model, max_delay=md)
        cap = md if md is not None else model.default_cap()
        cap = top_steps if cap is None else min(cap, top_steps)
        rec = self._record_spec(top_steps).resolve(top_steps, self.problem.d, None)
        return config, int(cap), top_steps, int(rec.steps.size)

    def check_memory(self) -> None:
        """Refuse a spec whose largest cell could not be simulated in this machine's memory
        (a worker would fail with MemoryError after the sweep started)."""
        from simulate.engine import check_memory

        config, cap, steps, _ = self.largest_cell()
        d = self.problem.d
        rec = self._record_spec(steps).resolve(steps, d, None)
        wide = "uniform-ball" in {x.value for x in self.distribution}
        where = self.where
        fields = {"runs": "run.runs", "steps": where["steps"], "max_delay": where["max_delay"],
                  "tau": where["tau"], "delay": where["delay"]}  # fmt: skip
        # Numba's block, NumPy's lane count: the larger of each, to stay on the safe side
        check_memory([config], [cap], runs=self.run["runs"], steps=steps, d=d,
                     raw_width=d + 2 if wide else d, rec=rec, block=min(1024, steps),
                     max_lanes=8192, fields=fields, flags=fields)  # fmt: skip


def load_spec(path: str | Path) -> Sweep:
    """Read and validate a TOML sweep spec; a matrix file for ``sigma`` is relative to it."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ParameterError("spec", str(path), "an existing TOML file") from None
    except OSError as exc:
        raise ParameterError("spec", str(path), "a readable TOML file", str(exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError("spec", str(path), "valid TOML", str(exc)) from None
    except UnicodeDecodeError as exc:
        raise ParameterError("spec", str(path), "a TOML file in UTF-8", str(exc)) from None
    return parse_spec(data, base_dir=path.parent, default_name=path.stem)


def parse_spec(
    data: Mapping[str, Any], *, base_dir: Path | None = None, default_name: str = "sweep"
) -> Sweep:
    """Validate a spec (the dict of a TOML file) and expand its grid into cells."""
    for section, value in data.items():
        if section not in _SECTIONS:
            raise ParameterError(
                "section", section, "unknown section; the sections are " + ", ".join(_SECTIONS)
            )
        if not isinstance(value, Mapping):
            raise ParameterError(section, value, f"a table [{section}] of keys")
        for key in value:
            if key not in _SECTIONS[section]:
                raise ParameterError(
                    f"{section}.{key}",
                    value[key],
                    f"unknown key; the keys of [{section}] are " + ", ".join(_SECTIONS[section]),
                )
    if "run" not in data:
        raise ParameterError(
            "run",
            None,
            "required: a [run] section with runs (replicate runs per cell) and steps "
            "(updates per run, or a [grid] axis), e.g. runs = 20 and steps = 4000",
        )
    sweep_sec = data.get("sweep", {})
    problem_sec = data.get("problem", {})
    grid_sec = data.get("grid", {})
    run_sec = data["run"]
    if "runs" not in run_sec and "steps" not in run_sec and "steps" not in grid_sec:
        raise ParameterError(
            "run",
            dict(run_sec),
            "required: runs (replicate runs per cell) and steps (updates per run, or a [grid] "
            "axis), e.g. runs = 20 and steps = 4000",
        )

    name = sweep_sec.get("name", default_name)
    if not isinstance(name, str):
        raise ParameterError("sweep.name", name, "a string")
    problem = _problem(problem_sec, base_dir)
    axes, where = _axes(problem_sec, grid_sec, run_sec)
    fixed = _run_settings(run_sec)
    plan = _Plan(problem, axes, fixed, where)
    plan.check_memory()
    return Sweep(name, problem, plan)


def _problem(section: Mapping[str, Any], base_dir: Path | None) -> Problem:
    if "sigma" not in section:
        raise ParameterError(
            "problem.sigma", None, "required: a list of eigenvalues or a matrix file name"
        )
    sigma = section["sigma"]
    try:
        if isinstance(sigma, str):
            return Problem.from_matrix(_load_matrix(sigma, base_dir))
        if isinstance(sigma, list) and all(_is_number(x) for x in sigma):
            values = [float(x) for x in sigma]
            check_order(values, "problem.sigma", sigma)
            return Problem.from_eigenvalues(values)
    except ParameterError as exc:
        if exc.name != "sigma":
            raise
        # the theory's message may print the matrix over several lines: name it by the spec text
        raise ParameterError("problem.sigma", sigma, exc.allowed) from None
    raise ParameterError(
        "problem.sigma", sigma, "a list of eigenvalues like [4, 3, 2, 1] or a matrix file name"
    )


def _load_matrix(name: str, base_dir: Path | None) -> np.ndarray:
    """A text (whitespace or comma separated) or .npy matrix, relative to the spec's folder."""
    path = Path(name)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    try:
        if path.suffix == ".npy":
            return np.load(path, allow_pickle=False)
        raw = path.read_text()
        return np.loadtxt(path, delimiter="," if "," in raw else None, ndmin=2)
    except (OSError, ValueError) as exc:
        raise ParameterError(
            "problem.sigma", name, "a readable matrix file (text or .npy)", str(exc)
        ) from None


def _is_number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _axes(
    problem_sec: Mapping[str, Any], grid_sec: Mapping[str, Any], run_sec: Mapping[str, Any]
) -> tuple[dict[str, list[Any]], dict[str, str]]:
    """Every grid axis as a checked list of values (defaults filled in), and where each was
    given (``grid.mu``, ``problem.start``, ...), so that a per-cell error names that field."""
    raw: dict[str, list[Any]] = {}
    where: dict[str, str] = {}
    for axis in GRID_AXES:
        home = _HOME.get(axis)
        home_sec = {"problem": problem_sec, "run": run_sec}.get(home or "", {})
        if axis in grid_sec and axis in home_sec:
            raise ParameterError(
                f"grid.{axis}",
                grid_sec[axis],
                f"given twice: once in [grid] and once in [{home}]; keep one",
            )
        if axis in grid_sec:
            where[axis], value = f"grid.{axis}", grid_sec[axis]
        elif axis in home_sec:
            where[axis], value = f"{home}.{axis}", home_sec[axis]
            if isinstance(value, list) and axis != "start":
                raise ParameterError(
                    where[axis], value, f"a single value (vary it under [grid] as {axis})"
                )
            value = [value]
        elif axis in GRID_DEFAULTS:
            where[axis], raw[axis] = f"grid.{axis}", [GRID_DEFAULTS[axis]]
            continue
        else:
            place = f"[{home}] or [grid]" if home else "[grid]"
            raise ParameterError(f"grid.{axis}", None, f"required: give {axis} in {place}")
        raw[axis] = _check_axis(axis, where[axis], value)
    if "tau" in grid_sec and all(d.startswith("ps") for d in raw["delay"]):
        raise ParameterError(
            "grid.tau", grid_sec["tau"], "no tau with parameter-server delays (ps:W): remove it"
        )
    return raw, where


def _check_axis(axis: str, where: str, value: Any) -> list[Any]:
    """One axis: a non-empty list of values of the right type (ranges are checked per cell)."""
    # a vector start is itself a list: a list of numbers is one start, a list of lists many
    if axis == "start" and isinstance(value, list) and value and all(map(_is_number, value)):
        value = [value]
    values = value if isinstance(value, list) else [value]
    if not values:
        raise ParameterError(where, value, "a non-empty list of values")
    out = []
    for v in values:
        if axis in ("mu", "eta", "tau"):
            if not _is_number(v):
                raise ParameterError(where, v, "numbers only")
            out.append(float(v) if axis != "tau" else v)
        elif axis in ("delay", "distribution"):
            if not isinstance(v, str):
                raise ParameterError(where, v, "strings only")
            text = v.strip().lower()
            if axis == "distribution" and text not in DISTRIBUTIONS:
                raise ParameterError(where, v, "one of " + ", ".join(DISTRIBUTIONS))
            if axis == "delay":
                _check_delay_name(where, text)
            out.append(text)
        elif axis == "start":
            ok = isinstance(v, str) or (isinstance(v, list) and all(map(_is_number, v)))
            if not ok:
                raise ParameterError(where, v, "e1, e2, ..., random, or a vector of numbers")
            out.append(v.strip().lower() if isinstance(v, str) else [float(x) for x in v])
        elif axis == "normalize":
            if not isinstance(v, bool):
                raise ParameterError(where, v, "true or false")
            out.append(v)
        elif axis in ("steps", "max_delay"):
            if not isinstance(v, int) or isinstance(v, bool):
                raise ParameterError(where, v, "integers only")
            if axis == "steps":
                check_positive_int(where, v)
            elif v < 0:
                raise ParameterError(where, v, "a delay cap must be an integer >= 0")
            out.append(v)
    return out


def _check_delay_name(where: str, text: str) -> None:
    try:
        parse_delay(text, None if text.startswith("ps") else 1.0)
    except ParameterError as exc:
        raise ParameterError(
            where, text, DELAY_SPEC_HELP if exc.name == "delay" else exc.allowed
        ) from None


def _run_settings(section: Mapping[str, Any]) -> dict[str, Any]:
    """[run] (without steps, an axis): checked, with defaults."""
    out = dict(RUN_DEFAULTS)
    out.update({k: v for k, v in section.items() if k != "steps"})
    if "runs" not in section:
        raise ParameterError("run.runs", None, "required: the number of runs per cell, >= 1")
    for key in ("runs", "seed", "records"):
        if isinstance(out[key], bool) or not isinstance(out[key], int):
            raise ParameterError(f"run.{key}", out[key], "an integer")
    check_positive_int("run.runs", out["runs"])
    try:
        check_seed(out["seed"])
    except ParameterError as exc:
        raise ParameterError("run.seed", out["seed"], exc.allowed) from None
    if out["records"] < 0:
        raise ParameterError("run.records", out["records"], "an integer >= 0 (0: none)")
    for key in ("crn", "record_h"):
        if not isinstance(out[key], bool):
            raise ParameterError(f"run.{key}", out[key], "true or false")
    for key in ("delta", "eps", "window", "divergence_bound"):
        if not _is_number(out[key]):
            raise ParameterError(f"run.{key}", out[key], "a number")
        out[key] = float(out[key])
    if out["saddle"] is not None and (
        isinstance(out["saddle"], bool) or not isinstance(out["saddle"], int)
    ):
        raise ParameterError("run.saddle", out["saddle"], "an eigen-index j >= 2")
    return out


# Which spec field a ParameterError raised while building a cell comes from.
_ERROR_FIELD = {
    "alpha": "delay",
    "workers": "delay",
    "times": "delay",
    "sigma": "delay",
    "straggler": "delay",
    "record steps": "records",
}


def _field_error(exc: ParameterError, where: Mapping[str, str]) -> ParameterError:
    """The same error, named by the spec field it comes from (``grid.tau``, ``run.delta``)."""
    name = _ERROR_FIELD.get(exc.name, exc.name)
    field = where.get(name, f"run.{name}")
    return ParameterError(field, exc.value, exc.allowed)
