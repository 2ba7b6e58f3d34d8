"""``asyncmsgd stability``: E1, the exact delay boundary and stationary error of eq. (5).

``asyncmsgd stability --mu 0.9 --eta 5e-4 --sigma 4,3,2,1 [--delay constant|uniform|geometric]
[--distribution gaussian|...] [--delays 0,10,20] [--json]`` prints each mode's c and boundary,
the binding mode, the overall tau_max and the predicted stationary error at tau = 0 and below
the boundary, to second order (``stationary_error``, :mod:`theory.second_order`) and to first
order (``stationary_error_first_order``, E1's closure). ``--figure1`` prints the Figure 1 (C12)
comparison; it fixes the setting, so --mu, --eta, --sigma, --delays and a random --delay are
refused with it.
"""

from __future__ import annotations

import argparse
import math

from asyncmsgd.commands import UsageError
from asyncmsgd.commands._common import dump_json, parse_sigma
from theory import random_delays as rd
from theory import stability as st
from theory.distributions import MODELS
from theory.validation import ParameterError, check_tau


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "stability",
        help="E1: each mode's exact delay boundary and the stationary error (linearised eq. (5))",
        description="Linearise eq. (5) at the optimum mode by mode (radial and tangential), and "
        "give each mode's exact delay-stability boundary, the binding mode, and the predicted "
        "stationary error E||h - e_1||^2 below the boundary. Random delays (C11) use the "
        "mean-square stability of the jump linear system. --figure1 sets the prediction beside "
        "the paper's Figure 1 (C12).",
    )
    # defaults are applied in run(), so that options --figure1 does not use can be refused
    p.add_argument("--mu", default=None, help="momentum mu in [0, 1) (default 0.9)")
    p.add_argument("--eta", default=None, help="step size eta > 0 (default 5e-4)")
    p.add_argument(
        "--sigma",
        default=None,
        help="eigenvalues of Sigma (comma-separated) or a matrix file (default 4,3,2,1)",
    )
    p.add_argument(
        "--delay",
        choices=st.FAMILIES,
        default=None,
        help="delay law: constant tau, uniform on {0..T}, or geometric with a given mean "
        "(untruncated); the boundary is in that parameter (default constant)",
    )
    p.add_argument(
        "--distribution",
        choices=sorted(MODELS),
        default="gaussian",
        help="data model, for alpha_{i,j} (default gaussian)",
    )
    p.add_argument(
        "--delays",
        default=None,
        help="comma-separated delay parameters for the stationary error (default: 0 and "
        "fractions of the boundary)",
    )
    p.add_argument("--figure1", action="store_true", help="the Figure 1 (C12) comparison")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


DEFAULTS = {"mu": "0.9", "eta": "5e-4", "sigma": "4,3,2,1", "delay": "constant"}
# options that --figure1 does not use (it fixes Figure 1's setting), with the reason
FIGURE1_FIXED = {
    "mu": "it runs Figure 1's five momenta 0.7, 0.8, 0.85, 0.9, 0.95",
    "eta": "it uses Figure 1's eta = 5e-4",
    "sigma": "it uses Figure 1's Sigma = diag(4, 3, 2, 1)",
    "delays": "it reports the boundary and the level at tau = 0 only",
}


def _refuse_unused(args: argparse.Namespace) -> None:
    """--figure1 fixes the setting: an option it would ignore is a usage error, not a no-op."""
    for name, why in FIGURE1_FIXED.items():
        if getattr(args, name) is not None:
            raise UsageError(f"--{name} does not apply with --figure1 ({why}); drop --{name}")
    if args.delay not in (None, "constant"):
        raise UsageError(
            f"--delay {args.delay} does not apply with --figure1 (the paper's constant-delay "
            "experiment); drop --delay"
        )


def _with_defaults(args: argparse.Namespace) -> argparse.Namespace:
    out = argparse.Namespace(**vars(args))
    for name, value in DEFAULTS.items():
        if getattr(out, name) is None:
            setattr(out, name, value)
    return out


def _delays(text: str | None, an: st.Analysis) -> list[int]:
    if text is None:
        return an.default_delays()
    try:
        values = [check_tau(x.strip(), "delays") for x in text.split(",") if x.strip()]
    except ParameterError:
        raise ParameterError("delays", text, "comma-separated integers >= 0 like 0,10,20") from None
    return sorted(set(values))


def _fmt(x: float) -> str:
    return "inf" if not math.isfinite(x) else f"{x:.4g}"


def _comparison(an: st.Analysis) -> rd.DelayComparison | None:
    if an.family == "constant":
        return None
    return rd.compare_with_constant(an.mu, an.binding.c, an.family)


def _report(args: argparse.Namespace) -> dict[str, object]:
    problem = parse_sigma(args.sigma)
    an = st.analyse(problem, args.distribution, args.eta, args.mu, args.delay)
    delays = _delays(args.delays, an)
    errors = {t: an.error(t) for t in delays}
    levels = {t: an.second_order(t) for t in delays}
    comp = _comparison(an)
    out: dict[str, object] = {
        "setting": {
            "mu": an.mu,
            "eta": an.eta,
            "eigenvalues": [float(x) for x in problem.eigenvalues],
            "distribution": an.data.name,
            "delay": an.family,
            "delay_parameter": st.PARAMETER_MEANING[an.family],
        },
        "tau_max": int(an.tau_max),
        "binding_mode": an.binding_mode,
        "modes": [m.as_dict() for m in an.modes],
        "stationary_error": {str(t): lv.second_order for t, lv in levels.items()},
        "stationary_error_first_order": {str(t): e.total for t, e in errors.items()},
        "stationary_error_detail": {str(t): e.as_dict() for t, e in errors.items()},
        "stationary_error_second_order_detail": {str(t): lv.as_dict() for t, lv in levels.items()},
        "closure_tau_max": an.closure_tau_max(),
        "error_metric": "E||h - e_1||^2 = sum_{i>=2} E h_i^2 + E (h_1 - 1)^2, the simulator's "
        "stationary_error record; stationary_error: second order (theory.second_order, "
        "O(eta^2)-accurate), stationary_error_first_order: E1's closure (multiplicative noise "
        "only, O(eta)-accurate); stationary_error_detail is the first-order closure's",
    }
    if comp is not None:
        out["comparison_with_constant"] = {
            "boundary_parameter": comp.boundary_parameter,
            "mean_delay_at_boundary": comp.boundary_mean,
            "mean_system_boundary": comp.mean_system_parameter,
            "constant_tau_max": comp.constant_tau_max,
            "verdict": comp.verdict,
        }
    return out


def _print_report(r: dict[str, object]) -> None:
    s = r["setting"]
    eig = ", ".join(f"{x:g}" for x in s["eigenvalues"])
    print(
        f"E1, eq. (5) linearised at the optimum: mu = {s['mu']:g}, eta = {s['eta']:g}, "
        f"eigenvalues {eig}, data {s['distribution']}, {s['delay']} delay "
        f"(tau_max is {s['delay_parameter']})"
    )
    print()
    print(f"  {'mode':14s} {'c':>10s} {'noise/step':>12s} {'tau_max':>8s}")
    for m in r["modes"]:
        noise = "2nd order" if m["noise_var"] == 0 else f"{m['noise_var']:.3g}"
        print(f"  {m['name']:14s} {m['c']:>10.4g} {noise:>12s} {m['tau_max']:>8d}")
    print()
    if r["tau_max"] < 0:
        print(
            f"binding mode: {r['binding_mode']} (the largest c); tau_max = -1: unstable even "
            "without delay (the heavy-ball condition c < 2 (1 + mu) fails)"
        )
    else:
        print(
            f"binding mode: {r['binding_mode']} (the largest c); tau_max = {r['tau_max']}; "
            f"with the radial mode's multiplicative noise the error stays finite up to "
            f"{r['closure_tau_max']}"
        )
    if "comparison_with_constant" in r:
        c = r["comparison_with_constant"]
        print(
            f"random vs constant delay (binding mode): mean-square boundary at parameter "
            f"{c['boundary_parameter']} (mean delay {c['mean_delay_at_boundary']:g}); constant "
            f"tau_max {c['constant_tau_max']}: {c['verdict']}"
        )
    print()
    print("predicted stationary error E||h - e_1||^2 (the simulator's stationary_error):")
    print(
        f"  {'delay':>6s} {'2nd order':>11s} {'1st (E1)':>11s} {'2nd/1st-1':>10s} "
        f"{'tangential':>11s} {'radial':>11s}  (tangential, radial: first order)"
    )
    for t, e in r["stationary_error_detail"].items():
        second = r["stationary_error"][t]
        rel = r["stationary_error_second_order_detail"][t]["relative_correction"]
        rel_text = f"{rel:+.2%}" if math.isfinite(rel) else "-"
        print(
            f"  {t:>6s} {_fmt(second):>11s} {_fmt(e['total']):>11s} {rel_text:>10s} "
            f"{_fmt(e['tangential']):>11s} {_fmt(e['radial']):>11s}"
        )


def _figure1(args: argparse.Namespace) -> dict[str, object]:
    # the paper's values live with their claim (C12); C12's verdict judges the comparison
    from checks.claims.c12_figure1 import PAPER

    _refuse_unused(args)
    tab = st.figure1(args.distribution)
    mus = [r.mu for r in tab.rows]
    paper = {m: PAPER.optimal_delays[m] for m in mus}
    return {
        "setting": {
            "eigenvalues": list(st.FIGURE1_EIGENVALUES),
            "eta": st.FIGURE1_ETA,
            "distribution": tab.distribution,
            "delay": "constant",
        },
        "rows": [
            {
                "mu": r.mu,
                "tau_max": r.tau_max,
                "tau_crossing": r.tau_crossing,
                "asymptote": r.asymptote,
                "onset": r.onset,
                "tangential_tau_max": r.tangential_tau_max,
                "paper": paper[r.mu],
                "paper_scaling": PAPER.law(r.mu),
                "binding_mode": r.binding_mode,
                "error_at_zero": r.error_at_zero,
                "error_at_zero_second_order": r.error_at_zero_second_order,
            }
            for r in tab.rows
        ],
        "fitted_exponents": {
            **tab.exponents(),
            "paper": st.fit_exponent(mus, list(paper.values())),
            "paper_scaling": st.fit_exponent(mus, [PAPER.law(m) for m in mus]),
        },
        "ratio_to_paper": {m: r.tau_max / paper[m] for m, r in zip(mus, tab.rows, strict=True)},
    }


def _print_figure1(f: dict[str, object]) -> None:
    s = f["setting"]
    print(
        f"Figure 1 (C12): d = 4, Sigma = diag(4,3,2,1), eta = {s['eta']:g}, data "
        f"{s['distribution']}, constant delay; predicted = E1's exact tau_max (binding mode)"
    )
    print()
    head = (
        f"  {'mu':>5s} {'predicted':>9s} {'crossing':>9s} {'2-term':>7s} {'onset':>6s} "
        f"{'paper':>6s} {'120((1-mu)/.3)^2':>17s} {'tangential':>10s} {'err(0)':>7s} "
        f"{'2nd':>7s}  binding"
    )
    print(head)
    for r in f["rows"]:
        print(
            f"  {r['mu']:>5.2f} {r['tau_max']:>9d} {r['tau_crossing']:>9.2f} "
            f"{r['asymptote']:>7.1f} {r['onset']:>6d} {r['paper']:>6d} "
            f"{r['paper_scaling']:>17.1f} {r['tangential_tau_max']:>10d} "
            f"{r['error_at_zero']:>7.4f} {r['error_at_zero_second_order']:>7.4f}  "
            f"{r['binding_mode']}"
        )
    e = f["fitted_exponents"]
    print()
    print(
        "fitted exponent of (1-mu) (least squares, log tau vs log(1-mu), 5 points): "
        f"predicted {e['predicted']:.2f}, crossing {e['crossing']:.2f}, paper's reported "
        f"{e['paper']:.2f}, paper's (1-mu)^2 scaling {e['paper_scaling']:.2f}"
    )
    ratios = f["ratio_to_paper"]
    print(
        "predicted tau_max / the paper's optimal delay: "
        + ", ".join(f"{v:.2f}" for v in ratios.values())
        + " (C12's verdict judges the paper's numbers: asyncmsgd verify --claims C12)"
    )
    print(
        "columns: crossing = real-valued first crossing delay tau_0 (tau_max = largest integer "
        "below it); 2-term = pi(1-mu)/(2c) + 1/2 - 1/(1-mu); onset = delay at which the "
        "predicted error doubles; tangential = smallest tangential-mode tau_max; err(0) = "
        "E1's predicted E||h - e_1||^2 at tau = 0 (first order), 2nd = the same to second order"
    )


def run(args: argparse.Namespace) -> int:
    if args.figure1:
        f = _figure1(args)  # refuses the options it does not use
        if args.json:
            print(dump_json(f))
        else:
            _print_figure1(f)
        return 0
    args = _with_defaults(args)
    r = _report(args)
    if args.json:
        print(dump_json(r))
    else:
        _print_report(r)
    return 0
