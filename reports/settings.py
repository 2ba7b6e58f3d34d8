"""The settings behind each claim's numbers, for its evidence card (issue 15, Build 1).

A reviewer must see at which Sigma, data model, mu, eta, delay, delta, eps, run count and seed
a number was measured (C7 runs at tau = 0 and delta = 0.2; the ci Figure 1 at 20 runs). The
checks hold these in three places, all read here rather than restated: the claim module's
constants (``SPECTRUM``, ``ETAS``, ``DELTA``, ...), the check function's parameter defaults
(``mu=0.6``, ``tau=0``), and the result's ``details`` (what the run actually used; it wins over
the other two). Figure 1 and Figure 2 have a settings function of their own
(:func:`checks.experiments.figure1.settings`, :func:`checks.experiments.figure2.settings`).

Each row is (setting, value as plain text, where it comes from); values are typeset later by
:mod:`reports.prose`, so their numbers reach the macro file.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from checks.registry import ClaimResult, entries

# canonical settings, in the order a card lists them: key -> label (plain text, typeset later)
ORDER = (
    ("sigma", "Sigma (eigenvalues)"),
    ("data", "data model"),
    ("C_d", "C_d (A2)"),
    ("start", "start h(0)"),
    ("mu", "mu"),
    ("eta", "eta"),
    ("tau", "tau (constant delay)"),
    ("delay", "delay model"),
    ("workers", "workers W"),
    ("mean", "mean delay E tau"),
    ("delta", "delta"),
    ("eps", "eps"),
    ("nu", "nu"),
    ("gamma", "gamma"),
    ("c_eta", "c_eta"),
    ("horizon", "horizon t"),
    ("steps", "steps per run"),
    ("runs", "runs per point"),
    ("seeds", "seeds per cell"),
    ("n_boot", "bootstrap resamples"),
    ("z", "z (Bonferroni, whole suite)"),
    ("seed", "root seed"),
)
_LABEL = dict(ORDER)
# prefixes the claim modules put before a constant's name when a claim has several checks
_PREFIXES = (
    "STEP_",
    "NORM_",
    "SCAN_",
    "DELAY_",
    "NOISY_",
    "ESCAPE_",
    "STATIONARY_",
    "GROWTH_",
    "PHASE3_",
    "FIG1_",
)
_NAMES = {
    "SPECTRUM": "sigma",
    "FIG1": "sigma",
    "SIGMA_EIGENVALUES": "sigma",
    "DATA": "data",
    "DISTRIBUTION": "data",
    "ETA": "eta",
    "ETAS": "eta",
    "ETA_": "eta",
    "MU": "mu",
    "MUS": "mu",
    "MU_": "mu",
    "TAU": "tau",
    "TAUS": "tau",
    "DELAY": "delay",
    "DELAY_MODEL": "delay",
    "WORKERS": "workers",
    "MEAN": "mean",
    "DELTA": "delta",
    "EPS": "eps",
    "EPSS": "eps",
    "NU": "nu",
    "GAMMA": "gamma",
    "C_ETA": "c_eta",
    "START": "start",
    "HORIZON": "horizon",
    "STEPS": "steps",
    "RUNS": "runs",
    "SEEDS": "seeds",
    "N_BOOT": "n_boot",
    "Z": "z",
    "SEED": "seed",
}
_SKIP = {
    "EXPECTED_VERDICT",
    "EXPECTED_DERIVATION",
    "EXPECTED_READINGS",
    "CLAIM",
    "CHECKS",
    "STATEMENT",
    "READINGS",
    "DIMS",
}


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    value: str
    source: str


def _fmt(value: object) -> str:
    """A setting's value as plain text: tuples as lists, spectra as diag(...)."""
    if isinstance(value, float) and value.is_integer():
        return f"{int(value)}"
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, (int, float)) for v in value):
            return ", ".join(_fmt(v) for v in value)
        return ", ".join(str(v) for v in value)
    if hasattr(value, "tolist"):
        return _fmt(value.tolist())
    return str(value)


def _canonical(name: str) -> str | None:
    upper = name.upper()
    for p in _PREFIXES:
        if upper.startswith(p) and upper != p.rstrip("_"):
            upper = upper[len(p) :]
            break
    return _NAMES.get(upper)


def _qualifier(name: str) -> str:
    for p in _PREFIXES:
        if name.upper().startswith(p):
            return p.rstrip("_").lower() + " check"
    return ""


def _module_constants(module: object) -> list[tuple[str, object]]:
    out = []
    for name, value in vars(module).items():
        if not name.isupper() or name in _SKIP or name.startswith("_"):
            continue
        ok = isinstance(value, (int, float, str)) or (
            isinstance(value, tuple) and value and all(isinstance(v, (int, float)) for v in value)
        )
        if hasattr(value, "tolist") and getattr(value, "ndim", 2) == 1:
            ok = True
        if ok and not isinstance(value, bool):
            out.append((name, value))
    return out


def _runs_in(text: str) -> str | None:
    m = re.search(r"(\d[\d,]*) (?:real |lock-free )*(runs|seeds|repeats)\b", text)
    return m.group(1) if m else None


def claim_settings(cr: ClaimResult, seed: int) -> list[tuple[str, list[Setting]]]:
    """Per check of the claim (its symbolic check aside), its settings in :data:`ORDER`, each
    with its source."""
    out = []
    for res in cr.results:
        if res.check == "symbolic":
            continue
        out.append((res.check, check_settings(cr, res.check, res.details, res.evidence, seed)))
    return out


def check_settings(
    cr: ClaimResult,
    check: str,
    details: Mapping[str, object],
    evidence: Sequence[object],
    seed: int,
) -> list[Setting]:
    """One check's settings: what its run recorded (details) first, then its parameters'
    defaults, then the module's constants (prefixed ones only for the check they name)."""
    entry = entries()[cr.id]
    module = _module_of(cr.id)
    found: dict[str, Setting] = {}

    def put(key: str, value: object, source: str) -> None:
        if key not in found:
            found[key] = Setting(key, _LABEL.get(key, key), _fmt(value), source)

    here = "the run's details"
    for name, value in details.items():
        key = _canonical(name)
        if key and isinstance(value, (int, float, str, list, tuple)) and value != []:
            put(key, value, here)
    for name, value in details.items():  # C1: per-momentum step records
        if isinstance(value, Mapping) and name.startswith("steps mu="):
            put("mu", [float(k.split("=")[1]) for k in details if k.startswith("steps mu=")], here)
            for k2, v2 in value.items():
                key = _canonical(k2)
                if key:
                    put(key, v2, here)
    points = details.get("points")
    if isinstance(points, list) and points and isinstance(points[0], Mapping):
        put("eta", sorted({float(q["eta"]) for q in points}), here)
        for k2 in ("delay", "runs"):
            if k2 in points[0]:
                put(k2, points[0][k2], here)
    for e in evidence:
        runs = _runs_in(getattr(e, "basis", ""))
        if runs:
            put("runs", runs, "the evidence's basis")
            break
    _experiment_settings(cr.id, details, put)
    fn = next((c.func for c in entry.checks if c.name == check), None)
    if fn is not None:
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            params = {}
        for name, p in params.items():
            key = _canonical(name)
            if key and p.default is not inspect.Parameter.empty:
                put(key, p.default, f"default of the check's parameter {name}")
    if module is not None:
        for name, value in _module_constants(module):
            key = _canonical(name)
            prefix = _qualifier(name)
            if key is None or (prefix and not _prefix_matches(prefix, check)):
                continue
            put(key, value, f"module constant {name}")
        if "data" not in found and "gaussian data" in (module.__doc__ or "").lower():
            put("data", "gaussian", "the module docstring's Checks section")
    if "sigma" in found:
        found["sigma"] = Setting(
            "sigma", _LABEL["sigma"], "diag(" + found["sigma"].value + ")", found["sigma"].source
        )
    _c_d(found, put)
    put("seed", seed, "the profile (root of every SeedSequence)")
    keys = [k for k, _ in ORDER]
    return sorted(found.values(), key=lambda s: keys.index(s.key) if s.key in keys else 99)


def _prefix_matches(prefix: str, check: str) -> bool:
    """Whether a prefixed constant (SCAN_ETAS, ESCAPE_ETAS, GROWTH_SPECTRUM) is the check's."""
    word = prefix.split()[0]
    aliases = {
        "step": "paths",
        "norm": "paths",
        "fig1": "figure 1 boundar",
        "growth": "growth",
        "phase3": "",
    }
    target = aliases.get(word, word)
    return target in check or (word == "fig1" and check == "boundary")


@cache
def _module_of(cid: str) -> object | None:
    import importlib
    import pkgutil

    import checks.claims as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        module = importlib.import_module(f"checks.claims.{info.name}")
        claim = getattr(module, "CLAIM", None)
        if claim is not None and claim.id == cid:
            return module
    return None


def _experiment_settings(cid: str, details: Mapping[str, object], put) -> None:
    """Figure 1 (C12, E1's figure-1 check) and Figure 2 (C13) read their own settings."""
    for scale in [details.get("scale")]:
        if not scale:
            continue
        if cid in ("C12", "E1"):
            from checks.experiments import figure1 as f1

            s = f1.settings(str(scale))
            src = f"figure1.settings('{scale}')"
            put("sigma", s["sigma_eigenvalues"], src)
            put("data", s["distribution"], src)
            put("start", s["start"], src)
            put("eta", s["eta"], src)
            put("mu", s["mus"], src)
            put("delay", f"{s['delay']}, over the poster's ranges", src)
            put("delta", s["delta"], src)
            put("steps", s["steps"], src)
            put("runs", s["runs"], src)
            put("seed", s["seed"], src)
            put("n_boot", s["n_boot"], src)
        elif cid == "C13":
            from checks.experiments import figure2 as f2

            s = f2.settings(str(scale))
            src = f"figure2.settings('{scale}')"
            put(
                "data", f"{s['dataset']} ({s['train_size']} train, {s['val_size']} validation)", src
            )
            put("mu", s["mus"], src)
            put("eta", s["etas"], src)
            put("delay", s["delay_model"], src)
            put("workers", s["workers"], src)
            put("seeds", s["seeds"], src)
            put("steps", f"{s['epochs']} epochs, batch {s['batch']}", src)
            put("n_boot", s["n_boot"], src)


def _c_d(found: Mapping[str, Setting], put) -> None:
    """A2's C_d for the data model: unbounded for Gaussian data, ||X||^2 = tr Sigma for
    Rademacher data (X = Q Lambda^(1/2) r with r in {-1, 1}^d)."""
    data = found.get("data")
    if data is None:
        return
    if "gaussian" in data.value.lower():
        put("C_d", "unbounded (Gaussian data: A2 does not hold)", "the data model")
    elif "rademacher" in data.value.lower() and "sigma" in found:
        try:
            lam = [float(x) for x in found["sigma"].value.split(",")]
        except ValueError:
            return
        put("C_d", f"||X||^2 = tr Sigma = {sum(lam):g} for every sample", "the data model")


def sigma_text(values: Sequence[float]) -> str:
    return "diag(" + ", ".join(_fmt(v) for v in values) + ")"
