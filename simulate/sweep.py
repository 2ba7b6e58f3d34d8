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

See :data:`RUN_DEFAULTS` and :data:`GRID_AXES` for the remaining keys.
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulate.cells import Cell
from simulate.delays import SPEC_HELP, parse_delay
from simulate.engine import DEFAULT_DIVERGENCE_BOUND, Config
from simulate.records import RecordSpec
from simulate.seeds import check_seed
from theory.distributions import MODELS
from theory.problem import Problem
from theory.validation import ParameterError, check_positive_int

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
class Sweep:
    """A parsed spec: its label, its cells (grid order, duplicates removed) and its problem."""

    name: str
    problem: Problem
    cells: tuple[Cell, ...]

    @property
    def work(self) -> float:
        return sum(c.work for c in self.cells)


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
    sweep_sec = data.get("sweep", {})
    problem_sec = data.get("problem", {})
    grid_sec = data.get("grid", {})
    run_sec = data.get("run", {})

    name = sweep_sec.get("name", default_name)
    if not isinstance(name, str):
        raise ParameterError("sweep.name", name, "a string")
    problem = _problem(problem_sec, base_dir)
    axes, where = _axes(problem_sec, grid_sec, run_sec)
    fixed = _run_settings(run_sec)
    cells: dict[str, Cell] = {}
    names = list(GRID_AXES)
    for values in itertools.product(*(axes[a] for a in names)):
        point = dict(zip(names, values, strict=True))
        cell = _cell(problem, point, fixed, where)
        cells.setdefault(cell.key, cell)
    return Sweep(name=name, problem=problem, cells=tuple(cells.values()))


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
            return Problem.from_eigenvalues([float(x) for x in sigma])
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
            if axis == "distribution" and text not in MODELS:
                raise ParameterError(where, v, "one of " + ", ".join(sorted(MODELS)))
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
            where, text, SPEC_HELP if exc.name == "delay" else exc.allowed
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


def _cell(
    problem: Problem, point: Mapping[str, Any], run: Mapping[str, Any], where: Mapping[str, str]
) -> Cell:
    """Build and fully check one cell; an error names the spec field it comes from."""
    delay = point["delay"]
    tau = None if delay.startswith("ps") else (0 if point["tau"] is None else point["tau"])
    steps = point["steps"]
    try:
        config = Config(
            point["mu"], point["eta"], parse_delay(delay, tau), point["normalize"],
            point["max_delay"],
        )  # fmt: skip
        records = RecordSpec(
            steps=RecordSpec.grid(steps, run["records"]) if run["records"] > 0 else (),
            h=run["record_h"],
            delta=run["delta"],
            eps=run["eps"],
            saddle=run["saddle"],
            window=run["window"],
        )
        return Cell.from_config(
            problem,
            config,
            runs=run["runs"],
            steps=steps,
            seed=run["seed"],
            distribution=point["distribution"],
            start=point["start"],
            records=records,
            crn=run["crn"],
            divergence_bound=run["divergence_bound"],
        )
    except ParameterError as exc:
        name = _ERROR_FIELD.get(exc.name, exc.name)
        field = where.get(name, f"run.{name}")
        raise ParameterError(field, exc.value, exc.allowed) from None
