"""Figure 2's CPU analogue (C13): the NumPy MLP (gradient, stale reads against a transparent
loop, divergence guard), the analysis (best momentum, direction), and, when scikit-learn is
installed, a tiny end-to-end run with resume, the plot, the CLI and the C13 check."""

from __future__ import annotations

import argparse
import importlib.util

import numpy as np
import pytest

from checks.claims import c13_figure2 as c13
from checks.experiments import figure2 as f2
from checks.experiments import mlp
from checks.experiments.common import read_json
from checks.profile import get_profile
from theory.validation import ParameterError

HAVE_SKLEARN = importlib.util.find_spec("sklearn") is not None
needs_sklearn = pytest.mark.skipif(not HAVE_SKLEARN, reason="scikit-learn (extra figure2) missing")


def _data(n: int = 120, d: int = 5, classes: int = 3, seed: int = 0) -> mlp.Dataset:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n + 40, d))
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5).astype(int)
    return mlp.Dataset("synthetic", x[:n], y[:n], x[n:], y[n:], classes)


# --- the MLP ----------------------------------------------------------------------------------


def test_gradient_matches_finite_differences():
    data = _data()
    sh = mlp.Shapes(data.d, 4, data.classes)
    theta = mlp.init_params(sh, [np.random.default_rng(i) for i in range(2)])
    x = np.stack([data.x_train[:7], data.x_train[7:14]])
    y = np.stack([data.y_train[:7], data.y_train[7:14]])
    _, g = mlp.loss_and_grad(sh, theta, x, y)
    rng = np.random.default_rng(3)
    for j in rng.choice(sh.size, 12, replace=False):
        e = np.zeros_like(theta)
        e[:, j] = 1e-6
        up, _ = mlp.loss_and_grad(sh, theta + e, x, y)
        dn, _ = mlp.loss_and_grad(sh, theta - e, x, y)
        np.testing.assert_allclose(g[:, j], (up - dn) / 2e-6, rtol=1e-5, atol=1e-8)


def _reference(data, mu, delays, batches, init, eta, hidden):
    """Async-MSGD for one run, written out: a list of every iterate, theta_{-1} = theta_0."""
    sh = mlp.Shapes(data.d, hidden, data.classes)
    etas = mlp.step_sizes(eta, delays.size)
    thetas = [init.copy()]
    prev = init.copy()
    for k in range(delays.size):
        stale = thetas[k - delays[k]]
        idx = batches[k]
        _, g = mlp.loss_and_grad(sh, stale[None], data.x_train[idx][None], data.y_train[idx][None])
        new = thetas[k] + mu * (thetas[k] - prev) - etas[k] * g[0]
        prev = thetas[k]
        thetas.append(new)
    return thetas[-1]


def test_stale_reads_and_momentum_match_a_transparent_loop():
    data = _data()
    hidden, steps, runs = 4, 40, 3
    sh = mlp.Shapes(data.d, hidden, data.classes)
    rng = np.random.default_rng(5)
    delays = np.minimum(rng.integers(0, 6, (runs, steps)), np.arange(steps))
    batches = np.stack([mlp.epoch_batches(rng, data.y_train.size, 8, steps) for _ in range(runs)])
    init = mlp.init_params(sh, [np.random.default_rng(i) for i in range(runs)])
    mus = np.array([0.0, 0.5, 0.9])
    res = mlp.train(
        data, mus=mus, delays=delays, batches=batches, init=init, eta=0.1, hidden=hidden
    )
    for r in range(runs):
        ref = _reference(data, mus[r], delays[r], batches[r], init[r], 0.1, hidden)
        acc = mlp.accuracy(sh, ref[None], data.x_val, data.y_val)[0]
        assert res.val_accuracy[r] == pytest.approx(acc)
        loss = mlp.mean_loss(sh, ref[None], data.x_val, data.y_val)[0]
        assert res.val_loss[r] == pytest.approx(loss, rel=1e-12)
    # a run's numbers do not depend on the others in its batch
    alone = mlp.train(
        data,
        mus=mus[1:2],
        delays=delays[1:2],
        batches=batches[1:2],
        init=init[1:2],
        eta=0.1,
        hidden=hidden,
    )
    assert alone.val_loss[0] == pytest.approx(res.val_loss[1], rel=1e-12)


def test_divergence_is_frozen_and_flagged():
    data = _data()
    sh = mlp.Shapes(data.d, 4, data.classes)
    steps = 60
    rng = np.random.default_rng(0)
    batches = np.stack([mlp.epoch_batches(rng, data.y_train.size, 8, steps) for _ in range(2)])
    delays = np.minimum(np.full((2, steps), 10), np.arange(steps))
    init = mlp.init_params(sh, [np.random.default_rng(i) for i in range(2)])
    with np.errstate(all="ignore"):
        res = mlp.train(
            data,
            mus=np.array([0.99, 0.0]),
            delays=delays,
            batches=batches,
            init=init,
            eta=50.0,
            hidden=4,
        )
    assert res.diverged[0]
    assert np.isfinite(res.val_accuracy).all()


def test_schedule_batches_and_validation():
    eta = mlp.step_sizes(1.0, 10)
    np.testing.assert_allclose(eta, [1, 1, 1, 0.2, 0.2, 0.2, 0.04, 0.04, 0.008, 0.008])
    b = mlp.epoch_batches(np.random.default_rng(0), 10, 3, 7)
    assert b.shape == (7, 3)
    assert len(set(b[:3].ravel())) == 9  # one epoch: no index twice
    data = _data()
    sh = mlp.Shapes(data.d, 2, 3)
    init = mlp.init_params(sh, [np.random.default_rng(0)])
    ok = {"batches": np.zeros((1, 3, 2), int), "init": init, "eta": 0.1, "hidden": 2}
    with pytest.raises(ParameterError, match="delays"):
        mlp.train(data, mus=np.array([0.5]), delays=np.array([[0, 2, 0]]), **ok)
    with pytest.raises(ParameterError, match="mu"):
        mlp.train(data, mus=np.array([1.0]), delays=np.zeros((1, 3), int), **ok)


# --- the analysis -----------------------------------------------------------------------------


def _raw(best_by_w: dict[int, float], seeds: int = 6, etas=(0.1,), noise: float = 0.001):
    """Synthetic results: accuracy peaks at best_by_w[W]; seed noise shared across cells."""
    rng = np.random.default_rng(0)
    shift = noise * rng.standard_normal(seeds)
    groups = []
    for eta in etas:
        for w in f2.WORKERS:
            runs = []
            for mu in f2.MUS:
                for s in range(seeds):
                    acc = 0.95 - 0.1 * (mu - best_by_w[w]) ** 2 + shift[s]
                    runs.append(
                        {
                            "eta": eta,
                            "W": w,
                            "mu": mu,
                            "seed_index": s,
                            "val_accuracy": acc,
                            "diverged": False,
                        }
                    )
            groups.append({"eta": eta, "W": w, "runs": runs})
    settings = {"etas": list(etas), "seeds": seeds, "n_boot": 200, "val_size": 500}
    return {"settings": settings, "groups": groups}


def test_best_momentum_and_direction():
    falls = f2.analyse(_raw({1: 0.9, 2: 0.7, 4: 0.7, 8: 0.5}), c13.PAPER_BEST)
    p = f2.primary(falls)
    assert [c["best_mu"] for c in p["workers"]] == [0.9, 0.7, 0.7, 0.5]
    assert p["direction"]["verdict"] == "holds"
    assert p["workers"][0]["best_mu_bootstrap"]["0.9"] == 1.0
    rises = f2.primary(f2.analyse(_raw({1: 0.5, 2: 0.7, 4: 0.7, 8: 0.9})))
    assert rises["direction"]["verdict"] == "opposite"
    flat = f2.primary(f2.analyse(_raw({1: 0.9, 2: 0.9, 4: 0.9, 8: 0.9})))
    assert flat["direction"]["verdict"] == "no change"
    assert "holds" in f2.markdown(falls)
    assert "holds" in c13.summary_text(falls)


def test_incomplete_results_are_refused():
    raw = _raw({1: 0.9, 2: 0.7, 4: 0.7, 8: 0.5})
    raw["groups"].pop()
    with pytest.raises(ParameterError, match="results"):
        f2.grid(raw)


# --- end to end (scikit-learn) ----------------------------------------------------------------

TINY = f2.Scale("ci", 2, 1, (0.2,), 50)


@needs_sklearn
def test_compute_resumes_after_an_interruption(monkeypatch, tmp_path):
    monkeypatch.setitem(f2.SCALES, "ci", TINY)
    real = f2.train_group
    calls = []

    def flaky(data, eta, workers, seeds, epochs):
        calls.append(workers)
        if workers == 4 and calls.count(4) == 1:
            raise KeyboardInterrupt
        return real(data, eta, workers, seeds, epochs)

    monkeypatch.setattr(f2, "train_group", flaky)
    with pytest.raises(KeyboardInterrupt):
        f2.compute("ci", tmp_path)
    partial = read_json(f2.results_path(tmp_path, "ci"))
    assert not partial["complete"] and [g["W"] for g in partial["groups"]] == [1, 2]
    raw = f2.compute("ci", tmp_path)
    assert calls == [1, 2, 4, 4, 8]  # W = 1, 2 were not trained again
    assert raw["complete"] and f2.load_complete("ci", tmp_path) is not None
    run = raw["groups"][0]["runs"][0]
    assert {"eta", "W", "mu", "seed_index", "val_accuracy", "diverged"} <= set(run)
    assert raw["packages"]["scikit-learn"] != "not installed"


@needs_sklearn
def test_cli_end_to_end(monkeypatch, tmp_path, capsys):
    from asyncmsgd.commands import figure2 as cli2

    monkeypatch.setitem(f2.SCALES, "ci", TINY)
    parser = argparse.ArgumentParser()
    cli2.register(parser.add_subparsers())
    args = parser.parse_args(["figure2", "--out", str(tmp_path)])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "best momentum falls with W?" in out
    names = {p.name for p in tmp_path.iterdir()}
    assert {"figure2-ci.json", "figure2-ci.md", "figure2-ci.pdf", "figure2-ci.png"} <= names
    assert b"/FontFile2" in (tmp_path / "figure2-ci.pdf").read_bytes()


def test_cli_without_scikit_learn_is_one_line(monkeypatch, tmp_path):
    from asyncmsgd.commands import UsageError
    from asyncmsgd.commands import figure2 as cli2

    def missing():
        raise f2.MissingDependency(f"scikit-learn is not installed: {f2.EXTRA_HINT}")

    monkeypatch.setattr(f2, "load_digits_split", missing)
    parser = argparse.ArgumentParser()
    cli2.register(parser.add_subparsers())
    args = parser.parse_args(["figure2", "--out", str(tmp_path)])
    with pytest.raises(UsageError, match=r"figure2\]"):
        args.func(args)


def test_check_c13_without_scikit_learn_is_pending(monkeypatch, tmp_path):
    def missing():
        raise f2.MissingDependency("scikit-learn is not installed")

    monkeypatch.setattr(f2, "DEFAULT_OUT", tmp_path)
    monkeypatch.setattr(f2, "load_digits_split", missing)
    res = c13.check_figure2(get_profile("ci"))
    assert not res.runnable and res.verdict == "not-reproducible-here"


@needs_sklearn
def test_check_c13_at_ci_scale():
    """The registry's check: the verdict for the original, the analogue's evidence as asserted,
    both wrong theories rejected."""
    res = c13.check_figure2(get_profile("ci"))
    assert res.verdict == "not-reproducible-here" and "GPU" in res.reason
    assert all(e.origin == "interpretation" for e in res.evidence)
    assert res.controls and res.controls_rejected
    assert "best momentum" in res.summary
