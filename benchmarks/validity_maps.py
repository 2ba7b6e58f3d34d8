"""Every validity map of one profile, timed (issue 13): ``asyncmsgd validity --claim C`` for C3,
C4, C7, C9, C14 one after another, each from an empty store (the times are cold), then the
pinned constants of :mod:`checks.validity` (PINNED, PINNED_FITS) read off the maps.

Usage::

    python benchmarks/validity_maps.py --profile ci             # ~10-15 min on 2 cores
    python benchmarks/validity_maps.py --profile full --warm    # hours; reuse the store
    python benchmarks/validity_maps.py --pins-only              # print the pins of the files
    python benchmarks/validity_maps.py --pins-only --docs docs/validity   # commit the maps

Writes the maps into reports/build/validity (the report reads them) and a timing table to
benchmarks/results/validity-maps-PROFILE.md; ``--docs DIR`` also copies the maps (compact
JSON and the PDF figures) and the timing table into DIR, the committed folder the report falls
back to (docs/validity).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "reports" / "build" / "validity"
CLAIMS = ("C3", "C4", "C7", "C9", "C14", "C8")
REFERENCE = ((0.3, 1e-3), (0.6, 5e-4))  # the pinned reference points of the ci check
CONTROL_FACTOR = 1.3  # checks.validity.CONTROL_FACTOR (the benchmark imports no check module)


def _shown(path: Path) -> str:
    """A path as a command shows it: relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def run_map(claim: str, profile: str, workers: int, out: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its workers): on a loaded machine the CPU
    time is what a quiet one would take per core."""
    where = [] if out.resolve() == OUT.resolve() else ["--out", _shown(out)]
    cmd = [sys.executable, "-m", "asyncmsgd", "validity", "--claim", claim, "--profile", profile,
           *where, "--workers", str(workers)]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def pins(out: Path, profile: str) -> dict[str, object]:
    """PINNED (reference points' band crossings), PINNED_STAT (their stat crossings where the
    band's is censored and the map resolves a boundary 30 % larger) and PINNED_FITS (the stat
    fit and its scatter) from the maps' JSON files."""
    pinned, fits, stat_pins = {}, {}, {}
    for claim in CLAIMS:
        path = out / f"validity-{claim}-{profile}.json"
        if not path.exists():
            continue
        d = json.loads(path.read_text())
        f = d["fit_stat"]
        a, b = f["exponent_mu"]["value"], f["exponent_eta"]["value"]
        log_k = math.log(f["prefactor"])
        pts = [p for p in d["points"] if not p["censored"]["stat"] and p["crossing"]["stat"] > 0]
        res = [
            math.log(p["crossing"]["stat"])
            - (log_k + a * math.log(1 - p["mu"]) - b * math.log(p["eta"]))
            for p in pts
        ]
        scatter = math.sqrt(sum(r * r for r in res) / max(len(res), 1))
        fits[claim] = (round(log_k, 4), round(a, 4), round(b, 4), round(scatter, 4))
        refs = []
        for mu, eta in REFERENCE:
            for p in d["points"]:
                cens = p["censored"]["band"]
                if p["mu"] == mu and p["eta"] == eta and (cens or p["crossing"]["band"] >= 4):
                    refs.append((mu, eta, d["distribution"], round(p["crossing"]["band"], 2), cens))
        pinned[claim] = tuple(refs)
        # a censored band pin gets a stat near miss where the map resolves 1.3x the crossing
        stat = []
        for mu, eta, dist, _, cens in refs:
            (p,) = [q for q in d["points"] if q["mu"] == mu and q["eta"] == eta]
            c, hi = p["crossing"]["stat"], p["ci"]["stat"][1]
            resolved = (
                hi is not None
                and c > 0
                and hi <= CONTROL_FACTOR * c
                and round(CONTROL_FACTOR * c) <= p["cap"]
            )
            if cens and not p["censored"]["stat"] and resolved:
                stat.append((mu, eta, dist, round(c, 2)))
        if stat:
            stat_pins[claim] = tuple(stat)
    return {"PINNED": pinned, "PINNED_STAT": stat_pins, "PINNED_FITS": fits}


DOCS_LIMIT = 200_000  # bytes: a committed map above it loses its per-delay evaluations


def compact(obj: dict[str, object], limit: int = DOCS_LIMIT) -> str:
    """The map as JSON without indentation; above ``limit`` bytes the per-delay evaluations of
    the secondary data models are dropped, then those of every model (the points, their
    crossings, intervals and the fits stay), and the JSON says so (``trimmed``)."""
    text = json.dumps(obj, separators=(",", ":"))
    if len(text) <= limit:
        return text
    obj = json.loads(text)
    models = obj.get("models") or []
    for stage in ("secondary", "all"):
        for k, m in enumerate(models):
            if stage == "all" or k > 0:
                for p in m.get("points", []):
                    p.pop("evaluations", None)
        if stage == "all":
            for p in obj.get("points", []):
                p.pop("evaluations", None)
        obj["trimmed"] = (
            f"per-delay evaluations dropped ({stage} models) to keep the committed file small; "
            f"{obj.get('command', 'asyncmsgd validity')} rebuilds them"
        )
        text = json.dumps(obj, separators=(",", ":"))
        if len(text) <= limit:
            break
    return text


def publish(out: Path, profile: str, docs: Path) -> list[Path]:
    """Copy the maps of ``profile`` (JSON without indentation, the PDF figures) and the timing
    table into ``docs``, the committed folder the report falls back to."""
    docs.mkdir(parents=True, exist_ok=True)
    written = []
    for claim in CLAIMS:
        src = out / f"validity-{claim}-{profile}.json"
        if not src.exists():
            continue
        target = docs / src.name
        obj = json.loads(src.read_text())
        # the default folder, spelled out by older runs, is left out of the recorded command
        obj["command"] = str(obj.get("command", "")).replace(f" --out {OUT}", "")
        target.write_text(compact(obj) + "\n")
        written.append(target)
        fig = src.with_suffix(".pdf")
        if fig.exists():
            shutil.copyfile(fig, docs / fig.name)
            written.append(docs / fig.name)
    table = ROOT / "benchmarks" / "results" / f"validity-maps-{profile}.md"
    if table.exists():
        shutil.copyfile(table, docs / table.name)
        written.append(docs / table.name)
    return written


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="ci", choices=("ci", "full"))
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--claims", default=",".join(CLAIMS))
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--warm", action="store_true", help="keep the store (times are not cold)")
    ap.add_argument("--pins-only", action="store_true")
    ap.add_argument("--docs", type=Path, help="also copy the maps and the table into this folder")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.pins_only:
        rows = []
        for claim in args.claims.split(","):
            store = args.out / "validity.sqlite"
            if not args.warm:
                for suffix in ("", "-wal", "-shm"):
                    Path(str(store) + suffix).unlink(missing_ok=True)
            wall, cpu = run_map(claim, args.profile, args.workers, args.out)
            rows.append((claim, wall, cpu))
            print(f"{claim}: {wall:.0f} s wall, {cpu:.0f} s CPU", flush=True)
        lines = [
            f"# Validity maps, profile {args.profile}",
            "",
            f"{platform.node()}, {os.cpu_count()} cores, load average "
            f"{os.getloadavg()[0]:.1f} at the end, {args.workers} worker process(es), "
            f"{'warm' if args.warm else 'cold (empty store)'}; command: "
            f"`asyncmsgd validity --claim C --profile {args.profile} --workers {args.workers}`",
            "",
            "| claim | wall (s) | CPU (s) |",
            "|---|---|---|",
            *[f"| {c} | {w:.0f} | {u:.0f} |" for c, w, u in rows],
            "",
        ]
        res = ROOT / "benchmarks" / "results" / f"validity-maps-{args.profile}.md"
        res.parent.mkdir(parents=True, exist_ok=True)
        res.write_text("\n".join(lines))
        print("\n".join(lines))
    print(json.dumps(pins(args.out, args.profile), indent=1))
    if args.docs is not None:
        for path in publish(args.out, args.profile, args.docs):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
