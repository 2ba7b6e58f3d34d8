"""``asyncmsgd validity``: where a claim's delay-free prediction holds (issue 13).

Example::

    asyncmsgd validity --claim C4                        # the ci map, its fits, the figure
    asyncmsgd validity --claim C9 --profile full --json  # full size, as JSON
    asyncmsgd validity --claim C3 --mus 0,0.5,0.8 --etas 2e-3,1e-3 --distribution gaussian

For each (mu, eta) of the grid it measures E1's stability boundary tau_E1 and, by bisection on
tau with the simulator, the largest delay at which the claim's prediction still holds within
its check's statistical tolerance (``tau_valid_stat``) and within a 5 % band
(``tau_valid_band``), each with a 95 % interval (:mod:`checks.validity`); then fits
tau_valid ~ (1-mu)^a eta^-b and sets (a, b) beside the paper's condition and E1's boundary,
with the constant kappa at which the paper's condition (its ~ constant set to 1) would meet
the measured boundary. Claims that assume A2 (C4, C9) run on a bounded data model first and on
Gaussian data (outside A2) too.

Writes ``validity-CLAIM-PROFILE.json`` and ``validity-CLAIM-PROFILE.pdf`` (and ``.png``) into
``--out`` (default reports/build/validity of the project, which the report reads); the
simulations go through the store ``validity.sqlite`` there, so an interrupted map resumes.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from asyncmsgd.commands._paths import default_build

CLAIMS = ("C3", "C4", "C7", "C9", "C14", "C8")  # checks.validity.CLAIMS (light to import)
STORE_NAME = "validity.sqlite"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validity",
        help="validity maps: the largest delay at which a claim's prediction holds (issue 13)",
        description="Measure, on a grid of momenta and step sizes, the largest delay at which a "
        "claim's delay-free prediction still holds (within its check's statistical tolerance, "
        "and within a 5%% band), E1's stability boundary, and the fitted scaling "
        "tau_valid ~ (1-mu)^a eta^-b beside the paper's delay condition and E1's.",
    )
    p.add_argument("--claim", required=True, help="one of " + ", ".join(CLAIMS))
    p.add_argument("--mus", default=None, help="comma-separated momenta in [0, 1)")
    p.add_argument("--etas", default=None, help="comma-separated step sizes > 0")
    p.add_argument(
        "--distribution",
        default=None,
        help="comma-separated data models (default: the claim's; A2 claims add gaussian)",
    )
    p.add_argument(
        "--profile",
        default="ci",
        help="ci (4 momenta x 3 steps, minutes) or full (alias paper: 5 x 4, more runs)",
    )
    p.add_argument("--seed", default=None, help="root seed (default ASYNCMSGD_SEED or 20181203)")
    p.add_argument(
        "--out",
        type=Path,
        default=default_build() / "validity",
        help="output folder, also holding the result store (default: %(default)s)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="1: compute in this process (default); N > 1: a pool of N processes",
    )
    p.add_argument("--json", action="store_true", help="print the map as JSON")
    p.add_argument("--no-figure", action="store_true", help="do not draw the figure")
    p.set_defaults(func=run)


def _floats(text: str | None, name: str) -> list[float] | None:
    from theory.validation import ParameterError

    if text is None:
        return None
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ParameterError(name, text, "comma-separated numbers like 0,0.3,0.6") from None
    if not values:
        raise ParameterError(name, text, "at least one number")
    return values


def _claim(text: str) -> str:
    from theory.validation import ParameterError

    claim = text.strip().upper()
    if claim not in CLAIMS:
        raise ParameterError("claim", text, "one of " + ", ".join(CLAIMS))
    return claim


def _models(text: str | None, claim: str, profile_name: str) -> tuple[str, ...]:
    from checks.validity import MODELS
    from theory.distributions import get_model

    if text is None:
        return MODELS[profile_name][claim]
    names = tuple(dict.fromkeys(x.strip() for x in text.split(",") if x.strip()))
    for n in names:
        get_model(n)  # a clear error for an unknown model
    return names


def build(args: argparse.Namespace) -> tuple[dict[str, object], list, float]:
    """Validate, compute every map of the claim, and return (JSON object, maps, seconds)."""
    from asyncmsgd.commands._paths import out_dir
    from checks import validity as v
    from checks.experiments.common import package_versions
    from checks.profile import get_profile
    from simulate.backends import SerialBackend, make_backend
    from simulate.store import open_store
    from theory.validation import check_positive_int

    claim = _claim(args.claim)
    profile = get_profile(args.profile, args.seed)
    mus = _floats(args.mus, "mus")
    etas = _floats(args.etas, "etas")
    grid_mus, grid_etas = v.default_grid(profile)
    mus_, etas_ = v.check_grid(mus or grid_mus, etas or grid_etas)
    models = _models(args.distribution, claim, profile.name)
    workers = check_positive_int("workers", args.workers)
    out = out_dir(args.out)
    t0 = time.perf_counter()
    backend = SerialBackend() if workers == 1 else make_backend("processes", workers=workers)

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    with backend, open_store(out / STORE_NAME) as store:
        run = v.store_runner(store, backend)
        maps = [
            v.compute_map(
                claim, profile, mus=mus_, etas=etas_, distribution=m, runner=run, progress=say
            )
            for m in models
        ]
        where = v.kappa_point(maps[0]) if claim in v.A2_CLAIMS else None
        by_model = []
        if where is not None:
            say(f"{claim}: kappa on every bounded data model at mu = {where[0]}, eta = {where[1]}")
            by_model = v.kappa_by_model(claim, profile, *where, runner=run)
    seconds = time.perf_counter() - t0
    obj = dict(maps[0].as_dict())
    obj["kappa_by_model"] = by_model
    obj["models"] = [m.as_dict() for m in maps]
    obj["models"][0]["kappa_by_model"] = by_model
    obj["seed"] = profile.seed
    obj["wall_seconds"] = seconds
    obj["workers"] = workers
    argv = sys.argv[1:]
    obj["command"] = (
        "asyncmsgd " + " ".join(argv)
        if argv[:1] == ["validity"]
        else f"asyncmsgd validity --claim {claim} --profile {profile.name}"
    )
    obj["versions"] = package_versions()
    return obj, maps, seconds


def plot(obj: dict[str, object], path_without_suffix: Path) -> list[Path]:
    """tau_valid / tau_E1 against mu, one curve per eta, both senses, the paper's condition
    (constant 1, gamma -> 0) dashed in the same colour."""
    from reports.figures import new_figure, save

    fig, ax0 = new_figure(10.0, 4.0)
    fig.delaxes(ax0)
    axes = fig.subplots(1, 2, sharey=True)
    points = obj["points"]
    etas = sorted({p["eta"] for p in points}, reverse=True)
    colours = ["C0", "C1", "C2", "C3", "C4", "C5"]
    lowest = 1.0
    for ax, sense, title in zip(
        axes, ("band", "stat"), ("within a 5 % band", "within the check's tolerance"), strict=True
    ):
        for k, eta in enumerate(etas):
            col = colours[k % len(colours)]
            pts = sorted((p for p in points if p["eta"] == eta), key=lambda p: p["mu"])
            mus = [p["mu"] for p in pts]
            frac = [p["crossing"][sense] / max(p["tau_e1"], 1) for p in pts]
            lo = [
                f - (p["ci"][sense][0] or 0.0) / max(p["tau_e1"], 1)
                for f, p in zip(frac, pts, strict=True)
            ]
            hi = [
                (p["ci"][sense][1] / max(p["tau_e1"], 1) - f)
                if p["ci"][sense][1] is not None
                else 0.0
                for f, p in zip(frac, pts, strict=True)
            ]
            lowest = min([lowest, *[f for f in frac if f > 0]])
            ax.errorbar(mus, frac, yerr=[lo, hi], color=col, marker="o", capsize=3,
                        label=f"eta = {eta:g}")  # fmt: skip
            cens = [(m, f) for m, f, p in zip(mus, frac, pts, strict=True) if p["censored"][sense]]
            if cens:
                ax.plot(
                    *zip(*cens, strict=True), marker="^", linestyle="none", color=col, markersize=9
                )
            cond = [p["tau_condition"] for p in pts]
            if all(c is not None and c > 0 for c in cond):
                cf = [c / max(p["tau_e1"], 1) for c, p in zip(cond, pts, strict=True)]
                lowest = min([lowest, *cf])
                ax.plot(mus, cf, color=col, linestyle="--", linewidth=1)
        ax.axhline(1.0, color="k", linewidth=0.8)
        ax.set_xlabel("momentum mu")
        ax.set_yscale("log")
        ax.set_title(title, fontsize=10)
    axes[0].set_ylabel("tau_valid / tau_E1")
    axes[0].set_ylim(bottom=max(lowest / 2, 1e-4), top=1.5)
    axes[0].legend(fontsize=8, loc="lower left")
    label = obj.get("label", "")
    cond = obj.get("paper_exponents")
    note = (
        "dashed: the paper's condition (constant 1, gamma -> 0) / tau_E1"
        if cond
        else "no delay condition stated (synchronous claim)"
    )
    fig.suptitle(
        f"{obj['claim']}: {obj.get('title', '')}, {obj['distribution']} data ({label}); {note}",
        fontsize=9,
    )
    return save(fig, path_without_suffix)


def _fmt_ci(ci: list) -> str:
    lo, hi = ci
    return f"[{lo:.3g}, {'inf' if hi is None or not math.isfinite(hi) else f'{hi:.3g}'}]"


def _where(rows: list) -> str:
    return ", ".join(f"(mu {r['mu']:g}, eta {r['eta']:g})" for r in rows)


def _points(n: int, what: str) -> str:
    return f"{n} {what} point{'' if n == 1 else 's'}"


def kappa_line(k: dict[str, object], sense: str = "band") -> str:
    """The kappa line of a map (:meth:`checks.validity.ValidityMap.kappa`), censoring included:
    the smallest kappa over the uncensored points, the interval the censored points leave for
    the grid's kappa, and whether the paper's condition at constant 1 is inside the measured
    region (``inside``), not inside (``outside``) or undecided."""
    status = k.get("status")
    if status is None:  # no condition, or C_d = inf
        return f"  kappa: {k['note']}"
    head = f"  kappa ({sense}): "
    if k.get("value") is not None:
        head += (
            f"{k['value']:.3g} {_fmt_ci(k['ci'])} at mu = {k['at']['mu']:g}, eta = "
            f"{k['at']['eta']:g}"
        )
        if k["censored_points"]:
            head += f" (the smallest over the {_points(k['uncensored_points'], 'uncensored')})"
    else:
        head += "every point censored"
    lo, hi = k["bounds"]
    if k["censored_points"]:
        cens = f"; the {_points(k['censored_points'], 'censored')} (valid up to the cap, kappa "
        if k.get("value") is not None and math.isclose(lo, hi) and math.isclose(hi, k["value"]):
            head += cens + "a lower bound there) do not lower it"
        else:
            hi_text = "inf" if hi is None or not math.isfinite(hi) else f"{hi:.3g}"
            head += cens + f"a lower bound there) leave the grid's kappa in [{lo:.3g}, {hi_text}]"
    if status == "inside":
        return head + ": the condition at constant 1 is inside the measured region"
    if status == "outside":
        cens = [r for r in k["outside_at"] if r["censored"]]
        why = f" (it exceeds E1's stability boundary at {_where(cens)})" if cens else ""
        return head + f": the condition at constant 1 is NOT inside the measured region{why}"
    return head + (
        ": undecided whether the condition at constant 1 is inside the measured region (it "
        f"exceeds the searched range at the censored {_where(k['undecided_at'])})"
    )


def _print(obj: dict[str, object], seconds: float, files: list[Path]) -> None:
    for m in obj["models"]:
        print(
            f"{m['claim']} validity map: {m['title']}; quantity: {m['quantity']}; "
            f"{m['distribution']} data ({m['label']}"
            + (f", C_d = {m['C_d']:.4g}" if m["C_d"] else "")
            + f"); {m['runs']} paired runs per cell, the check's tolerance at "
            f"{m['check_runs']} runs"
        )
        print(
            f"  {'mu':>5s} {'eta':>8s} {'tau_E1':>7s} {'stat':>5s} {'95% CI':>14s} "
            f"{'band':>5s} {'95% CI':>14s} {'cond':>7s} {'kappa':>7s}"
        )
        # '+': censored (valid up to the searched cap 0.9 tau_E1): tau_valid and kappa are
        # lower bounds there
        for p in m["points"]:
            kap = p["kappa"]["band"]
            cond = p["tau_condition"]
            print(
                f"  {p['mu']:>5.2f} {p['eta']:>8.2g} {p['tau_e1']:>7d} "
                f"{p['tau_valid_stat']:>4d}{'+' if p['censored']['stat'] else ' '} "
                f"{_fmt_ci(p['ci']['stat']):>14s} "
                f"{p['tau_valid_band']:>4d}{'+' if p['censored']['band'] else ' '} "
                f"{_fmt_ci(p['ci']['band']):>14s} "
                f"{'-' if cond is None else f'{cond:.3g}':>7s} "
                f"{'-' if kap is None else f'{kap:.3g}':>7s}"
                f"{'+' if kap is not None and p['censored']['band'] else ''}"
            )
        for sense in ("band", "stat"):
            f = m[f"fit_{sense}"]
            a, b = f["exponent_mu"], f["exponent_eta"]
            if a["value"] is None:
                print(f"  fit ({sense}): not enough uncensored points")
                continue
            print(
                f"  fit ({sense}): tau_valid ~ (1-mu)^{a['value']:.2f} {_fmt_ci(a['ci'])} "
                f"eta^-{b['value']:.2f} {_fmt_ci(b['ci'])} (95% CI; chi2/dof "
                f"{f['chi2_dof'] if f['chi2_dof'] is not None else float('nan'):.2g})"
            )
        e1 = m["e1_exponents"]
        if e1.get("mu") is None or e1.get("eta") is None:  # a grid too small to fit
            print("  E1's boundary: no fit (too few points)")
        else:
            print(f"  E1's boundary: (1-mu)^{e1['mu']:.2f} eta^-{e1['eta']:.2f}")
        pe = m["paper_exponents"]
        if pe:
            print(
                f"  the paper's condition ({pe['source']}): {pe['condition']}, gamma -> 0: "
                f"(1-mu)^{pe['mu']:g} eta^-{pe['eta']:g} (eta power in "
                f"[{pe['eta_range'][0]:g}, {pe['eta_range'][1]:g}] over gamma)"
            )
            k = m["kappa"]["band"]
            print(kappa_line(k))
            for row in m.get("kappa_by_model") or []:
                b = row["band"]
                print(
                    f"  kappa (band) on {row['distribution']} (C_d = {row['C_d']:.4g}) at mu = "
                    f"{row['mu']:g}, eta = {row['eta']:g}: {b['kappa']:.3g} "
                    f"{_fmt_ci(b['kappa_ci'])}"
                )
            beyond = k.get("condition_beyond_e1") or []
            if beyond:
                where = ", ".join(f"(mu {b['mu']:g}, eta {b['eta']:g})" for b in beyond)
                print(f"  the condition at constant 1 exceeds E1's stability boundary at {where}")
        else:
            print("  the claim states no delay condition (synchronous)")
        print()
    print(f"{seconds:.1f} s; wrote " + ", ".join(str(f) for f in files))


def run(args: argparse.Namespace) -> int:
    from asyncmsgd.commands._json import dumps
    from checks.experiments.common import json_clean, write_json

    obj, _maps, seconds = build(args)
    obj = json_clean(obj)  # inf and nan as None, as in the file
    name = f"validity-{obj['claim']}-{obj['profile']}"
    out = Path(args.out)
    files = [write_json(out / f"{name}.json", obj)]
    if not args.no_figure:
        files += plot(obj, out / name)
    if args.json:
        print(dumps(obj))
    else:
        _print(obj, seconds, files)
    return 0
