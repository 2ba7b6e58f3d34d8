"""A CPU-sized analogue of the paper's Figure 2 (THEORY.md C13): best momentum against workers.

The original (SphereResNet34/WideResNet, CIFAR-100, 8 GPUs, 200 epochs, 10 repeats) cannot run
here. The analogue keeps its design and shrinks the model and the data:

* data: scikit-learn's bundled 8x8 digits (1797 images, 10 classes; shipped inside the wheel, no
  download), split once into 1297 training and 500 validation images (a fixed permutation from
  the root seed), pixels scaled by 1/16 and standardised with the training mean and standard
  deviation (+ 0.1, so that constant pixels stay finite);
* model: the NumPy MLP of :mod:`checks.experiments.mlp` (64 -> 32 ReLU -> 10, cross-entropy),
  batch 32, the paper's schedule (step divided by 5 after 30%, 60%, 80% of training);
* Async-MSGD with W in {1, 2, 4, 8} workers behind a parameter server
  (:func:`simulate.delays.ps_delays`, ``ps:W``: mean delay W - 1) and mu in {0.1, 0.3, 0.5, 0.7,
  0.9}, one fixed base step for every (W, mu) as in the paper. The paper's step (0.2) was the
  standard one for synchronous momentum 0.9; ours is a grid eta in {0.05, 0.1, 0.2} at the
  paper scale (30 epochs) with eta = 0.1 primary, so that the answer's dependence on the step is
  visible rather than tuned away; the ci scale runs the primary step only (15 epochs), so that
  it affords the paper scale's 40 seeds in about a minute;
* seeds: everything comes from the root seed (the profile's ``seed``; default
  :data:`checks.profile.ROOT_SEED`): the split, and for run s its initialisation and minibatch
  order from SeedSequence(seed, spawn_key=(key, s)) shared by every (eta, W, mu) (common random
  numbers: comparisons between momenta and between W are paired by seed), and its delays from
  a stream keyed by (W, s). A root seed other than the default tags the results file
  (``figure2-SCALE-seedN.json``). 40 seeds at both scales (the paper: 10 repeats per cell):
  at 20 seeds, the direction test's z over six root seeds ranged from -3.7 to -5.9, too close to
  its level's -3.1 for a suite that must reject the no-dependence control every time.

Reported per (eta, W, mu): the mean final validation accuracy over seeds with a Student-t 95%
CI; per (eta, W): the best momentum (highest mean, the paper's definition) and its bootstrap
distribution over seeds (seeds resampled jointly across all cells, keeping the pairing); per
eta: whether the best momentum falls as W grows, tested against the null of no dependence on W
(:func:`direction`: a permutation test over seeds). Results are written group by group (one
(eta, W) at a time) to the raw-results file, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from checks.experiments import mlp
from checks.experiments.common import (
    BUILD,
    check_scale,
    json_clean,
    package_versions,
    percentile_ci,
    read_json,
    write_json,
)
from checks.power import Z_POWER
from checks.profile import ROOT_SEED, SUITE_ALPHA
from simulate.delays import ParameterServer, ps_delays
from simulate.seeds import generator, stable_key
from theory.lazy import lazy_module
from theory.validation import ParameterError

sps = lazy_module("scipy.stats")

WORKERS = (1, 2, 4, 8)
MUS = (0.1, 0.3, 0.5, 0.7, 0.9)
PRIMARY_ETA = 0.1
BATCH = 32
HIDDEN = 32
VAL_SIZE = 500
STD_FLOOR = 0.1
DEFAULT_OUT = BUILD / "figure2"
EXTRA_HINT = "install the optional extra: pip install 'asyncmsgd-verify[figure2]'"


@dataclass(frozen=True)
class Scale:
    name: str
    seeds: int
    epochs: int
    etas: tuple[float, ...]
    n_boot: int


SCALES = {
    "ci": Scale("ci", 40, 15, (0.1,), 2000),
    "paper": Scale("paper", 40, 30, (0.05, 0.1, 0.2), 2000),
}
N_PERMUTATIONS = 9999  # resamples of the permutation test (p-values resolved to 1e-4)
# the level of the direction test: the suite's family-wise level, for this one test (C13's items
# are interpretations: they never set a verdict, so they spend none of the per-assertion budget)
ALPHA = SUITE_ALPHA


def get_scale(name: str) -> Scale:
    return SCALES[check_scale(name)]


class MissingDependency(ImportError):
    """scikit-learn (the optional extra ``figure2``) is not installed."""


def load_digits_split(seed: int = ROOT_SEED) -> mlp.Dataset:
    """scikit-learn's bundled digits, split (from the root ``seed``) and standardised (module
    docstring)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise MissingDependency(f"scikit-learn is not installed: {EXTRA_HINT}") from None
    digits = load_digits()
    x = np.asarray(digits.data, dtype=float) / 16.0
    y = np.asarray(digits.target, dtype=np.int64)
    perm = generator(seed, (stable_key("figure2", "split"),)).permutation(y.size)
    val, train = perm[:VAL_SIZE], perm[VAL_SIZE:]
    mean, sd = x[train].mean(axis=0), x[train].std(axis=0) + STD_FLOOR
    x = (x - mean) / sd
    return mlp.Dataset("sklearn digits (8x8)", x[train], y[train], x[val], y[val], 10)


def settings(scale: str, seed: int = ROOT_SEED) -> dict[str, object]:
    sc = get_scale(scale)
    return {
        "dataset": "sklearn.datasets.load_digits",
        "train_size": 1797 - VAL_SIZE,
        "val_size": VAL_SIZE,
        "model": f"MLP 64-{HIDDEN}-10 ReLU, softmax cross-entropy, no weight decay",
        "batch": BATCH,
        "epochs": sc.epochs,
        "schedule": f"eta / 5 after {list(mlp.DECAY_AT)} of the updates",
        "workers": list(WORKERS),
        "delay_model": "ps:W (parameter server, exponential compute times; mean delay W - 1)",
        "mus": list(MUS),
        "etas": list(sc.etas),
        "primary_eta": PRIMARY_ETA,
        "seeds": sc.seeds,
        "seed": seed,
        "n_boot": sc.n_boot,
        "n_permutations": N_PERMUTATIONS,
    }


def steps_for(data: mlp.Dataset, epochs: int) -> int:
    return epochs * (data.y_train.size // BATCH)


def _blas_one_thread():
    """One BLAS thread while training: the products are small, and two cores are shared
    (OpenBLAS threads made it 3x slower here). No-op without threadpoolctl."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return nullcontext()
    return threadpool_limits(1, user_api="blas")


def train_group(
    data: mlp.Dataset, eta: float, workers: int, seeds: int, epochs: int, seed: int = ROOT_SEED
) -> dict:
    """Every (mu, s) run at one (eta, W), s < ``seeds``, from the root ``seed``: per-run records
    (plain lists)."""
    steps = steps_for(data, epochs)
    shapes = mlp.Shapes(data.d, HIDDEN, data.classes)
    mu = np.repeat(MUS, seeds)
    lane = np.tile(np.arange(seeds), len(MUS))
    model = ParameterServer(workers)
    n = data.y_train.size
    delay_key, batch_key = (
        stable_key("figure2", "delays", workers),
        stable_key("figure2", "batches"),
    )
    delays = np.stack(
        [ps_delays(model, generator(seed, (delay_key, s)), steps) for s in range(seeds)]
    )
    batches = np.stack(
        [mlp.epoch_batches(generator(seed, (batch_key, s)), n, BATCH, steps) for s in range(seeds)]
    )
    inits = mlp.init_params(
        shapes, [generator(seed, (stable_key("figure2", "init"), s)) for s in range(seeds)]
    )
    with _blas_one_thread(), np.errstate(all="ignore"):
        res = mlp.train(
            data,
            mus=mu,
            delays=delays[lane],
            batches=batches[lane],
            init=inits[lane],
            eta=eta,
            hidden=HIDDEN,
        )
    return {
        "eta": eta,
        "W": workers,
        "steps": steps,
        "checkpoints": res.checkpoints,
        "runs": [
            {
                "eta": eta,
                "W": workers,
                "mu": float(mu[i]),
                "seed_index": int(lane[i]),
                "val_accuracy": float(res.val_accuracy[i]),
                "val_loss": float(res.val_loss[i]),
                "train_loss": float(res.train_loss[i]),
                "diverged": bool(res.diverged[i]),
                "delay_mean": float(res.delay_mean[i]),
                "delay_max": int(res.delay_max[i]),
                "val_accuracy_at": res.val_accuracy_at[i],
            }
            for i in range(mu.size)
        ],
    }


def results_path(out: Path, scale: str, seed: int = ROOT_SEED) -> Path:
    """The raw-results file of a scale (and of a root seed other than the default)."""
    tag = "" if seed == ROOT_SEED else f"-seed{seed}"
    return Path(out) / f"figure2-{check_scale(scale)}{tag}.json"


Plan = Callable[[int], object]
Tick = Callable[[], object]


def compute(
    scale: str,
    out: Path,
    *,
    seed: int = ROOT_SEED,
    plan: Plan | None = None,
    tick: Tick | None = None,
) -> dict[str, object]:
    """Train every (eta, W) group not yet in ``out``'s results file of this scale and root
    ``seed``, writing the file after each group (so an interrupted run loses at most the group
    in progress); returns the raw results (``complete`` true once every group is there)."""
    sc = get_scale(scale)
    data = load_digits_split(seed)
    path = results_path(out, scale, seed)
    want = json_clean(settings(scale, seed))
    old = read_json(path)
    groups = list(old["groups"]) if old and old.get("settings") == want else []
    done = {(g["eta"], g["W"]) for g in groups}
    todo = [(e, w) for e in sc.etas for w in WORKERS if (e, w) not in done]
    if plan is not None:
        plan(len(todo))
    raw: dict[str, object] = {
        "experiment": "figure2",
        "claim": "C13",
        "scale": scale,
        "settings": want,
        "seeds": "run (eta, W, mu, s): init and batches from SeedSequence(seed, spawn_key="
        "(stable_key('figure2', 'init'|'batches'), s)), delays from (stable_key('figure2', "
        "'delays', W), s) (simulate.seeds)",
        "packages": package_versions(("scikit-learn", "threadpoolctl")),
        "complete": False,
        "groups": groups,
    }
    for eta, workers in todo:
        t0 = time.perf_counter()
        group = train_group(data, eta, workers, sc.seeds, sc.epochs, seed)
        group["seconds"] = time.perf_counter() - t0
        groups.append(group)
        write_json(path, raw)
        if tick is not None:
            tick()
    groups.sort(key=lambda g: (g["eta"], g["W"]))
    raw["complete"] = True
    write_json(path, raw)
    return raw


def load_complete(scale: str, out: Path | None = None, seed: int = ROOT_SEED) -> dict | None:
    """The raw results of a finished run with this scale's settings and root ``seed`` (in
    ``out``, default :data:`DEFAULT_OUT`), or None."""
    raw = read_json(results_path(DEFAULT_OUT if out is None else out, scale, seed))
    if raw and raw.get("complete") and raw.get("settings") == json_clean(settings(scale, seed)):
        return raw
    return None


# --- analysis ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """Accuracies acc[eta, W, mu, seed] (diverged runs keep their final accuracy)."""

    etas: tuple[float, ...]
    acc: np.ndarray
    diverged: np.ndarray
    val_size: int


def grid(raw: dict) -> Grid:
    etas = tuple(float(e) for e in raw["settings"]["etas"])
    seeds = int(raw["settings"]["seeds"])
    acc = np.full((len(etas), len(WORKERS), len(MUS), seeds), np.nan)
    div = np.zeros(acc.shape, dtype=bool)
    for g in raw["groups"]:
        i, j = etas.index(float(g["eta"])), WORKERS.index(int(g["W"]))
        for r in g["runs"]:
            k = MUS.index(float(r["mu"]))
            acc[i, j, k, r["seed_index"]] = r["val_accuracy"]
            div[i, j, k, r["seed_index"]] = r["diverged"]
    if np.isnan(acc).any():
        raise ParameterError("results", "incomplete", "every (eta, W, mu, seed) run")
    return Grid(etas, acc, div, int(raw["settings"]["val_size"]))


def t_ci(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float, float]:
    """(mean, SE, low, high) over the last axis, Student t."""
    n = x.shape[-1]
    m = float(x.mean())
    se = float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else math.inf
    half = float(sps.t.ppf(0.5 + level / 2, n - 1)) * se if n > 1 else math.inf
    return m, se, m - half, m + half


def _rng(seed: int, *key: object) -> np.random.Generator:
    return generator(seed, (stable_key("figure2", *key),))


def bootstrap_best(g: Grid, n_boot: int, seed: int = ROOT_SEED) -> np.ndarray:
    """Best momentum index per (replicate, eta, W) (highest mean accuracy): seeds resampled
    jointly in every cell (scipy.stats.bootstrap's resamples, the pairing kept)."""
    n_eta, n_w = g.acc.shape[:2]

    def best_index(idx: np.ndarray, axis: int = -1) -> np.ndarray:
        means = g.acc[..., idx].mean(axis=-1)  # (eta, W, mu, batch)
        return means.argmax(axis=2).reshape(n_eta * n_w, -1).astype(float)

    if g.acc.shape[-1] < 2:
        raise ParameterError("seeds", g.acc.shape[-1], ">= 2 for a bootstrap over seeds")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a cell whose best momentum never changes: degenerate
        res = sps.bootstrap(
            (np.arange(g.acc.shape[-1]),),
            best_index,
            n_resamples=n_boot,
            batch=500,
            vectorized=True,
            method="percentile",
            rng=_rng(seed, "bootstrap"),
        )
    dist = res.bootstrap_distribution.reshape(n_eta, n_w, n_boot)
    return np.moveaxis(dist, -1, 0).astype(int)  # (n_boot, eta, W)


_LOG_W = np.log2(np.array(WORKERS, dtype=float))
SLOPE_WEIGHTS = (_LOG_W - _LOG_W.mean()) / np.sum((_LOG_W - _LOG_W.mean()) ** 2)


def _slope(best_mu: np.ndarray) -> np.ndarray:
    """Least-squares slope of best mu against log2 W (over the last axis), per doubling of W."""
    return np.round(best_mu @ SLOPE_WEIGHTS, 12)  # an equal best mu for every W gives exactly 0


def run_best_mu(acc: np.ndarray) -> np.ndarray:
    """Each run's best momentum, acc[..., mu, seed] -> [..., seed]: the momentum of the highest
    final accuracy of that seed (common random numbers: the runs of one seed differ only in mu),
    the mean of the momenta when several tie (accuracies are multiples of 1/val_size)."""
    top = acc == acc.max(axis=-2, keepdims=True)
    mus = np.array(MUS)[:, None]
    return (top * mus).sum(axis=-2) / top.sum(axis=-2)


def direction(acc: np.ndarray, n_boot: int, seed: int, key: object = "") -> dict[str, object]:
    """Does the best momentum fall as W grows? acc[W, mu, seed] at one step size.

    Statistic: the least-squares slope, per doubling of W, of the mean over seeds of each run's
    best momentum (:func:`run_best_mu`) against log2 W. Null (the theory "the best momentum does
    not depend on W"): the four W labels are exchangeable within each seed; the permutation
    test (scipy.stats.permutation_test, ``permutation_type="samples"``: the W labels permuted
    within seed, :data:`N_PERMUTATIONS` resamples) gives the one-sided p-values (falls:
    ``less``; rises: ``greater``), the two-sided one, and the null distribution, whose standard
    deviation is the statistic's SE under the null (``z`` = slope / SE; the statistic is a
    mean over independent seeds, so nearly normal). Verdict at the level :data:`ALPHA`:
    ``shown`` if p(falls) <= ALPHA, ``opposite`` if p(rises) <= ALPHA, ``no change`` if every
    run's best momentum is the same at every W, else ``not shown``. A seed bootstrap
    (scipy.stats.bootstrap, percentile) gives a 95% CI of the slope and its SE; ``mdd`` is the
    smallest fall (per doubling) the test detects with probability 0.9: the null's critical
    value plus 1.28 bootstrap SEs. ``best_mu_slope`` (added by :func:`analyse`): the slope of
    the paper's best momentum (highest mean accuracy per W), for display; its discreteness
    makes it a poor test statistic.
    """
    n_w, _, seeds = acc.shape
    best = run_best_mu(acc)  # (W, seed)
    flat = best.reshape(-1)

    def statistic(*samples: np.ndarray, axis: int = -1) -> np.ndarray:
        # each sample holds flat indices w * seeds + s; a permutation moves them between samples
        return _slope(np.moveaxis(flat[np.stack(samples)].mean(axis=-1), 0, -1))

    data = tuple(j * seeds + np.arange(seeds) for j in range(n_w))
    tests = {}
    for alt in ("less", "greater", "two-sided"):
        tests[alt] = sps.permutation_test(
            data,
            statistic,
            permutation_type="samples",
            vectorized=True,
            n_resamples=N_PERMUTATIONS,
            batch=2000,
            alternative=alt,
            rng=_rng(seed, "permutation", key),  # the same permutations for every alternative
        )
    slope = float(tests["less"].statistic) + 0.0  # no "-0"
    null_sd = float(np.std(tests["less"].null_distribution))
    z = slope / null_sd if null_sd > 0 else (0.0 if slope == 0 else math.copysign(math.inf, slope))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a slope that never changes: degenerate
        boot = sps.bootstrap(
            (np.arange(seeds),),
            lambda i, axis=-1: _slope(np.moveaxis(best[:, i].mean(axis=-1), 0, -1)),
            n_resamples=n_boot,
            vectorized=True,
            method="percentile",
            rng=_rng(seed, "slope-bootstrap", key),
        )
    lo, hi = (float(x) + 0.0 for x in (boot.confidence_interval.low, boot.confidence_interval.high))
    p_falls, p_rises = float(tests["less"].pvalue), float(tests["greater"].pvalue)
    if null_sd == 0 and slope == 0:
        verdict = "no change"
    elif p_falls <= ALPHA:
        verdict = "shown"
    elif p_rises <= ALPHA:
        verdict = "opposite"
    else:
        verdict = "not shown"
    critical = float(np.quantile(tests["less"].null_distribution, ALPHA))
    mdd = -critical + Z_POWER * float(boot.standard_error)
    return {
        "statistic": "slope per doubling of W of the mean (over seeds) of each run's best mu",
        "slope_per_doubling": slope,
        "mean_run_best_mu": [float(x) for x in best.mean(axis=-1)],
        "null_sd": null_sd,
        "z": z,
        "alpha": ALPHA,
        "p_falls": p_falls,
        "p_rises": p_rises,
        "p_two_sided": float(tests["two-sided"].pvalue),
        "n_permutations": N_PERMUTATIONS,
        "slope_ci": [lo, hi],
        "slope_se": float(boot.standard_error),
        "mdd": mdd,
        "verdict": verdict,
    }


def p_text(p: float, n: int = N_PERMUTATIONS) -> str:
    """A permutation p-value in words (scipy's (b + 1)/(n + 1): at b = 0 no permutation was as
    extreme)."""
    if p <= (1 + 1e-9) / (n + 1):
        return f"p = {p:.1g}, none of {n} permutations as extreme"
    return f"p = {p:.2g}"


def direction_text(d: Mapping) -> str:
    """'the direction is shown: p = ... (...)' / 'the direction is not shown: p = 0.31 (...)'."""
    nums = (
        f"level {d['alpha']:g}; slope of each run's best mu per doubling of W "
        f"{d['slope_per_doubling']:+.3f}, z = {d['z']:+.1f} against the permutation null, 95% "
        f"bootstrap CI [{d['slope_ci'][0]:+.3f}, {d['slope_ci'][1]:+.3f}]; the test detects a "
        f"fall of {d['mdd']:.3f} per doubling"
    )
    n = d.get("n_permutations", N_PERMUTATIONS)
    if d["verdict"] == "shown":
        return f"the direction is shown: {p_text(d['p_falls'], n)} ({nums})"
    if d["verdict"] == "opposite":
        return f"the direction is not shown, the opposite is: {p_text(d['p_rises'], n)} ({nums})"
    if d["verdict"] == "no change":
        return "the direction is not shown: every run's best momentum is the same at every W"
    return f"the direction is not shown: {p_text(d['p_falls'], n)} ({nums})"


def analyse(raw: dict, paper_best: Mapping[int, float] | None = None) -> dict[str, object]:
    """Per (eta, W, mu) accuracy with CI; per (eta, W) best mu with its bootstrap distribution;
    per eta the direction (module docstring); ``paper_best``: the paper's best momentum per W
    (C13's values), shown beside the measured one. Resampling is seeded from the results' root
    seed."""
    g = grid(raw)
    n_boot = int(raw["settings"]["n_boot"])
    seed = int(raw["settings"].get("seed", ROOT_SEED))
    boot = bootstrap_best(g, n_boot, seed)
    mus = np.array(MUS)
    main = PRIMARY_ETA if PRIMARY_ETA in g.etas else g.etas[len(g.etas) // 2]
    per_eta = []
    for i, eta in enumerate(g.etas):
        cells, best = [], []
        for j, w in enumerate(WORKERS):
            stats_ = [t_ci(g.acc[i, j, k]) for k in range(len(MUS))]
            k_best = int(np.argmax([s[0] for s in stats_]))
            counts = np.bincount(boot[:, i, j], minlength=len(MUS)) / n_boot
            best.append(MUS[k_best])
            cells.append(
                {
                    "W": w,
                    "accuracy": [
                        {
                            "mu": m,
                            "mean": s[0],
                            "se": s[1],
                            "ci": [s[2], s[3]],
                            "diverged": int(g.diverged[i, j, k].sum()),
                        }
                        for k, (m, s) in enumerate(zip(MUS, stats_, strict=True))
                    ],
                    "best_mu": MUS[k_best],
                    "best_mu_bootstrap": {
                        str(m): float(c) for m, c in zip(MUS, counts, strict=True)
                    },
                    "best_mu_ci": list(percentile_ci(mus[boot[:, i, j]], discrete=True)),
                    "paper_best_mu": None if paper_best is None else paper_best.get(w),
                }
            )
        d = direction(g.acc[i], n_boot, seed, eta)
        d["best_mu_slope"] = float(_slope(np.array(best))) + 0.0
        per_eta.append({"eta": eta, "primary": eta == main, "workers": cells, "direction": d})
    return {"per_eta": per_eta, "n_boot": n_boot, "val_size": g.val_size, "seed": seed}


def primary(analysis: dict) -> dict:
    return next(e for e in analysis["per_eta"] if e["primary"])


def plot_summary(analysis: dict, scale: str) -> dict[str, object]:
    """Plain numbers for :func:`reports.plots.plot_figure2` (one panel per step size)."""
    panels = []
    for e in analysis["per_eta"]:
        panels.append(
            {
                "title": f"eta = {e['eta']:g}" + (" (primary)" if e["primary"] else ""),
                "mus": list(MUS),
                "workers": [
                    {
                        "W": c["W"],
                        "mean": [a["mean"] for a in c["accuracy"]],
                        "ci_low": [a["ci"][0] for a in c["accuracy"]],
                        "ci_high": [a["ci"][1] for a in c["accuracy"]],
                        "best_mu": c["best_mu"],
                    }
                    for c in e["workers"]
                ],
            }
        )
    return {
        "title": f"Async-MSGD, MLP on digits (Figure 2 analogue), {scale} scale",
        "panels": panels,
    }


def markdown(analysis: dict) -> str:
    """Per step size: the direction test, then the accuracy per (W, mu) with 95% CI, the best mu
    with its bootstrap frequency, the mean of each run's best mu, and the paper's best mu."""
    out = []
    for e in analysis["per_eta"]:
        d = e["direction"]
        out.append(
            f"**eta = {e['eta']:g}**{' (primary)' if e['primary'] else ''}: does the best "
            f"momentum fall as W grows? **{direction_text(d)}**\n"
        )
        out.append(
            "| W | " + " | ".join(f"mu = {m:g}" for m in MUS) + " | best mu (bootstrap "
            "freq.) [95% CI] | mean of each run's best mu | paper's best |"
        )
        out.append("|---" * (len(MUS) + 4) + "|")
        for c, run_best in zip(e["workers"], d["mean_run_best_mu"], strict=True):
            accs = " | ".join(
                f"{a['mean']:.4f} [{a['ci'][0]:.4f}, {a['ci'][1]:.4f}]"
                + (f" ({a['diverged']} div.)" if a["diverged"] else "")
                for a in c["accuracy"]
            )
            freq = c["best_mu_bootstrap"][str(c["best_mu"])]
            lo, hi = c["best_mu_ci"]
            out.append(
                f"| {c['W']} | {accs} | {c['best_mu']:g} ({freq:.2f}) [{lo:g}, {hi:g}] | "
                f"{run_best:.3f} | "
                f"{'-' if c['paper_best_mu'] is None else format(c['paper_best_mu'], 'g')} |"
            )
        out.append("")
    return "\n".join(out)
