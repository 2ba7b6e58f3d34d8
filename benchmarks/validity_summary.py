"""Markdown tables of the validity maps (issue 13) from the files ``asyncmsgd validity`` wrote:
per claim the map (mu, eta, tau_E1, tau_valid_stat and tau_valid_band with their 95 %
intervals, the paper's condition at constant 1, kappa), the fits beside the paper's and E1's
exponents, and kappa on every bounded data model.

Usage: ``python benchmarks/validity_summary.py [--profile ci|full] [--dir DIR]``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = ("C3", "C4", "C7", "C9", "C14", "C8")


def _ci(ci) -> str:
    lo, hi = ci
    return f"[{lo:.3g}, {'inf' if hi is None else f'{hi:.3g}'}]"


def _num(x, fmt=".3g") -> str:
    return "-" if x is None else format(x, fmt)


def _fit(f: dict) -> str:
    a, b = f["exponent_mu"], f["exponent_eta"]
    if a["value"] is None:
        return "not enough uncensored points"
    return (
        f"(1-mu)^{a['value']:.2f} {_ci(a['ci'])} eta^-{b['value']:.2f} {_ci(b['ci'])}"
        f" (chi2/dof {_num(f['chi2_dof'], '.2g')}, {f['points_used']} points)"
    )


def table(d: dict) -> list[str]:
    out = [
        f"**{d['claim']}** ({d['title']}; {d['distribution']} data, {d['label']}"
        + (f", C_d = {d['C_d']:.4g}" if d.get("C_d") else "")
        + f"; {d['runs']} paired runs per cell)",
        "",
        "| mu | eta | tau_E1 | tau_valid_stat [95% CI] | tau_valid_band [95% CI] | "
        "condition (const 1) | kappa (band) |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in d["points"]:
        cs = "+" if p["censored"]["stat"] else ""
        cb = "+" if p["censored"]["band"] else ""
        out.append(
            f"| {p['mu']:g} | {p['eta']:g} | {p['tau_e1']} | {p['tau_valid_stat']}{cs} "
            f"{_ci(p['ci']['stat'])} | {p['tau_valid_band']}{cb} {_ci(p['ci']['band'])} | "
            f"{_num(p['tau_condition'])} | {_num(p['kappa']['band'])} |"
        )
    out += [
        "",
        f"- fit, band: {_fit(d['fit_band'])}",
        f"- fit, stat: {_fit(d['fit_stat'])}",
        "- E1's boundary: "
        f"(1-mu)^{d['e1_exponents']['mu']:.2f} eta^-{d['e1_exponents']['eta']:.2f}",
    ]
    pe = d.get("paper_exponents")
    if pe:
        out.append(
            f"- the paper's condition ({pe['source']}): (1-mu)^{pe['mu']:g} eta^-{pe['eta']:g} "
            f"at gamma -> 0 (eta power {pe['eta_range'][0]:g}..{pe['eta_range'][1]:g} over gamma)"
        )
        k = d["kappa"]["band"]
        if k.get("value") is not None:
            out.append(f"- kappa (band): {k['value']:.3g} {_ci(k['ci'])} at {k['at']}")
        else:
            out.append(f"- kappa: {k.get('note')}")
        for row in d.get("kappa_by_model") or []:
            b = row["band"]
            out.append(
                f"- kappa (band) on {row['distribution']} (C_d = {row['C_d']:.4g}): "
                f"{b['kappa']:.3g} {_ci(b['kappa_ci'])}"
            )
    else:
        out.append("- no delay condition (the MSGD paper is synchronous)")
    out.append(f"- max delay simulated / tau_E1: {d['max_delay_fraction']:.2f}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="ci")
    ap.add_argument("--dir", type=Path, default=ROOT / "reports" / "build" / "validity")
    args = ap.parse_args()
    for claim in CLAIMS:
        path = args.dir / f"validity-{claim}-{args.profile}.json"
        if not path.exists():
            continue
        obj = json.loads(path.read_text())
        for m in obj.get("models", [obj]):
            if m is obj["models"][0]:
                m = {**m, "kappa_by_model": obj.get("kappa_by_model")}
            print("\n".join(table(m)))
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
