"""The derivations of claims C1-C11, one record per claim, for ``asyncmsgd derive`` and the report.

Each record lists items: a derived expression, the paper's printed form where there is one, and
the automatic comparison (:mod:`theory.compare`), or a proof (an identity SymPy reduces to 0).
The claim's verdict is the least favourable of its items, in the order of ``VERDICT_ORDER``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from theory import complexity, delays, momentum, ode, ou, phases, tightness
from theory import symbols as S
from theory.compare import Comparison, compare, scaling_exponents
from theory.display import latex as show_latex
from theory.display import text as show_text

# From best to worst: what a claim's derivation can come to.
VERDICT_ORDER = (
    "proved",
    "identical",
    "derived",
    "constant-factor",
    "log-argument",
    "up-to-log-factor",
    "different-scaling",
    "different",
    "failed",
)
VERDICT_MEANING = {
    "proved": "every identity the claim rests on was proved by SymPy",
    "identical": "the derived expression equals the printed one",
    "derived": "derived; the paper prints nothing to compare with",
    "constant-factor": "derived and printed agree up to a constant factor",
    "log-argument": "agree up to a constant factor, and the log arguments differ by a constant",
    "up-to-log-factor": "agree up to a constant and a log factor the printed form omits",
    "different-scaling": "derived and printed scale differently in some variable",
    "different": "derived and printed differ",
    "failed": "an identity that should hold did not (a defect of the toolkit or the claim)",
}


@dataclass(frozen=True)
class Item:
    label: str
    derived: sp.Expr | None = None
    printed: sp.Expr | None = None
    comparison: Comparison | None = None
    proved: bool | None = None  # for identities
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.proved is not None:
            return "proved" if self.proved else "failed"
        if self.comparison is not None:
            return self.comparison.kind
        return "derived"

    def as_dict(self, fmt: str = "text") -> dict[str, object]:
        render: Callable[[sp.Expr], str] = show_latex if fmt == "latex" else show_text
        return {
            "label": self.label,
            "verdict": self.verdict,
            "derived": None if self.derived is None else render(self.derived),
            "printed": None if self.printed is None else render(self.printed),
            "comparison": None if self.comparison is None else self.comparison.as_dict(),
            "note": self.note,
        }


@dataclass(frozen=True)
class ClaimDerivation:
    claim: str
    title: str
    source: str
    items: tuple[Item, ...]
    findings: tuple[str, ...] = field(default=())

    @property
    def verdict(self) -> str:
        """The least favourable item verdict; items with nothing to compare do not count unless
        they are all there is."""
        compared = [i.verdict for i in self.items if i.verdict != "derived"] or ["derived"]
        return max(compared, key=VERDICT_ORDER.index)

    def as_dict(self, fmt: str = "text") -> dict[str, object]:
        return {
            "claim": self.claim,
            "title": self.title,
            "source": self.source,
            "verdict": self.verdict,
            "items": [i.as_dict(fmt) for i in self.items],
            "findings": list(self.findings),
        }


def compare_exponent(expr: sp.Expr, variable: str) -> sp.Expr:
    """The power of ``variable`` (a name of compare.SCALING_VARIABLES) in ``expr``."""
    return scaling_exponents(sp.simplify(S.in_gap_form(expr))).get(variable, sp.Integer(0))


def interval_text(interval: sp.Set) -> str:
    if isinstance(interval, sp.Interval):
        left = "(" if interval.left_open else "["
        right = ")" if interval.right_open else "]"
        return f"{left}{sp.sstr(interval.start)}, {sp.sstr(interval.end)}{right}"
    return sp.sstr(interval)


def _cmp(label: str, derived: sp.Expr, printed: sp.Expr, note: str = "") -> Item:
    return Item(label, derived, printed, compare(derived, printed), note=note)


def c1() -> ClaimDerivation:
    bound = tightness.step_bound()
    cmp = tightness.step_comparison()
    crit = tightness.printed_bound_violated_when()
    excess = tightness.norm_excess_under_condition()
    return ClaimDerivation(
        "C1",
        "Tightness: ||v_k||^2 and the step length stay bounded",
        "Lemma 1",
        (
            Item(
                "max |cos sin| (one projected stochastic gradient over ||X||^2)",
                tightness.projected_gradient_max(),
                sp.Rational(1, 2),
                proved=sp.simplify(tightness.projected_gradient_max() - sp.Rational(1, 2)) == 0,
            ),
            Item(
                "step bound ||v_{k+1} - v_k||",
                bound.expr,
                tightness.PRINTED_STEP_BOUND,
                cmp,
                note=f"the derived bound exceeds the printed one when C_d > {crit}",
            ),
            Item(
                "tau eta/(1-mu)^2 at C1's delay scale",
                excess,
                S.eta**S.gamma,
                proved=sp.simplify(excess - S.eta**S.gamma) == 0,
                note="the norm bound 1 + O(tau eta/(1-mu)^2) is 1 + O(eta^gamma), as printed",
            ),
        ),
        (
            "Lemma 1's step bound 2 C_d eta/(1-mu) is linear in C_d, but one update "
            "eta (I - ww^T) X X^T w is quadratic in X: the derived bound is "
            f"eta C_d^2/(2(1-mu)), larger than the printed one when C_d > {crit} "
            "(the printed bound holds if C_d bounds ||X||^2 instead of ||X||).",
        ),
    )


def c2() -> ClaimDerivation:
    trunc = momentum.truncation_error()
    return ClaimDerivation(
        "C2",
        "Momentum approximation: m_{k+1} tracks M(v) = [Sigma v - v^T Sigma v v]/(1-mu)",
        "Lemma 2",
        (
            Item(
                "sum_i mu^i (the weight of M)",
                momentum.drift_weight(),
                1 / (1 - S.mu),
                proved=sp.simplify(momentum.drift_weight() - 1 / (1 - S.mu)) == 0,
            ),
            _cmp(
                "truncation error (C = 1)",
                trunc["error"].subs(momentum.C, 1),
                trunc["printed"],
                note="at fixed mu the ratio is a constant 1/((1-mu) log(1/mu)); it grows like "
                "(1-mu)^-2 as mu -> 1",
            ),
            Item(
                "delay error (C = 1)",
                momentum.delay_error().subs(momentum.C, 1),
                S.tau * S.eta / (1 - S.mu) ** 2,
                momentum.delay_error_comparison(),
            ),
        ),
        (
            "The O(eta log(1/eta)) term hides a factor 1/((1-mu) log(1/mu)) ~ (1-mu)^-2 as "
            "mu -> 1: the approximation degrades with momentum faster than the statement shows.",
        ),
    )


def c3(dims: tuple[int, ...] = (2, 3, 4)) -> ClaimDerivation:
    items = [
        Item(f"closed form solves eq. (7), d = {d}", proved=ode.satisfies_ode(d)) for d in dims
    ]
    items.append(
        Item(
            "closed form at t = 0 equals H(0) on the sphere (d = 3)",
            proved=ode.initial_value_matches(3),
        )
    )
    items.append(
        Item(
            "the unit sphere is invariant under eq. (7) (d = 3)", proved=ode.sphere_is_invariant(3)
        )
    )
    lims = ode.converges_to_e1(3)
    items.append(
        Item(
            "t -> oo: H_i/H_1 -> 0 and H_1^2 -> 1 (d = 3, lambda_1 > lambda_i, H_1(0) != 0)",
            proved=all(v == 0 for k, v in lims.items() if "/" in k) and lims["H_1^2"] == 1,
        )
    )
    times = np.linspace(0.0, 30.0, 61)
    lam = np.array([4.0, 3.0, 2.0, 1.0])
    h0 = np.array([0.05, 0.9, 0.3, 0.2])
    err = float(
        np.max(
            np.abs(ode.solution(times, h0, lam, 0.7) - ode.solve_numerically(times, h0, lam, 0.7))
        )
    )
    items.append(
        Item(
            "closed form vs solve_ivp (DOP853, rtol 1e-12), Sigma = diag(4,3,2,1), mu = 0.7",
            proved=err < 1e-9,
            note=f"max abs difference {err:.2e} (must be < 1e-9)",
        )
    )
    cond = delays.CONDITIONS["C3"]
    items.append(Item("delay condition tau <~", cond.formula.expr, note="gamma in (0, 1]"))
    h = ode.closed_form(2)
    items.append(Item("closed form, d = 2: H_1(t)", h[0]))
    return ClaimDerivation(
        "C3", "ODE limit and its closed-form solution", "Theorem 3 (poster Theorem 1)", tuple(items)
    )


def c4() -> ClaimDerivation:
    proc = ou.theorem5()
    diff = ou.diffusion_from_noise()
    ratio = delays.sde_over_ode()
    return ClaimDerivation(
        "C4",
        "OU limit at the optimum: stationary variance and relaxation rate",
        "Lemma 4 + Theorem 5 (poster Theorem 2, j = 1)",
        (
            _cmp("drift a (Jacobian of eq. (7) at e_1)", proc.a, (S.lam_i - S.lam1) / (1 - S.mu)),
            Item(
                "alpha_{i,j} forced by the noise of eq. (5): sqrt(E[Y_i^2 Y_j^2])",
                diff["alpha_ij"][0],
                sp.sqrt(diff["m4"]),
                proved=diff["alpha_ij"] == [sp.sqrt(diff["m4"])],
                note="confirms THEORY.md's reconstruction (the square root)",
            ),
            _cmp(
                "stationary variance of U_i",
                proc.stationary_variance,
                S.alpha_i1**2 / (2 * (1 - S.mu) * (S.lam1 - S.lam_i)),
            ),
            Item("transient variance Var U_i(t) from a fixed U_i(0)", proc.variance),
            _cmp("relaxation rate", proc.relaxation_rate, (S.lam1 - S.lam_i) / (1 - S.mu)),
            Item(
                "Lemma 4: C4's delay over C3's (same gamma)",
                ratio["ratio"],
                proved=ratio["limit_eta_0"] == 0 and ratio["below_one_for_eta_le_1"],
                note="-> 0 as eta -> 0: the SDE needs a smaller delay than the ODE",
            ),
            Item(
                "delay condition tau ~",
                delays.CONDITIONS["C4"].formula.expr,
                note="gamma in (0, 1/2]",
            ),
        ),
    )


def _phase(pt: phases.PhaseTime) -> Item:
    return Item(pt.name, pt.derived.expr, pt.printed, pt.comparison, note=pt.printed_source)


def _complexity(c: complexity.Complexity, extra: str = "") -> list[Item]:
    exps = ", ".join(f"{k}: {sp.sstr(v)}" for k, v in c.exponents.items())
    return [
        Item(c.name, c.derived, c.printed, c.comparison, note=f"exponents: {exps}{extra}"),
        Item(
            f"{c.name}: log argument after delta = c_delta sqrt(eta), eta = {c.choice.source}",
            c.log_after_choices,
        ),
    ]


def c5() -> ClaimDerivation:
    n3 = complexity.n3()
    t3 = phases.t3()
    omu_power = n3.exponents.get("1-mu")
    printed_power = compare_exponent(n3.printed, "1-mu")
    log_arg = n3.log_after_choices
    findings = [
        f"N3 carries (1-mu)^({sp.sstr(omu_power)}); the paper prints "
        f"(1-mu)^({sp.sstr(printed_power)})"
        + (" (the same)." if sp.simplify(omu_power - printed_power) == 0 else " (different)."),
    ]
    cmp = t3.comparison
    if cmp.kind == "log-argument":
        findings.append(
            f"T3's log argument is {sp.sstr(cmp.log_factor)} times the printed one: Markov's "
            "inequality at probability 3/4 needs E sum H_i^2 <= eps/4; the printed denominator "
            "(1-mu)(lambda_1-lambda_2) eps - 2 eta phi matches exactly that, the printed "
            "numerator lacks the factor."
        )
    elif cmp.kind != "identical":
        findings.append(f"T3: {cmp.text}")
    findings.append(
        "With eta = c_eta (1-mu) eps (lambda_1-lambda_2)/phi and delta = c_delta sqrt(eta) "
        f"the log's argument becomes {show_text(log_arg)}"
        + (": no longer a function of eps" if S.eps not in log_arg.free_symbols else "")
        + "; it is positive only for c_eta < 1/2."
    )
    return ClaimDerivation(
        "C5",
        "Phase III: time T3 to reach the eps-ball, complexity N3",
        "Proposition 6",
        (_phase(t3), *_complexity(n3)),
        tuple(findings),
    )


def c6() -> ClaimDerivation:
    r = complexity.remark7_ratio()
    hat, tilde = complexity.n3_async_sgd(), complexity.n3_msgd()
    faster = r["faster_when"].intersect(sp.Interval.Lopen(0, sp.Rational(1, 2)))
    return ClaimDerivation(
        "C6",
        "Remark 7: Async-SGD (mu = 0) versus MSGD in Phase III",
        "Remark 7",
        (
            *_complexity(hat),
            Item(tilde.name, tilde.derived, tilde.printed, tilde.comparison),
            Item(
                "N3_hat / N3_tilde (monomials)",
                r["ratio"],
                note=f"power of eps: {sp.sstr(r['eps_power'])}",
            ),
        ),
        (
            f"N3_hat/N3_tilde ~ eps^({sp.sstr(r['eps_power'])}): Async-SGD is faster as eps -> 0 "
            f"only for gamma in {interval_text(faster)}; "
            f"at gamma = 1/2 the ratio is {sp.sstr(r['ratio_at_gamma_half'])}, so it is not"
            " faster.",
            "The comparison counts tau asynchronous updates as one iteration, so the speed-up "
            "is built into N = T/(tau eta).",
        ),
    )


def c7() -> ClaimDerivation:
    t2 = phases.t2()
    cmp = t2.comparison
    finding = (
        "From H_1(0)^2 = delta^2 to H_1^2 = 1 - delta^2 the ODE of Theorem 3 takes "
        f"T2 = {show_text(t2.derived.expr)}: {cmp.text} (printed)."
    )
    return ClaimDerivation(
        "C7",
        "Phase II: traverse time T2 (from the ODE), complexity N2",
        "Proposition 8",
        (_phase(t2), *_complexity(complexity.n2())),
        (finding,),
    )


def c8() -> ClaimDerivation:
    proc = ou.theorem9()
    unstable = sp.simplify(proc.a.subs({S.lam_i: S.lam_j + S.gap, S.mu: 1 - S.omu})).is_positive
    return ClaimDerivation(
        "C8",
        "OU limit at a saddle e_j: unstable in the directions with lambda_i > lambda_j",
        "Theorem 9 (poster Theorem 2)",
        (
            _cmp("drift a (Jacobian of eq. (7) at e_j)", proc.a, (S.lam_i - S.lam_j) / (1 - S.mu)),
            Item("a > 0 when lambda_i > lambda_j (unstable)", proc.a, proved=bool(unstable)),
            Item("Var U_i(t) from U_i(0) = 0", ou.saddle_variance_formula().expr),
            Item("P(|U_i(t)| >= c)", ou.saddle_escape_probability().expr),
        ),
    )


def c9() -> ClaimDerivation:
    return ClaimDerivation(
        "C9",
        "Phase I: escape time T1 from a saddle, complexity N1",
        "Proposition 10",
        (
            Item(
                "Phi^{-1}((1+nu)/2) = sqrt(2) erfcinv(1-nu)",
                phases.normal_quantile_identity(),
                proved=phases.normal_quantile_identity() == 0,
            ),
            _phase(phases.t1()),
            *_complexity(complexity.n1()),
        ),
        (
            "With delta = c_delta sqrt(eta) the log in T1 and N1 no longer depends on eta or eps: "
            "Phase I's cost comes entirely from 1/(tau eta).",
        ),
    )


def c10() -> ClaimDerivation:
    tr = complexity.tradeoff()
    n_async = complexity.poster_n_async()
    poster_power = compare_exponent(n_async, "1-mu")
    powers = {c.name: c.exponents.get("1-mu", 0) for c in (complexity.n1(), complexity.n3())}
    worst = min(powers, key=lambda k: float(powers[k].subs(S.gamma, sp.Rational(1, 4))))
    return ClaimDerivation(
        "C10",
        "The tradeoff: larger momentum forces a smaller delay; linear speed-up in tau",
        "Remark 11, poster conclusion",
        (
            Item(
                "d tau/d mu at C4's delay scale",
                tr["dtau_dmu"],
                proved=bool(tr["dtau_dmu_negative"]),
                note="negative for mu in [0, 1)",
            ),
            Item(
                "d log N / d log tau",
                tr["speedup_in_tau"],
                sp.Integer(-1),
                proved=tr["speedup_in_tau"] == -1,
            ),
            _cmp("poster N_async vs derived N1", complexity.n1().derived, n_async),
            _cmp("poster N_async vs derived N3", complexity.n3().derived, n_async),
        ),
        (
            f"The poster's N_async has (1-mu)^({sp.sstr(poster_power)}); the derived powers of "
            "(1-mu) are "
            + ", ".join(f"{k}: {sp.sstr(v)}" for k, v in powers.items())
            + f". As mu -> 1 the total is dominated by {worst}, so N_async "
            + (
                "matches it."
                if sp.simplify(powers[worst] - poster_power) == 0
                else "understates its dependence on momentum."
            ),
            "The linear speed-up is N = T/(tau eta) by definition (tau updates counted as one).",
        ),
    )


def c11() -> ClaimDerivation:
    cond = delays.CONDITIONS["C11"]
    return ClaimDerivation(
        "C11",
        "Random delays under a moment condition",
        "poster Remark 3",
        (
            Item(
                "condition on E tau_k ~",
                cond.formula.expr,
                note="gamma in (0, 1/2]; no proof "
                "is given; E1's jump-linear analysis and the simulator test it",
            ),
        ),
    )


BUILDERS: dict[str, Callable[[], ClaimDerivation]] = {
    "C1": c1,
    "C2": c2,
    "C3": c3,
    "C4": c4,
    "C5": c5,
    "C6": c6,
    "C7": c7,
    "C8": c8,
    "C9": c9,
    "C10": c10,
    "C11": c11,
}


def derive(claim: str) -> ClaimDerivation:
    return BUILDERS[claim]()
