"""C5, C6, C7, C9, C10: N_k = T_k/(tau eta) under each proposition's choices."""

from __future__ import annotations

import sympy as sp

from theory import complexity as C
from theory.compare import compare
from theory.symbols import eps, gamma

HALF = sp.Rational(1, 2)


def test_n1_identical():
    assert C.n1().comparison.kind == "identical"


def test_n3_exponents():
    e = C.n3().exponents
    assert sp.simplify(e["1-mu"] + gamma + 3 * HALF) == 0
    assert sp.simplify(e["epsilon"] + gamma + HALF) == 0
    assert sp.simplify(e["phi"] - gamma - HALF) == 0


def test_n3_matches_printed_up_to_constants():
    c = C.n3().comparison
    assert c.kind == "log-argument" and c.factor == HALF and c.log_factor == 4


def test_n2_twice_printed():
    c = C.n2().comparison
    assert c.kind == "constant-factor" and c.factor == 2


def test_log_after_choices():
    assert eps not in C.n1().log_after_choices.free_symbols
    assert eps not in C.n3().log_after_choices.free_symbols
    assert eps in C.n2().log_after_choices.free_symbols


def test_remark7_faster_only_below_half():
    r = C.remark7_ratio()
    assert sp.simplify(r["eps_power"] - (HALF - gamma)) == 0
    assert r["faster_when"] == sp.Interval.open(-sp.oo, HALF)


def test_tradeoff():
    tr = C.tradeoff()
    assert tr["dtau_dmu_negative"] is True
    assert tr["speedup_in_tau"] == -1


def test_poster_n_async_is_n1_like_not_n3():
    assert compare(C.n1().derived, C.poster_n_async()).kind == "up-to-log-factor"
    c3 = compare(C.n3().derived, C.poster_n_async())
    assert c3.kind == "different-scaling"
    assert sp.simplify(c3.exponents["1-mu"] + gamma + HALF) == 0


def test_negative_control_wrong_tau_choice_changes_exponent():
    """With tau ~ (1-mu)^1 instead of (1-mu)^2, N3's power of (1-mu) changes: the exponent
    extraction sees the wrong theory."""
    wrong = C.Complexity(
        "C5",
        "N3 (wrong tau)",
        C.phases.t3(),
        C.Choice("wrong", C.PROP6.eta, C.PROP6.tau / (1 - C.mu), "-"),
        C.n3().printed,
        "-",
    )
    assert sp.simplify(wrong.exponents["1-mu"] - C.n3().exponents["1-mu"]) == 1
    assert wrong.comparison.kind == "different-scaling"
