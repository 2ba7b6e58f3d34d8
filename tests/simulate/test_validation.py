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
