"""The derived-vs-printed classifier, on expressions whose relation is known."""

from __future__ import annotations

import sympy as sp

from theory.compare import compare, log_form, split_log
from theory.symbols import delta, eps, eta, gamma, lam1, lam2, mu, phi

A = (1 - mu) / (lam1 - lam2) * sp.log((1 - delta**2) / delta**2)


def test_identical_even_when_written_differently():
    other = (2 - 2 * mu) / (2 * lam1 - 2 * lam2) * sp.log(1 / delta**2 - 1)
    assert compare(A, other).kind == "identical"


def test_constant_factor_reports_the_factor():
    c = compare(A, A / 2)
    assert c.kind == "constant-factor" and c.factor == 2


def test_log_argument_factor():
    c = compare(
        A.subs(delta, delta), (1 - mu) / (lam1 - lam2) * sp.log((1 - delta**2) / (4 * delta**2))
    )
    assert c.kind == "log-argument" and c.log_factor == 4


def test_different_scaling_reports_variable_and_power():
    derived = phi / (eps * (1 - mu) ** (sp.Rational(3, 2) + gamma))
    printed = phi / (eps * (1 - mu))
    c = compare(derived, printed)
    assert c.kind == "different-scaling"
    assert sp.simplify(c.exponents["1-mu"] - (-gamma - sp.Rational(1, 2))) == 0


def test_missing_log_factor():
    c = compare(phi / eps * sp.log(1 / eta), phi / eps)
    assert c.kind == "up-to-log-factor"


def test_log_form_and_split():
    e = (1 - mu) * sp.log(sp.sqrt(eta) / delta) / (lam1 - lam2)
    pre, arg = split_log(e)
    assert sp.simplify(pre - (1 - mu) / (2 * (lam1 - lam2))) == 0
    assert sp.simplify(arg - eta / delta**2) == 0
    assert sp.simplify(log_form(sp.log(eta) - sp.log(delta)) - sp.log(eta / delta)) == 0
