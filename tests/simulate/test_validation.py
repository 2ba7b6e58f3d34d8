"""Bad input: a ParameterError that names the parameter and states the allowed range."""

from __future__ import annotations

import numpy as np
import pytest

from simulate import Config, RecordSpec, simulate
from tests.simulate.conftest import DIAGONAL
from theory.validation import ParameterError

GOOD = Config(0.5, 1e-3, 1)


@pytest.mark.parametrize(
    ("kwargs", "name", "fragment"),
    [
        ({"mu": 1.0}, "mu", "[0, 1)"),
        ({"mu": -0.1}, "mu", "[0, 1)"),
        ({"eta": 0.0}, "eta", "> 0"),
        ({"eta": -1e-3}, "eta", "> 0"),
        ({"eta": float("inf")}, "eta", "> 0"),
        ({"delay": -1}, "tau", ">= 0"),
        ({"delay": 1.5}, "tau", "integer"),
        ({"max_delay": -2}, "max_delay", ">= 0"),
    ],
)
def test_bad_configuration(kwargs, name, fragment):
    args = {"mu": 0.5, "eta": 1e-3, "delay": 1} | kwargs
    with pytest.raises(ParameterError) as info:
        Config(**args)
    assert info.value.name == name
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"runs": 0}, "runs"),
        ({"runs": 2.5}, "runs"),
        ({"steps": 0}, "steps"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"engine": "gpu"}, "engine"),
        ({"distribution": "cauchy"}, "distribution"),
        ({"start": "e5"}, "start"),
        ({"start": "e0"}, "start"),
        ({"start": "north"}, "start"),
        ({"start": np.zeros(4)}, "start"),
        ({"start": np.ones(3)}, "start"),
        ({"records": RecordSpec(steps=(0, 11))}, "record steps"),
        ({"records": RecordSpec(steps=(-1,))}, "record steps"),
        ({"records": RecordSpec(delta=1.5)}, "delta"),
        ({"records": RecordSpec(eps=0.0)}, "eps"),
        ({"records": RecordSpec(saddle=1)}, "saddle"),
        ({"records": RecordSpec(window=0.0)}, "window"),
        ({"threads": 3}, "threads"),
        ({"divergence_bound": 0.0}, "divergence_bound"),
        ({"block": 0}, "block"),
        ({"configs": []}, "configs"),
        ({"configs": ["mu=0.5"]}, "configs"),
        ({"problem": np.eye(2)}, "problem"),
    ],
)
def test_bad_batch(kwargs, name):
    args = {"problem": DIAGONAL, "configs": [GOOD], "runs": 2, "steps": 10} | kwargs
    problem, configs = args.pop("problem"), args.pop("configs")
    with pytest.raises(ParameterError) as info:
        simulate(problem, configs, **args)
    assert info.value.name == name
    assert "not allowed" in str(info.value)


def test_good_inputs_pass():
    res = simulate(DIAGONAL, GOOD, runs=1, steps=10, start=np.ones(4), seed=np.int64(3))
    assert np.isclose(np.linalg.norm(res.start), 1.0)


# ---- memory: refused before allocating, naming what to lower ---------------------------------


@pytest.fixture
def one_gib(monkeypatch):
    monkeypatch.setenv("ASYNCMSGD_MEMORY_LIMIT", "1G")


def test_runs_beyond_memory(one_gib):
    from simulate.engine import validate

    with pytest.raises(ParameterError, match=r"^runs=100000000 is not allowed: .*lower --runs$"):
        simulate(DIAGONAL, [Config(0.5, 1e-3, 0)], runs=10**8, steps=10)
    validate(DIAGONAL, [Config(0.5, 1e-3, 0)], runs=10**5, steps=10)  # fits


def test_ring_buffer_and_workers_beyond_memory(one_gib):
    from simulate import parse_delay

    wide = Config(0.5, 1e-3, parse_delay("uniform", 10**9))
    with pytest.raises(ParameterError, match=r"^tau=.*ring buffer of the last cap \+ 2"):
        simulate(DIAGONAL, [wide], runs=1, steps=10**10)
    capped = Config(0.5, 1e-3, parse_delay("uniform", 10**9), max_delay=10**9)
    with pytest.raises(ParameterError, match=r"^max_delay=1000000000 is not allowed"):
        simulate(DIAGONAL, [capped], runs=1, steps=10**10)
    with pytest.raises(ParameterError, match=r"^steps=10000000000 is not allowed"):
        simulate(DIAGONAL, [Config(0.5, 1e-3, 10**12)], runs=1, steps=10**10)
    with pytest.raises(ParameterError, match=r"^delay='ps\(W=10000000000.*workers"):
        simulate(DIAGONAL, [Config(0.5, 1e-3, parse_delay("ps:10000000000"))], runs=1, steps=10)


def test_memory_estimate_is_of_the_right_size():
    """The estimate against what the arrays really take (the batch's outputs dominate)."""
    from simulate.engine import memory_estimate
    from simulate.records import RecordSpec

    rec = RecordSpec(steps=tuple(range(0, 101, 10))).resolve(100, 4, 1)
    est = memory_estimate([5], runs=10**5, d=4, raw_width=4, rec=rec, block=100, max_lanes=8192)
    real = 10**5 * 8 * (4 + 2 * 11 + 10)  # final H, error_at, misalignment_at, scalars
    assert real < est["outputs"] < 4 * real
