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
  standard one for synchronous momentum 0.9; ours is a grid eta in {0.05, 0.1, 0.2} (paper
  scale; ci: {0.1, 0.2}) with eta = 0.1 primary, so that the answer's dependence on the step is
  visible rather than tuned away;
* seeds: run s has its initialisation and minibatch order from SeedSequence(seed,
  spawn_key=(key, s)) shared by every (eta, W, mu) (common random numbers: comparisons between
  momenta are paired), and its delays from a stream keyed by (W, s).

Reported per (eta, W, mu): the mean final validation accuracy over seeds with a Student-t 95%
CI; per (eta, W): the best momentum (highest mean) and its bootstrap distribution over seeds
(seeds resampled jointly across all cells, keeping the pairing); per eta: whether the best
momentum falls as W grows (:func:`direction`). Results are written group by group (one
(eta, W) at a time) to the raw-results file, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats as sps

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
from checks.profile import ROOT_SEED
from simulate.delays import ParameterServer, ps_delays
from simulate.seeds import generator, stable_key
from theory.validation import ParameterError

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
    "ci": Scale("ci", 4, 15, (0.1, 0.2), 400),
    "paper": Scale("paper", 20, 30, (0.05, 0.1, 0.2), 2000),
}


def get_scale(name: str) -> Scale:
    return SCALES[check_scale(name)]


class MissingDependency(ImportError):
    """scikit-learn (the optional extra ``figure2``) is not installed."""


def load_digits_split() -> mlp.Dataset:
    """scikit-learn's bundled digits, split and standardised (module docstring)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise MissingDependency(f"scikit-learn is not installed: {EXTRA_HINT}") from None
    digits = load_digits()
    x = np.asarray(digits.data, dtype=float) / 16.0
    y = np.asarray(digits.target, dtype=np.int64)
    perm = generator(ROOT_SEED, (stable_key("figure2", "split"),)).permutation(y.size)
    val, train = perm[:VAL_SIZE], perm[VAL_SIZE:]
    mean, sd = x[train].mean(axis=0), x[train].std(axis=0) + STD_FLOOR
    x = (x - mean) / sd
    return mlp.Dataset("sklearn digits (8x8)", x[train], y[train], x[val], y[val], 10)


def settings(scale: str) -> dict[str, object]:
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
        "seed": ROOT_SEED,
        "n_boot": sc.n_boot,
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


def train_group(data: mlp.Dataset, eta: float, workers: int, seeds: int, epochs: int) -> dict:
    """Every (mu, seed) run at one (eta, W): per-run records (plain lists)."""
    steps = steps_for(data, epochs)
    shapes = mlp.Shapes(data.d, HIDDEN, data.classes)
    mu = np.repeat(MUS, seeds)
    seed = np.tile(np.arange(seeds), len(MUS))
    model = ParameterServer(workers)
    n = data.y_train.size
    delay_key, batch_key = (
        stable_key("figure2", "delays", workers),
        stable_key("figure2", "batches"),
    )
    delays = np.stack(
        [ps_delays(model, generator(ROOT_SEED, (delay_key, s)), steps) for s in range(seeds)]
    )
    batches = np.stack(
        [
            mlp.epoch_batches(generator(ROOT_SEED, (batch_key, s)), n, BATCH, steps)
            for s in range(seeds)
        ]
    )
    inits = mlp.init_params(
        shapes, [generator(ROOT_SEED, (stable_key("figure2", "init"), s)) for s in range(seeds)]
    )
    with _blas_one_thread(), np.errstate(all="ignore"):
        res = mlp.train(
            data,
            mus=mu,
            delays=delays[seed],
            batches=batches[seed],
            init=inits[seed],
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
                "seed_index": int(seed[i]),
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


def results_path(out: Path, scale: str) -> Path:
    return Path(out) / f"figure2-{check_scale(scale)}.json"


Plan = Callable[[int], object]
Tick = Callable[[], object]


def compute(
    scale: str, out: Path, *, plan: Plan | None = None, tick: Tick | None = None
) -> dict[str, object]:
    """Train every (eta, W) group not yet in ``out``'s results file, writing the file after each
    group (so an interrupted run loses at most the group in progress); returns the raw results
    (``complete`` true once every group is there)."""
    sc = get_scale(scale)
    data = load_digits_split()
    path = results_path(out, scale)
    want = json_clean(settings(scale))
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
        group = train_group(data, eta, workers, sc.seeds, sc.epochs)
        group["seconds"] = time.perf_counter() - t0
        groups.append(group)
        write_json(path, raw)
        if tick is not None:
            tick()
    groups.sort(key=lambda g: (g["eta"], g["W"]))
    raw["complete"] = True
    write_json(path, raw)
    return raw


def load_complete(scale: str, out: Path | None = None) -> dict | None:
    """The raw results of a finished run with this scale's settings (in ``out``, default
    :data:`DEFAULT_OUT`), or None."""
    raw = read_json(results_path(DEFAULT_OUT if out is None else out, scale))
    if raw and raw.get("complete") and raw.get("settings") == json_clean(settings(scale)):
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


def bootstrap_best(g: Grid, n_boot: int) -> np.ndarray:
    """Best momentum index per (replicate, eta, W): seeds resampled jointly everywhere."""
    seeds = g.acc.shape[-1]
    rng = generator(ROOT_SEED, (stable_key("figure2", "bootstrap"),))
    idx = rng.integers(0, seeds, size=(n_boot, seeds))
    means = g.acc[..., idx].mean(axis=-1)  # (eta, W, mu, n_boot)
    return np.moveaxis(means.argmax(axis=2), -1, 0)  # (n_boot, eta, W)


def _slope(best_mu: np.ndarray) -> np.ndarray:
    """Least-squares slope of best mu against log2 W (over the last axis)."""
    x = np.log2(np.array(WORKERS, dtype=float))
    w = (x - x.mean()) / np.sum((x - x.mean()) ** 2)
    return np.round(best_mu @ w, 12)  # an equal best mu for every W gives exactly 0


def direction(best_mu: np.ndarray, boot_best_mu: np.ndarray) -> dict[str, object]:
    """Does the best momentum fall as W grows? From the slope of best mu on log2 W:
    'holds' if its 95% bootstrap interval is below 0, 'opposite' if above, 'no change' if the
    best momentum is the same for every W in (nearly) every replicate, else 'not resolved'."""
    slope = float(_slope(best_mu)) + 0.0  # no "-0"
    boot = _slope(boot_best_mu)
    lo, hi = (x + 0.0 for x in percentile_ci(boot))
    if hi < 0:
        verdict = "holds"
    elif lo > 0:
        verdict = "opposite"
    elif lo == hi == 0.0:
        verdict = "no change"
    else:
        verdict = "not resolved"
    return {
        "slope_per_doubling": slope,
        "slope_ci": [lo, hi],
        "p_falls": float(np.mean(boot < 0)),
        "p_best_w8_below_w1": float(np.mean(boot_best_mu[:, -1] < boot_best_mu[:, 0])),
        "verdict": verdict,
    }


def analyse(raw: dict, paper_best: Mapping[int, float] | None = None) -> dict[str, object]:
    """Per (eta, W, mu) accuracy with CI; per (eta, W) best mu with its bootstrap distribution;
    per eta the direction (module docstring); ``paper_best``: the paper's best momentum per W
    (C13's values), shown beside the measured one."""
    g = grid(raw)
    n_boot = int(raw["settings"]["n_boot"])
    boot = bootstrap_best(g, n_boot)
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
        per_eta.append(
            {
                "eta": eta,
                "primary": eta == main,
                "workers": cells,
                "direction": direction(np.array(best), mus[boot[:, i, :]]),
            }
        )
    return {"per_eta": per_eta, "n_boot": n_boot, "val_size": g.val_size}


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
    """Per step size: accuracy per (W, mu) with 95% CI, the best mu with its bootstrap
    frequency, the paper's best mu, and the direction."""
    out = []
    for e in analysis["per_eta"]:
        d = e["direction"]
        out.append(
            f"**eta = {e['eta']:g}**{' (primary)' if e['primary'] else ''}: best momentum falls "
            f"with W? **{d['verdict']}** (slope of best mu per doubling of W "
            f"{d['slope_per_doubling']:+.3f}, 95% bootstrap CI [{d['slope_ci'][0]:+.3f}, "
            f"{d['slope_ci'][1]:+.3f}]; P(best mu at W=8 < at W=1) = "
            f"{d['p_best_w8_below_w1']:.2f})\n"
        )
        out.append(
            "| W | " + " | ".join(f"mu = {m:g}" for m in MUS) + " | best mu (bootstrap "
            "freq.) [95% CI] | paper's best |"
        )
        out.append("|---" * (len(MUS) + 3) + "|")
        for c in e["workers"]:
            accs = " | ".join(
                f"{a['mean']:.4f} [{a['ci'][0]:.4f}, {a['ci'][1]:.4f}]"
                + (f" ({a['diverged']} div.)" if a["diverged"] else "")
                for a in c["accuracy"]
            )
            freq = c["best_mu_bootstrap"][str(c["best_mu"])]
            lo, hi = c["best_mu_ci"]
            out.append(
                f"| {c['W']} | {accs} | {c['best_mu']:g} ({freq:.2f}) [{lo:g}, {hi:g}] | "
                f"{'-' if c['paper_best_mu'] is None else format(c['paper_best_mu'], 'g')} |"
            )
        out.append("")
    return "\n".join(out)
