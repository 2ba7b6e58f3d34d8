"""Sweep specs: grid expansion, cell keys, and one clear error per kind of bad input."""

from __future__ import annotations

import numpy as np
import pytest

from simulate import Config, RecordSpec, parse_delay, simulate
from simulate.cells import Cell, cell_key
from simulate.compute import result_arrays, result_summary, run_cell
from simulate.store import canonical_summary, decode_arrays
from simulate.sweep import load_spec, parse_spec
from tests.simulate.sweep_helpers import SPEC, SPEC_TOML
from theory.problem import Problem
from theory.validation import ParameterError

PROBLEM = Problem.from_eigenvalues([4.0, 3.0, 2.0, 1.0])


def write(tmp_path, text: str, name: str = "spec.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_grid_expands_in_order_with_defaults(tmp_path):
    sweep = load_spec(write(tmp_path, SPEC_TOML))
    assert sweep.name == "spec"  # the file name when [sweep] name is absent
    points = [(c.params["mu"], c.params["tau"]) for c in sweep.cells]
    assert points == [(0.5, 0), (0.5, 2), (0.8, 0), (0.8, 2), (0.9, 0), (0.9, 2)]
    p = sweep.cells[0].params
    assert p["delay"] == "constant" and p["distribution"] == "gaussian" and p["start"] == "e2"
    assert p["seed"] == 0 and p["crn"] is False and p["normalize"] is False
    assert p["max_delay"] is None and p["divergence_bound"] == 100.0
    assert p["records"]["steps"] == [0, 100, 200, 300, 400]
    assert p["sigma"] == np.diag([4.0, 3.0, 2.0, 1.0]).tolist()


def test_parameter_server_ignores_tau_and_duplicates_merge():
    spec = {
        "problem": {"sigma": [2, 1]},
        "grid": {"mu": [0.5, 0.5], "eta": 1e-3, "tau": [0, 2], "delay": ["constant", "ps:3"]},
        "run": {"runs": 2, "steps": 10},
    }
    cells = parse_spec(spec).cells
    assert [(c.params["delay"], c.params["tau"]) for c in cells] == [
        ("constant", 0),
        ("constant", 2),
        ("ps:3", None),
    ]


def test_cell_key_is_pinned():
    """The key of Figure 1's mu = 0.9, tau = 10 cell. If this changes, every stored cell is
    recomputed: change it only with ENGINE_VERSION (or a deliberate format change)."""
    cell = Cell.from_config(PROBLEM, Config(0.9, 5e-4, 10), runs=100, steps=20_000, seed=0)
    assert cell.key == "54f9577fdb43a7eb8c51159efe00995be68aff4ccae33f2350e4950366d768cd"
    # engine-2 changed the version only: the canonical parameters are those of engine-1
    old = "72e62e7c6c4908b173b0f4d1a3ec2d5520894942cdbcbdee29de07bc6a643fd3"
    assert cell_key(cell.params_json, "engine-1") == old


BASE = {
    "problem": {"sigma": [4, 3, 2, 1]},
    "grid": {"mu": 0.9, "eta": 5e-4, "tau": 10},
    "run": {"runs": 10, "steps": 1000},
}
VARIANTS = [
    ("grid", "mu", 0.8),
    ("grid", "eta", 1e-3),
    ("grid", "tau", 11),
    ("grid", "delay", "geometric"),
    ("grid", "normalize", True),
    ("grid", "max_delay", 5),
    ("grid", "distribution", "rademacher"),
    ("grid", "start", "random"),
    ("problem", "sigma", [4, 3, 2, 0.5]),
    ("run", "runs", 11),
    ("run", "steps", 1001),
    ("run", "seed", 1),
    ("run", "crn", True),
    ("run", "records", 3),
    ("run", "record_h", True),
    ("run", "delta", 0.2),
    ("run", "eps", 0.2),
    ("run", "window", 0.2),
    ("run", "saddle", 3),
    ("run", "divergence_bound", 50.0),
]


def _one(spec: dict) -> Cell:
    (cell,) = parse_spec(spec).cells
    return cell


@pytest.mark.parametrize(("section", "key", "value"), VARIANTS)
def test_key_changes_with_every_parameter(section, key, value):
    spec = {s: dict(v) for s, v in BASE.items()}
    spec[section][key] = value
    assert _one(spec).key != _one(BASE).key


def test_key_includes_the_engine_version():
    cell = _one(BASE)
    assert cell_key(cell.params_json) == cell.key
    assert cell_key(cell.params_json, "engine-0") != cell.key


def test_equivalent_spellings_share_a_key(tmp_path):
    base = _one(BASE)
    spec = {s: dict(v) for s, v in BASE.items()}
    spec["grid"].update(tau=10.0, delay=" Constant ", mu=[0.9, 0.9])
    assert _one(spec).key == base.key
    np.savetxt(tmp_path / "sigma.txt", np.diag([4.0, 3.0, 2.0, 1.0]))
    spec["problem"] = {"sigma": "sigma.txt"}  # relative to the spec's folder
    assert parse_spec(spec, base_dir=tmp_path).cells[0].key == base.key
    a = {s: dict(v) for s, v in BASE.items()}
    a["grid"].update(delay="pareto:2.50")
    b = {s: dict(v) for s, v in BASE.items()}
    b["grid"].update(delay="pareto:2.5", tau=10.0)
    assert _one(a).key == _one(b).key


@pytest.mark.parametrize(
    "config",
    [
        Config(0.9, 3e-4, 7),
        Config(0.5, 1e-2, parse_delay("uniform", 9)),
        Config(0.7, 5e-3, parse_delay("geometric", 3.5)),
        Config(0.6, 5e-3, parse_delay("poisson", 5.0)),
        Config(0.3, 5e-3, parse_delay("pareto:1.8", 4.0)),
        Config(0.8, 2e-3, parse_delay("ps:6")),
        Config(0.8, 2e-3, parse_delay("ps:4:lognormal:0.7:straggler:6")),
        Config(0.9, 5e-3, 3, normalize=True, max_delay=2),
    ],
)
def test_from_config_round_trips_every_delay_model(config):
    cell = Cell.from_config(PROBLEM, config, runs=2, steps=50)
    assert cell.config() == config
    assert cell.config().key == config.key  # the engine's stream key: same random numbers


def test_a_cell_is_exactly_the_simulate_call_it_names():
    """Cell-level determinism: the worker's numbers are those of simulate() with the sweep's
    seed, whatever else is in the sweep (each cell is simulated on its own)."""
    rotated = Problem.random_rotation([4.0, 3.0, 2.0, 1.0], np.random.default_rng(1))
    config = Config(0.8, 2e-3, parse_delay("geometric", 2.0))
    records = RecordSpec(steps=(0, 50, 200), h=True, delta=0.2)
    kw = dict(runs=3, steps=200, seed=9, distribution="rademacher", start="random")
    cell = Cell.from_config(rotated, config, records=records, **kw)
    outcome = run_cell(cell)
    assert outcome.ok, outcome.error
    # the direct call batches the cell with another configuration: no effect on its numbers
    direct = simulate(rotated, [Config(0.1, 1e-3, 1), config], records=records, **kw)
    direct.configs = direct.configs[1:]
    expected = result_arrays(direct)
    stored = decode_arrays(outcome.arrays)
    assert sorted(stored) == sorted(expected)
    for name, arr in expected.items():
        assert stored[name].dtype == np.asarray(arr).dtype, name
        assert stored[name].tobytes() == np.asarray(arr).tobytes(), name
    assert outcome.summary == canonical_summary(result_summary(direct))


def test_spec_cells_are_valid_and_varied():
    cells = parse_spec(SPEC).cells
    delays = {c.params["delay"] for c in cells}
    assert delays == {"constant", "geometric", "pareto:2.5", "ps:3"}
    assert len(cells) == 56


# ---- bad input: one line naming the field and the allowed range ---------------------------

BAD = [
    # (replace this, with this, the field, a fragment of the allowed range)
    ("mu = [0.5, 0.8, 0.9]", "mu = [0.5, 1.0]", "grid.mu=1.0", "[0, 1)"),
    ("mu = [0.5, 0.8, 0.9]", "mu = [-0.1]", "grid.mu=-0.1", "[0, 1)"),
    ("eta = 1e-3", "eta = 0", "grid.eta=0.0", "> 0"),
    ("eta = 1e-3", "eta = -1e-3", "grid.eta=-0.001", "> 0"),
    ("tau = [0, 2]", "tau = [0, -1]", "grid.tau=-1", "integer >= 0"),
    ("tau = [0, 2]", "tau = [1.5]", "grid.tau=1.5", "integer >= 0"),
    ("tau = [0, 2]", 'tau = [0]\ndelay = "pareto:2"', "grid.tau=0.0", "> 0"),
    ("tau = [0, 2]", 'tau = [1]\ndelay = "pareto:0.5"', "grid.delay", "> 1"),
    ("tau = [0, 2]", 'tau = [1]\ndelay = "ps:4"', "grid.tau", "no tau"),
    ("tau = [0, 2]", 'tau = 1\ndelay = "exponential"', "grid.delay='exponential'", "constant"),
    ("tau = [0, 2]", "tau = [0]\nmax_delay = -1", "grid.max_delay=-1", ">= 0"),
    ("tau = [0, 2]", 'tau = [0]\nnormalize = "yes"', "grid.normalize='yes'", "true or false"),
    ("mu = [0.5, 0.8, 0.9]", "mu = []", "grid.mu=[]", "non-empty"),
    ("mu = [0.5, 0.8, 0.9]", 'mu = ["a"]', "grid.mu='a'", "numbers only"),
    ("mu = [0.5, 0.8, 0.9]\n", "", "grid.mu=None", "required"),
    ("mu = [0.5, 0.8, 0.9]", "mus = [0.5]", "grid.mus", "unknown key"),
    ("[run]", "[runs]", "section='runs'", "unknown section"),
    ("runs = 4", "runs = 0", "run.runs=0", ">= 1"),
    ("runs = 4", "runs = 2.5", "run.runs=2.5", "an integer"),
    ("runs = 4\n", "", "run.runs=None", "required"),
    ("steps = 400", "steps = 0", "run.steps=0", ">= 1"),
    ("steps = 400", "steps = 400\nseed = -1", "run.seed=-1", ">= 0"),
    ("steps = 400", "steps = 400\ndelta = 1.5", "run.delta=1.5", "(0, 1)"),
    ("records = 4", "records = -1", "run.records=-1", ">= 0"),
    ("steps = 400", "steps = 400\nsaddle = 9", "run.saddle=9", "2..4"),
    ("steps = 400", "steps = 400\ndivergence_bound = 0", "run.divergence_bound", "> 0"),
    ("eta = 1e-3", "eta = 1e-3\nsteps = [10]", "grid.steps", "given twice"),
    ('start = "e2"', 'start = "e7"', "problem.start='e7'", "e1, e2"),
    ('start = "e2"', 'distribution = "cauchy"', "problem.distribution='cauchy'", "gaussian"),
    ("sigma = [4, 3, 2, 1]", "sigma = [2, 2]", "problem.sigma", "eigen-gap"),
    ("sigma = [4, 3, 2, 1]", "sigma = [4, 3, -1]", "problem.sigma", "positive definite"),
    ("sigma = [4, 3, 2, 1]", 'sigma = "nope.txt"', "problem.sigma='nope.txt'", "readable"),
    ("sigma = [4, 3, 2, 1]", "sigma = true", "problem.sigma=True", "list of eigenvalues"),
    ("sigma = [4, 3, 2, 1]", "sigma = [4, 3, 2, 1", "spec=", "valid TOML"),
]


@pytest.mark.parametrize(("old", "new", "field", "allowed"), BAD)
def test_invalid_spec_gives_one_clear_line(tmp_path, old, new, field, allowed):
    assert old in SPEC_TOML
    path = write(tmp_path, SPEC_TOML.replace(old, new))
    with pytest.raises(ParameterError) as info:
        load_spec(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(field), message
    assert allowed in message, message


def test_missing_spec_file(tmp_path):
    with pytest.raises(ParameterError, match="an existing TOML file"):
        load_spec(tmp_path / "absent.toml")


def test_sigma_matrix_file_relative_to_the_spec(tmp_path):
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    (tmp_path / "sub").mkdir()
    np.save(tmp_path / "sub" / "sigma.npy", q @ np.diag([3.0, 2.0, 1.0]) @ q.T)
    text = SPEC_TOML.replace("sigma = [4, 3, 2, 1]", 'sigma = "sigma.npy"')
    sweep = load_spec(write(tmp_path / "sub", text))
    np.testing.assert_allclose(sweep.problem.eigenvalues, [3.0, 2.0, 1.0])
    assert sweep.cells[0].d == 3


# ---- planning: cells from canonical fragments, counted without building them ---------------


def _rebuilt(cell: Cell) -> Cell:
    """The same cell through Cell.from_config, the reference definition of a key."""
    p = cell.params
    return Cell.from_config(
        cell.problem(),
        cell.config(),
        runs=p["runs"],
        steps=p["steps"],
        seed=p["seed"],
        distribution=p["distribution"],
        start=cell.start(),
        records=cell.records(),
        crn=p["crn"],
        divergence_bound=p["divergence_bound"],
    )


@pytest.mark.parametrize("spec", [SPEC, BASE], ids=["every-delay-model", "base"])
def test_planned_cells_are_the_cells_from_config_builds(spec):
    sweep = parse_spec(spec)
    for cell in sweep.cells:
        again = _rebuilt(cell)
        assert again.params_json == cell.params_json and again.key == cell.key
        assert again.work == cell.work  # parsed there, known from the axes here
    assert sweep.count == len(sweep.cells) == len({c.key for c in sweep.cells})
    assert sweep.work == pytest.approx(sum(c.work for c in sweep.cells))


def test_counting_merges_what_the_keys_merge():
    """Equivalent values (1 and 1.0 for a constant delay, two spellings of one pareto law,
    repeated values, a tau under ps) are one cell, in the count as in the cells."""
    spec = {
        "problem": {"sigma": [3, 2, 1]},
        "grid": {
            "start": ["e2", "E2", "random"],
            "mu": [0.5, 0.5, 0.25],
            "eta": [1e-3, 0.001],
            "tau": [1, 1.0, 2],
            "delay": ["constant", "pareto:2.5", "pareto:2.50", "ps:2", "ps:2:straggler:1"],
            "steps": [100, 100, 200],
        },
        "run": {"runs": 2, "records": 2},
    }
    sweep = parse_spec(spec)
    # starts 2 x delays (constant 2 taus, pareto 2 taus, ps 1) x steps 2 x mu 2 x eta 1
    assert sweep.count == 2 * (2 + 2 + 1) * 2 * 2 * 1 == len(sweep.cells)
    assert len({c.key for c in sweep.cells}) == sweep.count


def test_a_large_grid_is_counted_without_building_it():
    mus = [i / 2000 for i in range(1000)]
    spec = {
        "problem": {"sigma": [4, 3, 2, 1]},
        "grid": {"mu": mus, "eta": [1e-3 * (i + 1) for i in range(100)], "tau": list(range(100))},
        "run": {"runs": 10, "steps": 1000},
    }
    sweep = parse_spec(spec)
    assert sweep.count == 10**7 and sweep.work == 10**7 * 10 * 1000
    first = next(sweep.iter_cells())
    assert first.params["mu"] == 0.0 and first.params["tau"] == 0
    assert "cells" not in vars(sweep)  # nothing built but the one asked for


def test_a_cell_too_large_for_memory_is_refused_at_parse_time(monkeypatch):
    monkeypatch.setenv("ASYNCMSGD_MEMORY_LIMIT", "1G")
    spec = {s: dict(v) for s, v in BASE.items()}
    spec["run"]["runs"] = 10**9
    with pytest.raises(ParameterError, match=r"^run\.runs=1000000000 is not allowed: .* GiB"):
        parse_spec(spec)
    spec["run"]["runs"] = 1
    spec["grid"].update(delay="uniform", tau=10**10)
    spec["run"]["steps"] = 10**11
    with pytest.raises(ParameterError, match=r"^grid\.tau=.*ring buffer"):
        parse_spec(spec)
