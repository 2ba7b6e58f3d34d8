"""Every term the report uses, defined once (issue 15, Build 4): symbols, the evidence columns,
the comparison vocabulary of :mod:`theory.compare`, and the words of the verdict rule.

Definitions are plain text, typeset by :mod:`reports.prose` like the rest of the report (so the
notation is the same: Greek letters, subscripts). The verdicts and the rule's rows come from
:mod:`checks.verdict` itself (its ``MEANING`` and ``RULES``), so the glossary cannot drift
from the rule the claims are decided by.
"""

from __future__ import annotations

from reports.prose import NOISE, SIGNIFICANT

SYMBOLS: tuple[tuple[str, str], ...] = (
    (
        r"$\Sigma$, $\lambda_i$",
        "the data covariance E[X X^T] and its eigenvalues, lambda_1 > "
        "lambda_2 >= lambda_3 >= lambda_4 (A1; the checks use a diagonal Sigma with d = 4)",
    ),
    (
        r"$\mu$, $\eta$, $\tau$",
        "momentum, step size, delay (tau_k: the delay of update k; tau = 0 is synchronous MSGD)",
    ),
    (
        r"$v_k$, $h$, $H(t)$",
        "the iterate of eq. (5), its eigen-coordinates h = Q^T v, and the "
        "ODE solution of Theorem 3 (H_i(t) its i-th coordinate)",
    ),
    (r"$U_i$", "the rescaled error h_i/sqrt(eta) of the diffusion limits (Theorems 5 and 9)"),
    (
        r"$\alpha_{i,j}$, $\phi$",
        "alpha_{i,j} = sqrt(E[Y_i^2 Y_j^2]) (Y = Q^T X), the diffusion "
        "coefficient; phi = sum_j alpha_{1,j}^2",
    ),
    (
        r"$m_4$",
        "the fourth mixed moment E[Y_i^2 Y_j^2] of the data, whose square root is "
        "alpha_{i,j} (C4's derivation)",
    ),
    (r"$C_d$", "the bound of A2 on the data (||X|| <= C_d as printed; C1 reads it both ways)"),
    (
        r"$\delta$, $\epsilon$, $\nu$, $\gamma$",
        "the phase threshold (delta ~ sqrt(eta)), the "
        "target accuracy of Phase III, the failure probability of Proposition 10, the exponent of "
        "the delay conditions",
    ),
    (
        r"$c_\eta$, $c_\delta$",
        "the constants hidden in eta ~ (1-mu) eps (lambda_1-lambda_2)/phi "
        "and delta ~ sqrt(eta): eta = c_eta (1-mu) eps (lambda_1-lambda_2)/phi, delta = c_delta "
        "sqrt(eta)",
    ),
    (r"$z_\nu$", "the normal quantile Phi^{-1}((1+nu)/2) of Proposition 10"),
    (
        r"$T_1$, $T_2$, $T_3$",
        "the times of Phase I (escaping the saddle), Phase II (traversing) "
        "and Phase III (converging), in units t = k eta",
    ),
    (r"$N_1$, $N_2$, $N_3$", "the effective iteration counts T/(tau eta) of the three phases"),
    (
        r"$G(r)$, $r_{\max}$",
        "G(r): the largest ||(I - w w^T) X X^T w||/||X||^2 over the angle "
        "at ||w|| = r; r_max: the largest ||v_k|| the runs reached (C1's derived step bound)",
    ),
    (
        r"$\tau_{\max}$",
        "E1's exact stability boundary: the largest constant delay at which the "
        "linearised recursion of eq. (5) at the optimum is stable",
    ),
    (
        r"$W$, ps:$W$",
        "the number of workers; ps:W, the parameter-server delay model (mean delay W - 1)",
    ),
)

COLUMNS: tuple[tuple[str, str], ...] = (
    (
        "printed",
        "paper: the printed form is the paper's text as docs/THEORY.md transcribes it; recon.: "
        "docs/THEORY.md could not read it with certainty and reconstructs it (the card says what)",
    ),
    (
        "compared with",
        "th., a theory value (the paper's or derived); bound, the threshold of an inequality; "
        "ref., a threshold or another measurement to lie significantly above or below (the label "
        "says which)",
    ),
    (
        "measured",
        "the estimate (a mean, a fitted slope, a value extrapolated to eta -> 0, a fraction of "
        "runs); it links to its result file",
    ),
    ("SE", "its standard error over independent runs (blank: a deterministic item)"),
    ("95 % CI", "measured +- 1.96 SE, or (b) the check's own 95% bootstrap interval"),
    ("n", "the independent runs (seeds, repeats) behind each measured point"),
    (
        "accept",
        "the item holds when the measured m and the compared t satisfy it: +- tol, |m - t| <= "
        "tol; <= t + tol or >= t - tol, one-sided; > t + tol or < t - tol, significantly above "
        "or below; tol = z SE (+ a stated bias bound), its source under the table",
    ),
    (
        "z",
        "the Bonferroni z for 400 assertions per suite run (a true claim fails a run with "
        "probability below 1e-3)",
    ),
    (
        "MDD",
        "minimum detectable deviation: the smallest error in the theory value the item rejects "
        "with probability 0.9, tol + 1.2816 SE, relative unless the theory is 0 (*: computed by "
        "the report; the check records none)",
    ),
    (
        "numbers",
        f"{SIGNIFICANT} significant digits; magnitudes below {NOISE:g} (floating-point noise) "
        "are shown as 0",
    ),
)

COMPARISONS: tuple[tuple[str, str], ...] = (
    ("identical", "derived and printed forms are the same expression"),
    ("constant-factor", "derived = c x printed for a constant c (given)"),
    (
        "log-argument",
        "the prefactors agree up to a constant and the arguments of the log "
        "differ by a factor: the same leading order as the argument grows, not equal",
    ),
    ("up-to-log-factor", "the printed form omits a log factor the derived one has"),
    (
        "different-scaling",
        "derived/printed grows or shrinks as a power of a parameter (the powers are given)",
    ),
    ("different", "any other difference (a sign, a different form)"),
    ("proved", "a symbolic identity SymPy proves (its residual simplifies to 0)"),
)

ORIGINS: tuple[tuple[str, str], ...] = (
    ("claim", "an evidence item that tests a statement of the claim: it can set the verdict"),
    (
        "toolkit",
        "a result of the toolkit's own that the check rests on (an identity, a "
        "derivation set against the simulator): if it fails, the claim is inconclusive",
    ),
    (
        "interpretation",
        "a reading of the toolkit's that the claim does not state: it adds a "
        "finding, never the verdict",
    ),
    (
        "form",
        "exact (an equality or a limit), asymptotic (~, O(.)), bound (an inequality), "
        "direction (faster, falls) or reported (a number from an experiment)",
    ),
    ("reading", "one way to read an ambiguous statement (decided once per reading)"),
    (
        "control",
        "a deliberately wrong theory judged by the same tolerance: it must be rejected "
        "(a near miss sits at about twice the check's MDD)",
    ),
)


def sections() -> list[tuple[str, tuple[tuple[str, str], ...], bool]]:
    """(title, entries, whether the terms are LaTeX already)."""
    return [
        ("Symbols", SYMBOLS, True),
        ("The evidence tables", COLUMNS, False),
        ("The comparison vocabulary (derived against printed)", COMPARISONS, False),
        ("Evidence items", ORIGINS, False),
    ]
