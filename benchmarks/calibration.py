"""Calibration of the verification suite, measured (issue 14): every statistical assertion of the
ci suite under many root seeds.

    python benchmarks/calibration.py                       # 50 seeds, 2 worker processes
    python benchmarks/calibration.py --seeds 50 --workers 2 --claims C1,C2
    python benchmarks/calibration.py --seeds 3 --claims C4 --out /tmp/calib   # a smoke run

The root seeds are ``SeedSequence(20181203).spawn(K)`` (:func:`checks.seeds.spawn_roots`), the
same ones ``asyncmsgd verify --seeds K`` uses; every check result is cached (claim, check, seed,
code fingerprint), so an interrupted run resumes and a rerun after a change recomputes only what
the change touched. Symbolic checks draw no random numbers and are not rerun.

What it measures, against the run at the root seed (the pinned one):

* **false rejections**: evidence items that pass at the root seed (the assertions the suite
  expects to hold) and fail at another seed. The suite's promise (Bonferroni over
  ``MAX_ASSERTIONS`` at family level 1e-3) is no such event in 50 seeds;
* **|z|** = |measured - theory| / SE of those items against the half-normal (the null
  distribution when the theory is exact and the SE right): the KS statistic and p-value, for
  the items whose tolerance is z SE alone ("pure") and for all (items with a stated bias bound
  have |z| pulled in or out by that bias), and a QQ plot;
* **near-miss controls**: how often each was rejected (goal: >= 90 % of the seeds);
* **verdicts**: per claim, how many seeds give the root seed's verdict.

Results: ``benchmarks/results/calibration.{json,md,png}`` (``--out``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checks.profile import MAX_ASSERTIONS, ROOT_SEED, Z, get_profile  # noqa: E402
from checks.registry import entries  # noqa: E402
from checks.runner import run_claims  # noqa: E402
from checks.seeds import run_seeds, spawn_roots, stability  # noqa: E402

# C13's analogue has its own seed study (its module); it is an interpretation, not an assertion
EXCLUDED = ("C13",)


def _pure(e) -> bool:
    """A tolerance of z SE alone (no stated bias, no reading precision), or its Student-t
    counterpart for an SE over few clusters (D1's replay item: basis "t(df)=..."; |t| with 23 df
    is close enough to the half-normal for the KS test at 50 seeds)."""
    if e.relation != "abs-diff":
        return False
    if abs(e.tolerance - Z * e.se) <= 1e-9 * max(e.tolerance, 1):
        return True
    return e.basis.startswith("t(") and e.se > 0 and e.tolerance / e.se >= Z


def _pooled_rejects(row: dict) -> bool:
    """Whether the seeds together reject an item's theory: the mean of the measured values
    over every seed (the root's included) is further from the theory than the item's
    allowance beyond z SE (its stated bias, spacing or reading precision: the median of
    tolerance - z SE) plus z x the SE of that mean (the seeds' spread / sqrt(seeds)). Only
    for two-sided value items (abs-diff); sets ``row["pooled"]``."""
    vals = [v for v in row["values"] if all(math.isfinite(float(x)) for x in v)]
    if row.get("relation") != "abs-diff" or len(vals) < 10:
        return False
    m = np.array([v[0] for v in vals], dtype=float)
    allowance = float(np.median([max(v[2] - Z * v[1], 0.0) for v in vals]))
    theory = float(vals[0][3])
    se_pool = float(m.std(ddof=1) / math.sqrt(m.size))
    off = abs(float(m.mean()) - theory)
    row["pooled"] = {
        "mean": float(m.mean()),
        "theory": theory,
        "se_of_mean": se_pool,
        "allowance": allowance,
        "seeds": int(m.size),
    }
    return off > allowance + Z * se_pool


def analyse(reference, runs) -> dict:
    """The calibration tables (module docstring) from the root run and the seeds' results."""
    items: dict[tuple, dict] = {}
    for cr in reference:
        for r in cr.results:
            for kind in ("evidence", "controls"):
                for i, e in enumerate(getattr(r, kind)):
                    items[(cr.id, r.check, kind, i)] = {
                        "claim": cr.id,
                        "check": r.check,
                        "kind": kind,
                        "label": e.label,
                        "origin": e.origin,
                        "near_miss": e.near_miss,
                        "reference_passed": e.passed,
                        "passed": [],
                        "z": [],
                        "pure": _pure(e),
                        "relation": e.relation,
                        "values": [(e.measured, e.se, e.tolerance, e.theory)],
                    }
    for seed, per_claim in runs.items():
        for cr, stat in zip(reference, per_claim, strict=True):
            for r in stat:
                for kind in ("evidence", "controls"):
                    for i, e in enumerate(getattr(r, kind)):
                        row = items.get((cr.id, r.check, kind, i))
                        if row is None:
                            continue
                        row["passed"].append(bool(e.passed))
                        row["values"].append((e.measured, e.se, e.tolerance, e.theory))
                        z = e.z
                        if kind == "evidence" and math.isfinite(z):
                            row["z"].append(float(z))
                        if not e.passed and row["reference_passed"] and kind == "evidence":
                            row.setdefault("failed_at", []).append(
                                {
                                    "seed": seed,
                                    "measured": e.measured,
                                    "theory": e.theory,
                                    "tolerance": e.tolerance,
                                    "se": e.se,
                                }
                            )
    rows = [r for r in items.values() if r["passed"]]
    asserted = [r for r in rows if r["kind"] == "evidence" and r["reference_passed"]]
    rejected_at_root = [r for r in rows if r["kind"] == "evidence" and not r["reference_passed"]]
    near = [r for r in rows if r["kind"] == "controls" and r["near_miss"]]
    gross = [r for r in rows if r["kind"] == "controls" and not r["near_miss"]]
    n_seeds = len(runs)

    def ks(zs: list[float]) -> dict:
        if len(zs) < 5:
            return {"n": len(zs)}
        res = stats.kstest(zs, stats.halfnorm.cdf)
        return {
            "n": len(zs),
            "ks": float(res.statistic),
            "p": float(res.pvalue),
            "mean": float(np.mean(zs)),
            "q99": float(np.quantile(zs, 0.99)),
            "max": float(np.max(zs)),
        }

    z_pure = [z for r in asserted if r["pure"] for z in r["z"]]
    z_all = [z for r in asserted for z in r["z"]]
    per_item_ks = []
    for r in asserted:
        if len(r["z"]) >= 20:
            k = ks(r["z"])
            per_item_ks.append(
                {
                    "claim": r["claim"],
                    "check": r["check"],
                    "label": r["label"],
                    "pure": r["pure"],
                    **k,
                }
            )
    # an item that flips because its theory is wrong and the item lacks the power to reject it
    # at every seed is not a false rejection: the seeds pooled reject the theory
    flips = [r for r in asserted if r.get("failed_at")]
    power = [r for r in flips if _pooled_rejects(r)]
    false_rej = [
        {"claim": r["claim"], "check": r["check"], "label": r["label"], "failed_at": r["failed_at"]}
        for r in flips
        if r not in power
    ]
    power_flips = [
        {
            "claim": r["claim"],
            "check": r["check"],
            "label": r["label"],
            "failed": len(r["failed_at"]),
            "of": len(r["passed"]),
            **r["pooled"],
        }
        for r in power
    ]
    tests = sum(len(r["passed"]) for r in asserted)
    return {
        "seeds": n_seeds,
        "asserted_items": len(asserted),
        "assertions_run": tests,
        "false_rejections": sum(len(r["failed_at"]) for r in false_rej),
        "false_rejection_rate": (
            sum(len(r["failed_at"]) for r in false_rej) / tests if tests else None
        ),
        "false_rejected_items": false_rej,
        "power_flips": power_flips,
        "suite_promise": {"family_alpha": 1e-3, "max_assertions": MAX_ASSERTIONS, "z": Z},
        "z_pure": ks(z_pure),
        "z_all": ks(z_all),
        "per_item_z": per_item_ks,
        "near_miss": [
            {
                "claim": r["claim"],
                "check": r["check"],
                "label": r["label"],
                "rejected": sum(not p for p in r["passed"]),
                "of": len(r["passed"]),
            }
            for r in near
        ],
        "gross_controls": {
            "items": len(gross),
            "rejected": sum(not p for r in gross for p in r["passed"]),
            "of": sum(len(r["passed"]) for r in gross),
            "accepted": [
                {
                    "claim": r["claim"],
                    "check": r["check"],
                    "label": r["label"],
                    "accepted": sum(r["passed"]),
                    "of": len(r["passed"]),
                }
                for r in gross
                if any(r["passed"])
            ],
        },
        "rejected_at_root": [
            {
                "claim": r["claim"],
                "check": r["check"],
                "label": r["label"],
                "passed": sum(r["passed"]),
                "of": len(r["passed"]),
            }
            for r in rejected_at_root
        ],
        "_z_pure_values": z_pure,
        "_z_all_values": z_all,
    }


def qq_plot(z_pure: list[float], z_all: list[float], path: Path) -> None:
    """Left: the |z| of the items whose tolerance is z SE alone against the half-normal (the
    calibration proper). Right: every asserted item, log scale: one-sided bounds with slack
    sit far above the line by design (their |z| is the slack, not an error)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(8.0, 3.8))
    for ax, zs, name, log in (
        (axes[0], z_pure, "z SE only", False),
        (axes[1], z_all, "all asserted items", True),
    ):
        if not zs:
            continue
        z = np.sort(zs)
        q = stats.halfnorm.ppf((np.arange(1, z.size + 1) - 0.5) / z.size)
        ax.plot(q, z, ".", ms=3, label=f"{name} (n = {z.size})")
        top = float(max(q.max(), 3.0))
        ax.plot([0, top], [0, top], "k-", lw=0.8, label="half-normal")
        ax.axhline(Z, color="grey", ls="--", lw=0.8, label=f"suite z = {Z:.2f}")
        if log:
            ax.set_yscale("symlog", linthresh=1.0)
            ax.set_ylim(bottom=0)
        ax.set_xlabel("half-normal quantile")
        ax.set_ylabel("|measured - theory| / SE")
        ax.set_title(name, fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle("Calibration: |z| over the seeds", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    fig.savefig(path.with_suffix(".pdf"))
    plt.close(fig)


def markdown(summary: dict, seed_rows: dict, meta: dict) -> str:
    s = summary
    lines = [
        "# Calibration of the verification suite",
        "",
        f"Command: `{meta['command']}` ({meta['seeds']} root seeds spawned from "
        f"SeedSequence({meta['root']}); profile {meta['profile']}; code {meta['fingerprint']}; "
        f"{meta['wall_s'] / 60:.0f} min of this run on {meta['workers']} workers).",
        "",
        f"- Asserted items (evidence passing at the root seed): {s['asserted_items']}, run "
        f"{s['assertions_run']} times over the seeds; false rejections: "
        f"**{s['false_rejections']}** (rate {s['false_rejection_rate'] or 0:.2g}; the suite's "
        f"promise: below 1e-3 per suite run).",
    ]
    for key, name in (("z_pure", "z SE only"), ("z_all", "all asserted items")):
        k = s[key]
        if "ks" in k:
            lines.append(
                f"- |z| ({name}): n = {k['n']}, mean {k['mean']:.3f} (half-normal "
                f"{math.sqrt(2 / math.pi):.3f}), 99% quantile {k['q99']:.2f} (2.58), max "
                f"{k['max']:.2f}; KS against the half-normal {k['ks']:.3f}, p = {k['p']:.3g}."
            )
    g = s["gross_controls"]
    lines.append(f"- Gross controls: rejected {g['rejected']} of {g['of']} times.")
    lines += [
        "",
        "## Near-miss controls",
        "",
        "| claim | check | control | rejected |",
        "|---|---|---|---|",
    ]
    for r in s["near_miss"]:
        mark = "" if r["rejected"] >= 0.9 * r["of"] else " **below 90 %**"
        lines.append(
            f"| {r['claim']} | {r['check']} | {r['label']} | {r['rejected']}/{r['of']}{mark} |"
        )
    if s["false_rejected_items"]:
        lines += [
            "",
            "## False rejections",
            "",
            "| claim | check | item | seeds |",
            "|---|---|---|---|",
        ]
        for r in s["false_rejected_items"]:
            lines.append(f"| {r['claim']} | {r['check']} | {r['label']} | {len(r['failed_at'])} |")
    if s.get("power_flips"):
        lines += [
            "",
            "## Flips of a wrong theory (not false rejections)",
            "",
            "Items that pass at the root seed and fail at others, whose theory the seeds pooled "
            "reject: the mean over the seeds is further from it than the item's allowance plus "
            "z x the SE of that mean. The item lacks the power to reject it at every seed.",
            "",
            "| claim | check | item | failed | mean over seeds (SE) | theory | allowance |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in s["power_flips"]:
            lines.append(
                f"| {r['claim']} | {r['check']} | {r['label']} | {r['failed']}/{r['of']} | "
                f"{r['mean']:.4g} ({r['se_of_mean']:.2g}) | {r['theory']:.4g} | "
                f"{r['allowance']:.3g} |"
            )
    lines += [
        "",
        "## Per-item |z| (items with >= 20 seeds)",
        "",
        "| claim | check | item | pure | n | mean | max | KS p |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in s["per_item_z"]:
        lines.append(
            f"| {r['claim']} | {r['check']} | {r['label']} | {'yes' if r['pure'] else ''} "
            f"| {r['n']} | {r['mean']:.2f} | {r['max']:.2f} | {r['p']:.3g} |"
        )
    lines += [
        "",
        "## Verdicts across seeds",
        "",
        "| claim | root verdict | same verdict |",
        "|---|---|---|",
    ]
    for cid, st in seed_rows.items():
        lines.append(f"| {cid} | {st['reference_verdict']} | {st['same_verdict']}/{st['of']} |")
    if s["rejected_at_root"]:
        lines += [
            "",
            "## Items failing at the root seed (discrepancies, refutations)",
            "",
            "| claim | check | item | passed at other seeds |",
            "|---|---|---|---|",
        ]
        for r in s["rejected_at_root"]:
            lines.append(
                f"| {r['claim']} | {r['check']} | {r['label']} | {r['passed']}/{r['of']} |"
            )
    return "\n".join(lines) + "\n"


def compact(full: dict, source: str = "") -> dict:
    """The calibration as the report and the README read it (``docs/calibration.json``): the
    seed study per claim (the same keys as ``verify --seeds``'s file) and the suite-level
    figures, without the per-seed value lists."""
    nm = full.get("near_miss") or []
    rates = [r["rejected"] / r["of"] for r in nm if r.get("of")]
    gross = full.get("gross_controls") or {}
    meta = full.get("meta") or {}
    return {
        "profile": meta.get("profile"),
        "root_seed": meta.get("root"),
        "seeds": meta.get("seeds"),
        "command": meta.get("command"),
        "fingerprint": meta.get("fingerprint"),
        "source": source,
        "wall_s": meta.get("wall_s"),
        "claims": full.get("verdicts") or {},
        "calibration": {
            "asserted_items": full.get("asserted_items"),
            "assertions_run": full.get("assertions_run"),
            "false_rejections": full.get("false_rejections"),
            "ks_p_pure": (full.get("z_pure") or {}).get("p"),
            "ks_p_all": (full.get("z_all") or {}).get("p"),
            "near_miss_items": len(nm),
            "near_miss_min_rate": min(rates) if rates else None,
            "gross_rejected_rate": gross["rejected"] / gross["of"] if gross.get("of") else None,
        },
        "false_rejected_items": full.get("false_rejected_items") or [],
        "power_flips": full.get("power_flips") or [],
        "near_miss": nm,
        "z_pure": full.get("z_pure"),
        "z_all": full.get("z_all"),
    }


def write_docs(full_jsons: list[Path], docs: Path, append: bool = False) -> None:
    """``docs/calibration.{json,md}`` and the QQ plot from one or several calibration runs'
    outputs (e.g. the quick claims at 50 seeds and the slow ones at fewer): the claims' rows
    are merged, each run's suite-level figures kept as a part of its own. ``append``: keep the
    parts already in ``docs`` (their full outputs need not exist any more); a claim a new part
    calibrates again takes the new part's row, and the old part names it ``superseded``."""
    parts = [compact(json.loads(p.read_text()), p.name) for p in full_jsons]
    old = json.loads((docs / "calibration.json").read_text()) if append else None
    claims: dict = dict(old["claims"]) if old else {}
    for part in parts:
        claims.update(part["claims"])
    new_parts = [
        {
            "claims": list(p["claims"]),
            "seeds": p["seeds"],
            "command": p["command"],
            "fingerprint": p["fingerprint"],
            "wall_s": p["wall_s"],
            **p["calibration"],
            "false_rejected_items": p["false_rejected_items"],
            "power_flips": p["power_flips"],
            "near_miss": p["near_miss"],
            "z_pure": p["z_pure"],
            "z_all": p["z_all"],
        }
        for p in parts
    ]
    kept: list[dict] = []
    if old:
        again = {c for p in parts for c in p["claims"]}
        for p in old["parts"]:
            redone = sorted(again & set(p["claims"]))
            kept.append({**p, "superseded": sorted({*p.get("superseded", []), *redone})})
    every = [*kept, *new_parts]
    merged = {
        "profile": (old or parts[0])["profile"],
        "root_seed": (old or parts[0])["root_seed"],
        "seeds": max(int(p["seeds"] or 0) for p in every),
        "command": "; ".join(str(p["command"]) for p in every),
        "claims": claims,
        "parts": every,
    }
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "calibration.json").write_text(json.dumps(merged, indent=1, allow_nan=True) + "\n")
    md = [(docs / "calibration.md").read_text().rstrip("\n")] if old else []
    for k, src in enumerate(full_jsons, start=len(kept)):
        if src.with_suffix(".md").exists():
            md.append(src.with_suffix(".md").read_text())
        full = json.loads(src.read_text())
        name = "calibration-qq.png" if k == 0 else f"calibration-qq-{k + 1}.png"
        qq_plot(full.get("_z_pure_values") or [], full.get("_z_all_values") or [], docs / name)
        (docs / name).with_suffix(".pdf").unlink(missing_ok=True)
    (docs / "calibration.md").write_text("\n\n".join(md))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=50)
    ap.add_argument("--root", type=int, default=ROOT_SEED)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--profile", default="ci")
    ap.add_argument("--claims", default=None, help="comma-separated claim ids (default: all)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    ap.add_argument("--cache", type=Path, default=ROOT / "benchmarks" / "results" / "cache")
    ap.add_argument(
        "--docs",
        type=Path,
        default=None,
        help="also write the compact calibration the report reads (e.g. docs/)",
    )
    ap.add_argument(
        "--from-json",
        type=Path,
        default=None,
        nargs="+",
        help="only write --docs from earlier runs' calibration*.json (several: merged)",
    )
    ap.add_argument(
        "--append",
        action="store_true",
        help="with --from-json: keep the parts already in --docs (claims run again supersede)",
    )
    args = ap.parse_args()
    if args.from_json is not None:
        write_docs(args.from_json, args.docs or ROOT / "docs", append=args.append)
        return 0
    from checks.cache import code_fingerprint

    profile = get_profile(args.profile, args.root)
    known = list(entries())
    claims = [c.strip().upper() for c in args.claims.split(",")] if args.claims else known
    claims = [c for c in known if c in claims and c not in EXCLUDED]
    t0 = time.perf_counter()
    reference = run_claims(claims, profile, args.cache)
    seeds = spawn_roots(args.root, args.seeds)

    finished: list[int] = []

    def done(seed: int) -> None:
        finished.append(seed)
        el = (time.perf_counter() - t0) / 60
        left = el / len(finished) * (len(seeds) - len(finished))
        print(
            f"[{len(finished)}/{len(seeds)}] seed {seed} done, {el:.1f} min, ~{left:.0f} min left",
            file=sys.stderr,
            flush=True,
        )

    runs = run_seeds(claims, profile, seeds, args.cache, workers=args.workers, on_seed=done)
    wall = time.perf_counter() - t0
    summary = analyse(reference, runs)
    seed_rows = {c: s.as_dict() for c, s in stability(reference, runs).items()}
    meta = {
        "command": " ".join(["python benchmarks/calibration.py", *sys.argv[1:]]).strip(),
        "seeds": len(seeds),
        "root": args.root,
        "profile": profile.name,
        "fingerprint": code_fingerprint(),
        "workers": args.workers,
        "wall_s": wall,
        "claims": claims,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    tag = "" if not args.claims else "-" + "-".join(claims)
    qq_plot(summary["_z_pure_values"], summary["_z_all_values"], args.out / f"calibration{tag}.png")
    (args.out / f"calibration{tag}.json").write_text(
        json.dumps({"meta": meta, **summary, "verdicts": seed_rows}, indent=1, allow_nan=True)
    )
    (args.out / f"calibration{tag}.md").write_text(markdown(summary, seed_rows, meta))
    if args.docs is not None:
        write_docs([args.out / f"calibration{tag}.json"], args.docs)
    print(markdown(summary, seed_rows, meta))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
