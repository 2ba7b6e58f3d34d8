"""Figure 2's CPU analogue (C13): the NumPy MLP (gradient, stale reads against a transparent
loop, divergence guard), the analysis (best momentum, the direction's permutation test, "not
shown" when the data do not resolve it), the C13 items and controls built from it, and, when
scikit-learn is installed, tiny end-to-end runs with resume, the root seed, the plot, the CLI
and the C13 check."""

from __future__ import annotations

import argparse
import importlib.util

import numpy as np
import pytest

from checks.claims import c13_figure2 as c13
from checks.experiments import figure2 as f2
from checks.experiments import mlp
from checks.experiments.common import read_json
from checks.profile import ROOT_SEED, get_profile
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


def _raw(
    best_by_w: dict[int, float],
    seeds: int = 6,
    etas=(0.1,),
    noise: float = 0.001,
    cell_noise: float = 0.0,
):
    """Synthetic results: accuracy peaks at best_by_w[W]; seed noise shared across cells, and
    ``cell_noise`` independent per run."""
    rng = np.random.default_rng(0)
    shift = noise * rng.standard_normal(seeds)
    groups = []
    for eta in etas:
        for w in f2.WORKERS:
            runs = []
            for mu in f2.MUS:
                for s in range(seeds):
                    acc = 0.95 - 0.1 * (mu - best_by_w[w]) ** 2 + shift[s]
                    acc += cell_noise * rng.standard_normal()
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


PAPER_LIKE = {1: 0.9, 2: 0.7, 4: 0.7, 8: 0.5}
NO_TREND = {1: 0.5, 2: 0.5, 4: 0.5, 8: 0.5}


def test_best_momentum_and_direction():
    falls = f2.analyse(_raw(PAPER_LIKE), c13.PAPER_BEST)
    p = f2.primary(falls)
    d = p["direction"]
    assert [c["best_mu"] for c in p["workers"]] == [0.9, 0.7, 0.7, 0.5]
    assert d["mean_run_best_mu"] == pytest.approx([0.9, 0.7, 0.7, 0.5])
    assert d["slope_per_doubling"] == pytest.approx(-0.12) == d["best_mu_slope"]
    # every seed in the falling order: only 2 of a seed's 24 W orders give its slope, so the
    # exact p-value is (1/12)^6; 9999 random permutations give (b + 1)/(n + 1) = 1e-4
    assert d["verdict"] == "shown" and d["p_falls"] <= 2e-4 and d["p_rises"] > 0.99
    assert d["z"] < -3 and d["slope_ci"][1] < 0
    assert p["workers"][0]["best_mu_bootstrap"]["0.9"] == 1.0
    rises = f2.primary(f2.analyse(_raw({1: 0.5, 2: 0.7, 4: 0.7, 8: 0.9})))
    assert rises["direction"]["verdict"] == "opposite"
    flat = f2.primary(f2.analyse(_raw({1: 0.9, 2: 0.9, 4: 0.9, 8: 0.9})))
    assert flat["direction"]["verdict"] == "no change"
    for text in (f2.markdown(falls), c13.summary_text(falls)):
        assert "the direction is shown: p = 0.0001" in text and "holds" not in text


def test_an_unresolved_direction_is_not_shown_with_its_p_value():
    """No dependence on W, per-run noise larger than the momentum effect: the test must not
    call the direction shown, and the text gives the p-value, never "holds"."""
    raw = _raw(NO_TREND, seeds=12, cell_noise=0.02)
    d = f2.primary(f2.analyse(raw))["direction"]
    assert d["verdict"] == "not shown"
    assert 0.01 < d["p_two_sided"] <= 1 and d["p_falls"] > f2.ALPHA
    text = c13.summary_text(f2.analyse(raw, c13.PAPER_BEST))
    assert f"the direction is not shown: p = {d['p_falls']:.2g}" in text
    assert "holds" not in text and "is shown" not in text


def test_the_permutation_null_holds_its_level():
    """Under the null (W has no effect at all) the one-sided p-value is about uniform: over 40
    synthetic data sets, at most a few fall below 0.1 and none below the level."""
    ps = []
    for k in range(40):
        rng = np.random.default_rng(100 + k)
        acc = 0.9 + 0.01 * rng.standard_normal((len(f2.WORKERS), len(f2.MUS), 10))
        acc = np.round(acc * 500) / 500  # ties, as with 500 validation images
        ps.append(f2.direction(acc, 200, seed=k)["p_falls"])
    ps = np.array(ps)
    assert (ps <= f2.ALPHA).sum() == 0
    assert (ps <= 0.1).sum() <= 10 and (ps > 0.5).sum() >= 12


def test_run_best_mu_averages_ties():
    acc = np.zeros((1, len(f2.MUS), 2))
    acc[0, :, 0] = [0.1, 0.2, 0.9, 0.9, 0.3]  # mu = 0.5 and 0.7 tie
    acc[0, :, 1] = [0.9, 0.2, 0.1, 0.1, 0.3]
    np.testing.assert_allclose(f2.run_best_mu(acc), [[0.6, 0.1]])


def _direction(best_by_w, **kw):
    return f2.primary(f2.analyse(_raw(best_by_w, **kw)))


def test_c13_direction_items_and_controls():
    """The direction item passes and both controls are rejected when the data show the fall;
    with no dependence on W the item fails (not shown) and the null control is accepted: the
    controls are theories the data could have supported."""
    e = _direction(PAPER_LIKE)
    falls, null, rises = c13._direction_items(e["direction"], e["eta"], 6)
    assert falls.passed and falls.origin == "interpretation" and falls.form == "direction"
    assert "shown: p = 0.0001" in falls.note
    assert not null.passed and not rises.passed
    e = _direction(NO_TREND, seeds=12, cell_noise=0.02)
    falls, null, rises = c13._direction_items(e["direction"], e["eta"], 12)
    assert not falls.passed and "not shown: p = " in falls.note
    assert null.passed and not rises.passed
    e = _direction({1: 0.5, 2: 0.7, 4: 0.7, 8: 0.9})
    falls, null, rises = c13._direction_items(e["direction"], e["eta"], 6)
    assert not falls.passed and not null.passed and rises.passed


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

    def flaky(data, eta, workers, seeds, epochs, seed):
        calls.append(workers)
        if workers == 4 and calls.count(4) == 1:
            raise KeyboardInterrupt
        return real(data, eta, workers, seeds, epochs, seed)

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


def test_results_are_tagged_by_a_root_seed_other_than_the_default(tmp_path):
    assert f2.results_path(tmp_path, "ci").name == "figure2-ci.json"
    assert f2.results_path(tmp_path, "ci", ROOT_SEED).name == "figure2-ci.json"
    assert f2.results_path(tmp_path, "paper", 7).name == "figure2-paper-seed7.json"
    assert f2.settings("ci", 7)["seed"] == 7 and f2.settings("ci")["seed"] == ROOT_SEED


@needs_sklearn
def test_a_run_depends_on_the_root_seed_and_its_index_only():
    """Run (mu, s) is the same whether 2 or 3 seeds are trained; another root seed changes its
    delays, initialisation and batches, not only the split."""
    data = f2.load_digits_split()
    two, three = (f2.train_group(data, 0.2, 4, n, 1) for n in (2, 3))
    by = {(r["mu"], r["seed_index"]): r for r in three["runs"]}
    for r in two["runs"]:
        q = by[(r["mu"], r["seed_index"])]
        assert all(r[k] == q[k] for k in ("val_accuracy", "val_loss", "delay_mean", "delay_max"))
        np.testing.assert_array_equal(r["val_accuracy_at"], q["val_accuracy_at"])
    other = f2.train_group(data, 0.2, 4, 2, 1, seed=7)
    assert [r["delay_mean"] for r in other["runs"]] != [r["delay_mean"] for r in two["runs"]]
    assert [r["val_loss"] for r in other["runs"]] != [r["val_loss"] for r in two["runs"]]


@needs_sklearn
def test_check_c13_honours_the_profile_seed(monkeypatch, tmp_path):
    """verify --seed 7: the analogue trains from root seed 7 (split, inits, batches, delays)
    into its own file; the default seed's file is neither read nor written."""
    monkeypatch.setitem(f2.SCALES, "ci", TINY)
    monkeypatch.setattr(f2, "DEFAULT_OUT", tmp_path)
    res = c13.check_figure2(get_profile("ci", seed=7))
    assert res.details["seed"] == 7 and res.details["results_file"].endswith("ci-seed7.json")
    raw7 = read_json(tmp_path / "figure2-ci-seed7.json")
    assert raw7["settings"]["seed"] == 7 and not (tmp_path / "figure2-ci.json").exists()
    raw0 = f2.compute("ci", tmp_path)
    acc7 = [r["val_accuracy"] for g in raw7["groups"] for r in g["runs"]]
    acc0 = [r["val_accuracy"] for g in raw0["groups"] for r in g["runs"]]
    assert acc7 != acc0
    assert not np.array_equal(f2.load_digits_split(7).y_val, f2.load_digits_split().y_val)
    again = f2.train_group(f2.load_digits_split(7), 0.2, 2, 2, 1, 7)
    assert [r["val_accuracy"] for r in again["runs"]] == [
        r["val_accuracy"] for r in raw7["groups"][1]["runs"]
    ]


@needs_sklearn
def test_cli_end_to_end(monkeypatch, tmp_path, capsys):
    from asyncmsgd.commands import figure2 as cli2

    monkeypatch.setitem(f2.SCALES, "ci", TINY)
    parser = argparse.ArgumentParser()
    cli2.register(parser.add_subparsers())
    args = parser.parse_args(["figure2", "--out", str(tmp_path)])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "does the best momentum fall as W grows?" in out
    names = {p.name for p in tmp_path.iterdir()}
    assert {"figure2-ci.json", "figure2-ci.md", "figure2-ci.pdf", "figure2-ci.png"} <= names
    assert b"/FontFile2" in (tmp_path / "figure2-ci.pdf").read_bytes()


def test_cli_without_scikit_learn_is_one_line(monkeypatch, tmp_path):
    from asyncmsgd.commands import UsageError
    from asyncmsgd.commands import figure2 as cli2

    def missing(*_):
        raise f2.MissingDependency(f"scikit-learn is not installed: {f2.EXTRA_HINT}")

    monkeypatch.setattr(f2, "load_digits_split", missing)
    parser = argparse.ArgumentParser()
    cli2.register(parser.add_subparsers())
    args = parser.parse_args(["figure2", "--out", str(tmp_path)])
    with pytest.raises(UsageError, match=r"figure2\]"):
        args.func(args)


def test_check_c13_without_scikit_learn_is_pending(monkeypatch, tmp_path):
    def missing(*_):
        raise f2.MissingDependency("scikit-learn is not installed")

    monkeypatch.setattr(f2, "DEFAULT_OUT", tmp_path)
    monkeypatch.setattr(f2, "load_digits_split", missing)
    res = c13.check_figure2(get_profile("ci"))
    assert not res.runnable and res.verdict == "not-reproducible-here"


@needs_sklearn
def test_check_c13_at_ci_scale():
    """The registry's check at the ci scale (40 seeds): the verdict for the original, the
    analogue's evidence as asserted (the direction shown with its p-value), every control
    (theories that could have been true, one a near miss) rejected."""
    res = c13.check_figure2(get_profile("ci"))
    assert res.verdict == "not-reproducible-here" and "GPU" in res.reason
    assert all(e.origin == "interpretation" for e in res.evidence)
    assert all(e.passed for e in res.evidence), [e.describe() for e in res.evidence]
    assert res.details["seeds"] >= 20
    assert res.controls and res.controls_rejected, [c.describe() for c in res.controls]
    assert any(c.near_miss for c in res.controls)
    assert "the direction is shown: p = " in res.summary and "holds" not in res.summary
