"""Delay conditions of C1, C3, C4, C10, C11 as functions, with validation."""

from __future__ import annotations

import math

import pytest

from theory import delays
from theory.validation import ParameterError


def test_values():
    c3 = delays.get("C3")(mu=0.9, eta=1e-4, gamma=1.0, lambda1=4.0)
    assert c3 == pytest.approx(0.01 / 4.0)
    c4 = delays.get("C4")(mu=0.5, eta=1e-4, gamma=0.5, lambda1=4.0, C_d=4.0)
    assert c4 == pytest.approx(0.25 / 8.0)
    c1 = delays.get("C1")(mu=0.0, eta=1e-2, gamma=0.5)
    assert c1 == pytest.approx(10.0)


def test_unbounded_data_admits_no_delay():
    assert delays.get("C4")(mu=0.5, eta=1e-4, gamma=0.25, lambda1=4.0, C_d=math.inf) == 0.0


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(mu=1.0, eta=1e-3, gamma=0.5, lambda1=1.0), "mu"),
        (dict(mu=0.5, eta=0.0, gamma=0.5, lambda1=1.0), "eta"),
        (dict(mu=0.5, eta=1e-3, gamma=0.0, lambda1=1.0), "gamma"),
    ],
)
def test_bad_input(kwargs, name):
    with pytest.raises(ParameterError) as info:
        delays.get("C3")(**kwargs)
    assert info.value.name == name


def test_gamma_range_is_claim_specific():
    with pytest.raises(ParameterError, match=r"\(0, 0.5\]"):
        delays.get("C4")(mu=0.5, eta=1e-3, gamma=0.75, lambda1=1.0, C_d=1.0)
    assert delays.get("C3")(mu=0.5, eta=1e-3, gamma=0.75, lambda1=1.0) > 0


def test_sde_delay_is_smaller_than_ode_delay():
    r = delays.sde_over_ode()
    assert r["limit_eta_0"] == 0 and r["below_one_for_eta_le_1"]
