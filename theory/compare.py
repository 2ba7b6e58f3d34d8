"""Automatic comparison of a derived expression with a paper's printed one.

The verdicts are: ``identical``; ``constant-factor`` (derived = c x printed, c a number);
``log-argument`` (both are P log A; the prefactors agree up to a constant and the log arguments
differ by a constant factor, so the two agree to leading order as A -> oo but not exactly);
``up-to-log-factor`` (one side carries a log factor the other omits, the rest agrees up to a
constant); ``different-scaling`` (the ratio is a power of some variable, reported with the
power); and
``different`` (none of the above). Scaling exponents are the logarithmic derivatives
x d/dx log(derived/printed), taken in "gap form" (1 - mu and lambda_1 - lambda_2 as
symbols).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import sympy as sp

from theory import symbols as S

# The variables a scaling statement can be about, in gap form, with their display names.
SCALING_VARIABLES: tuple[tuple[sp.Symbol, str], ...] = (
    (S.eps, "epsilon"),
    (S.eta, "eta"),
    (S.omu, "1-mu"),
    (S.gap, "lambda_1-lambda_2"),
    (S.phi, "phi"),
    (S.tau, "tau"),
    (S.C_d, "C_d"),
    (S.lam1, "lambda_1"),
    (S.lam2, "lambda_2"),
    (S.delta, "delta"),
    (S.alpha12, "alpha_12"),
)

KINDS = (
    "identical",
    "constant-factor",
    "log-argument",
    "up-to-log-factor",
    "different-scaling",
    "different",
)


@dataclass(frozen=True)
class Comparison:
    kind: str
    text: str
    factor: sp.Expr | None = None  # derived / printed, when a constant
    log_factor: sp.Expr | None = None  # derived log argument / printed one, when a constant
    exponents: dict[str, sp.Expr] = field(default_factory=dict)  # variable -> power in the ratio

    @property
    def agrees_up_to_constant(self) -> bool:
        return self.kind in ("identical", "constant-factor", "log-argument")

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "text": self.text,
            "factor": None if self.factor is None else str(self.factor),
            "log_factor": None if self.log_factor is None else str(self.log_factor),
            "exponents": {k: str(v) for k, v in self.exponents.items()},
        }


# Pure functions of immutable SymPy expressions, memoised in memory: one `derive all` asks for
# the same normal forms several times (a derivation, its comparison, its text and LaTeX).
@cache
def canonical(e: sp.Expr) -> sp.Expr:
    """A targeted normal form for the expressions compared here (powers of positive symbols,
    one log): powers denested and combined, then a rational function in its generators. Every
    step is an identity when the bases of powers are positive, which holds in gap form (1 - mu
    and lambda_1 - lambda_2 are positive symbols; every symbol of :mod:`theory.symbols` is
    positive or nonnegative), the form :func:`compare` works in; it is what ``simplify`` spent
    most of its time reaching."""
    e = sp.expand_power_base(sp.powdenest(sp.sympify(e), force=True), force=True)
    e = sp.powsimp(e, force=True)
    return sp.cancel(sp.together(e))


@cache
def is_zero(e: sp.Expr) -> bool:
    """Whether ``e`` is identically 0. A point of the positive orthant first (a value clearly
    away from 0 there settles it), then the canonical form, and only if neither decides the
    general ``simplify``."""
    e = sp.sympify(e)
    syms = sorted(e.free_symbols, key=str)
    # a point inside the model's domain: every value in (0, 1) (mu < 1), the eigenvalues
    # ordered lambda_1 > lambda_2 > lambda_i > lambda_j when they appear (not in gap form)
    point = {x: sp.Rational(3 + k, 7 + 2 * k) for k, x in enumerate(syms)}
    for rank, lam in enumerate((S.lam1, S.lam2, S.lam_i, S.lam_j)):
        if lam in point:
            point[lam] = sp.Integer(9 - 2 * rank)
    value = sp.N(e.subs(point), 30)
    if value.is_number and value.is_finite and abs(value) > 1e-20:
        return False
    if canonical(e) == 0:
        return True
    return sp.simplify(e) == 0


@cache
def factored(e: sp.Expr) -> sp.Expr:
    """The canonical form, factored (common powers pulled out: what a reader expects)."""
    c = canonical(e)
    return c if c.is_number else sp.factor(c)


_simplify = factored


def _tidy(arg: sp.Expr) -> sp.Expr:
    cancelled = sp.cancel(sp.together(arg))
    factored = sp.factor(cancelled)
    negated = -sp.factor(-cancelled)
    return min((factored, cancelled, negated), key=lambda e: (sp.count_ops(e), len(str(e))))


@cache
def _finish(prefactor: sp.Expr, arg: sp.Expr) -> sp.Expr:
    """P log(A) with roots cleared from A: P log(A) = (P/q) log(A^q), q the lcm of denominators."""
    exps = [f.as_base_exp()[1] for f in sp.Mul.make_args(arg)]
    q = sp.ilcm(1, 1, *[sp.fraction(e)[1] for e in exps if e.is_Rational])
    if q > 1:
        prefactor, arg = prefactor / q, sp.powsimp(sp.expand_power_base(arg**q, force=True))
    return _simplify(prefactor) * sp.log(_tidy(arg))


def _pull_exponent(arg: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """log(prod b_k^(r_k e)) = e log(prod b_k^r_k) for a symbolic e and rational r_k."""
    powers = [sp.Pow(*f.as_base_exp()) for f in sp.Mul.make_args(sp.powsimp(arg, force=True))]
    exps = [p.as_base_exp()[1] for p in powers]
    symbolic = [e for e in exps if e.free_symbols]
    if not symbolic or len(symbolic) != len(exps):
        return sp.Integer(1), arg
    base_exp = symbolic[0] / sp.Rational(*sp.fraction(sp.nsimplify(symbolic[0].as_coeff_Mul()[0])))
    out = sp.Integer(1)
    for p, e in zip(powers, exps, strict=True):
        r = canonical(e / base_exp)
        if r.free_symbols:
            return sp.Integer(1), arg
        out *= p.as_base_exp()[0] ** r
    return base_exp, out


@cache
def log_form(expr: sp.Expr) -> sp.Expr:
    """Rewrite expr as P log(A) (a prefactor times one log) when it has that shape.

    A product with one log factor keeps its own split; a sum sum_k c_k log(x_k) with rational
    ratios c_k/c_1 becomes c_1 log(prod_k x_k^(c_k/c_1)). Anything else is returned unchanged.
    """
    e = sp.sympify(expr)
    factors = sp.Mul.make_args(e)
    logs = [f for f in factors if isinstance(f, sp.log)]
    if len(logs) == 1 and not (e / logs[0]).atoms(sp.log):
        pulled, arg = _pull_exponent(logs[0].args[0])
        return _finish(pulled * e / logs[0], arg)
    e = sp.expand(sp.expand_log(e, force=True))
    pairs = []
    for term in sp.Add.make_args(e):
        logs = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.log)]
        if len(logs) != 1:
            return expr
        pairs.append((canonical(term / logs[0]), logs[0].args[0]))
    prefactor = pairs[0][0]
    arg = sp.Integer(1)
    for coeff, x in pairs:
        ratio = canonical(coeff / prefactor)
        if ratio.free_symbols:
            return expr
        arg *= x**ratio
    return _finish(prefactor, arg)


@cache
def split_log(expr: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """Write expr = P * log(A) with P free of logs; None when it is not of that form."""
    e = log_form(expr)
    logs = [x for x in e.atoms(sp.log)]
    if len(logs) != 1:
        return None
    (lg,) = logs
    pre = _simplify(e / lg)
    if pre.atoms(sp.log):
        return None
    return pre, lg.args[0]


def _monomial_powers(expr: sp.Expr) -> tuple[dict[sp.Symbol, sp.Expr], set[sp.Symbol]]:
    """The powers of the symbols that appear in ``expr`` only as bases of powers (free of those
    symbols in their exponents), and the set of symbols that appear otherwise (inside a sum, a
    log, an exponent): for the first the power is exact and cheap to read off."""
    e = sp.powsimp(sp.expand_power_base(sp.sympify(expr), force=True), force=True)
    powers: dict[sp.Symbol, sp.Expr] = {}
    tainted: set[sp.Symbol] = set()
    for factor in sp.Mul.make_args(e):
        base, exp = factor.as_base_exp()
        if base.is_Symbol and base not in exp.free_symbols:
            powers[base] = powers.get(base, sp.Integer(0)) + exp
            tainted |= exp.free_symbols
        else:
            tainted |= factor.free_symbols
    return powers, tainted


def scaling_exponents(ratio: sp.Expr) -> dict[str, sp.Expr]:
    """Powers of each variable in ``ratio`` (gap form); only non-zero ones are returned.

    A variable that appears only as the base of powers is read off directly. Otherwise the power
    is x d/dx log(ratio); when that still depends on x, its limit as x -> 0 is used (the regime
    the paper's asymptotics are about).
    """
    out: dict[str, sp.Expr] = {}
    powers, tainted = _monomial_powers(ratio)
    log_ratio = None
    for x, name in SCALING_VARIABLES:
        if x not in ratio.free_symbols:
            continue
        if x not in tainted:
            p = sp.expand(powers.get(x, sp.Integer(0)))
        else:
            if log_ratio is None:
                log_ratio = sp.expand_log(sp.log(ratio), force=True)
            p = canonical(x * sp.diff(log_ratio, x))
            if x in p.free_symbols:
                try:
                    p = sp.limit(p, x, 0, "+")
                except (NotImplementedError, ValueError):
                    p = sp.nan
            p = sp.expand(sp.cancel(p)) if p.free_symbols else p
        if p != 0:
            out[name] = p
    return out


def _monomial_relation(derived: sp.Expr, printed: sp.Expr) -> Comparison:
    ratio = _simplify(derived / printed)
    if ratio == 1:
        return Comparison("identical", "identical", factor=sp.Integer(1))
    if not (ratio.free_symbols - {S.gamma}):
        if ratio.is_negative:
            return Comparison(
                "different", f"opposite sign: derived = {S.text(ratio)} x printed", factor=ratio
            )
        return Comparison(
            "constant-factor",
            f"equal up to a constant factor: derived = {S.text(ratio)} x printed",
            factor=ratio,
        )
    exps = scaling_exponents(ratio)
    if exps:
        parts = ", ".join(
            f"({k})^({S.text(v)})" if "-" in k else f"{k}^({S.text(v)})" for k, v in exps.items()
        )
        return Comparison(
            "different-scaling",
            f"different scaling: derived/printed ~ {parts} (ratio {S.text(ratio)})",
            exponents=exps,
        )
    return Comparison("different", f"different: derived/printed = {S.text(ratio)}")


def bounded_by(derived: sp.Expr, printed: sp.Expr) -> bool:
    """Whether ``printed`` bounds ``derived`` over the whole positive orthant of their symbols:
    their ratio must be a number <= 1 (a ratio that is a non-constant monomial, as the bounds
    compared here are, is unbounded)."""
    ratio = _simplify(S.in_gap_form(derived) / S.in_gap_form(printed))
    return bool(not ratio.free_symbols and ratio <= 1)


@cache
def compare(derived: sp.Expr, printed: sp.Expr) -> Comparison:
    """Classify ``derived`` against ``printed`` (both SymPy, in the symbols of :mod:`symbols`)."""
    d = S.in_gap_form(derived)
    p = S.in_gap_form(printed)
    if is_zero(d - p):
        return Comparison("identical", "identical", factor=sp.Integer(1))
    sd, sp_ = split_log(d), split_log(p)
    if sd is not None and sp_ is not None:
        pre = _monomial_relation(sd[0], sp_[0])
        arg_ratio = _simplify(sd[1] / sp_[1])
        if arg_ratio == 1:
            return pre
        if not arg_ratio.free_symbols and pre.agrees_up_to_constant:
            text = (
                f"prefactor: {pre.text}; log argument: derived = {S.text(arg_ratio)} x printed "
                "(same leading order as the log's argument grows, not equal)"
            )
            return Comparison("log-argument", text, factor=pre.factor, log_factor=arg_ratio)
        arg_text = f"log arguments differ: derived/printed = {S.text(arg_ratio)}"
        if pre.kind == "identical":
            return Comparison("different", f"prefactor identical; {arg_text}")
        return Comparison(
            pre.kind if pre.kind == "different-scaling" else "different",
            f"prefactor: {pre.text}; {arg_text}",
            factor=pre.factor,
            exponents=pre.exponents,
        )
    if (sd is None) != (sp_ is None):
        # one side carries a log factor the other omits
        if sd is not None:
            pre = _monomial_relation(sd[0], p)
            text = f"printed form omits the factor log({S.text(sd[1])}); prefactor: {pre.text}"
        else:
            pre = _monomial_relation(d, sp_[0])
            text = f"derived form has no factor log({S.text(sp_[1])}); prefactor: {pre.text}"
        kind = "up-to-log-factor" if pre.agrees_up_to_constant else pre.kind
        return Comparison(kind, text, factor=pre.factor, exponents=pre.exponents)
    return _monomial_relation(d, p)
