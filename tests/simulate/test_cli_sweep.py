"""``asyncmsgd sweep`` and ``asyncmsgd results``: outputs, exit codes, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

import simulate.compute
from asyncmsgd.cli import main
from simulate.store import open_store
from simulate.sweep import load_spec
from tests.simulate.sweep_helpers import SPEC_TOML

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sweep-small.toml"


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SPEC_TOML)
    return path


def sweep(capsys, spec, store, *extra: str) -> tuple[int, str, str]:
    code = main(["sweep", str(spec), "--store", str(store), "--backend", "serial", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_sweep_then_results_in_every_format(capsys, spec, tmp_path):
    store = tmp_path / "s.sqlite"
    code, out, err = sweep(capsys, spec, store)
    assert code == 0, err
    assert "6 cells, 0 already in the store, 6 computed, 0 failed" in out
    assert err == ""  # no progress bar when stderr is not a terminal
    code, out, err = sweep(capsys, spec, store)
    assert code == 0 and "6 already in the store, 0 computed" in out

    assert main(["results", "--store", str(store), "--format", "json"]) == 0
    cells = json.loads(capsys.readouterr().out)
    assert len(cells) == 6 and {c["status"] for c in cells} == {"done"}
    first = cells[0]
    assert first["params"]["mu"] == 0.5 and first["params"]["steps"] == 400
    for key in ("error_mean", "error_ci", "stationary_error", "diverged", "delay_mean"):
        assert key in first["summary"]
    assert first["summary"]["delay_mean"] == first["params"]["tau"]

    assert main(["results", "--store", str(store), "--format", "csv", "--where", "mu=0.8"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["mu"], r["tau"]) for r in rows] == [("0.8", "0"), ("0.8", "2")]
    assert float(rows[0]["error_ci_low"]) <= float(rows[0]["error_mean"])

    assert (
        main(["results", "--store", str(store), "--where", "tau=2", "--where", "mu=0.5,0.9"]) == 0
    )
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:4] == ["key", "status", "mu", "eta"]
    assert len(table) == 1 + 2 + 1 and table[-1].startswith("2 shown; store: 6 done, 0 failed")

    code = main(["results", "--store", str(store), "--format", "json", "--arrays",
                 "--where", "mu=0.9", "--where", "tau=0"])  # fmt: skip
    (cell,) = json.loads(capsys.readouterr().out)
    assert code == 0 and len(cell["arrays"]["final_error"]) == 4


def test_failed_cells_exit_1_and_are_listed(capsys, spec, tmp_path, monkeypatch):
    real = simulate.compute.simulate

    def flaky(problem, configs, **kw):
        if configs[0].mu == 0.9:
            raise MemoryError("injected")
        return real(problem, configs, **kw)

    monkeypatch.setattr(simulate.compute, "simulate", flaky)
    store = tmp_path / "s.sqlite"
    code, out, err = sweep(capsys, spec, store)
    assert code == 1
    assert "4 computed, 2 failed" in out
    lines = err.strip().splitlines()
    assert len(lines) == 2 and all("failed (mu=0.9" in x and "MemoryError" in x for x in lines)
    assert main(["results", "--store", str(store), "--status", "failed"]) == 0
    assert capsys.readouterr().out.count("MemoryError: injected") == 2
    assert main(["results", "--store", str(store), "--where", "status=failed", "--format",
                 "json"]) == 0  # fmt: skip
    failed = json.loads(capsys.readouterr().out)
    assert [c["params"]["mu"] for c in failed] == [0.9, 0.9] and failed[0]["summary"] is None


def test_dry_run_computes_nothing(capsys, spec, tmp_path):
    store = tmp_path / "s.sqlite"
    code, out, _ = sweep(capsys, spec, store, "--dry-run")
    assert code == 0 and "6 to compute" in out and out.count("mu=") == 6
    assert not store.exists()
    with open_store(store) as s:
        from simulate.runner import run_sweep

        run_sweep(load_spec(spec).cells[:2], s)
    code, out, _ = sweep(capsys, spec, store, "--dry-run")
    assert "2 already in" in out and "4 to compute" in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--backend", "serial", "--workers", "2"], "workers=2 is not allowed: 1 for the serial"),
        (["--backend", "processes", "--scheduler", "tcp://x:1"], "needs --backend dask"),
        (["--backend", "processes", "--workers", "0"], "workers=0 is not allowed"),
        (["--backend", "dask", "--scheduler", "tcp://x:1", "--workers", "2"], "own workers"),
    ],
)
def test_bad_options_give_one_line(capsys, spec, tmp_path, argv, fragment):
    store = tmp_path / "s.sqlite"
    code = main(["sweep", str(spec), "--store", str(store), *argv])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and fragment in err, err
    assert err.startswith("asyncmsgd sweep: error: ")


def test_bad_spec_gives_one_line(capsys, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(SPEC_TOML.replace("eta = 1e-3", "eta = -1"))
    code = main(["sweep", str(path), "--store", str(tmp_path / "s.sqlite")])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        "asyncmsgd sweep: error: grid.eta=-1.0 is not allowed: "
        "step size eta must be a finite number > 0\n"
    )
    assert not (tmp_path / "s.sqlite").exists()  # nothing created for a bad spec


def test_dask_missing_is_a_clear_error(capsys, spec, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    code = main(["sweep", str(spec), "--store", str(tmp_path / "s"), "--backend", "dask"])
    err = capsys.readouterr().err
    assert code == 2 and "pip install 'asyncmsgd-verify[dask]'" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--where", "mu"], "expected KEY=VALUE"),
        (["--where", "colour=red"], "unknown key"),
        (["--arrays"], "--arrays needs --format json"),
        (["--status", "done", "--where", "status=failed"], "give the status once"),
    ],
)
def test_results_bad_options(capsys, spec, tmp_path, argv, fragment):
    store = tmp_path / "s.sqlite"
    sweep(capsys, spec, store)
    code = main(["results", "--store", str(store), *argv])
    err = capsys.readouterr().err
    assert code == 2 and fragment in err and err.count("\n") == 1


def test_results_of_a_missing_store(capsys, tmp_path):
    code = main(["results", "--store", str(tmp_path / "none.sqlite")])
    err = capsys.readouterr().err
    assert code == 2 and "an existing store" in err
    assert not (tmp_path / "none.sqlite").exists()


def test_shipped_example_is_valid():
    sweep = load_spec(EXAMPLE)
    assert len(sweep.cells) == 70
    # under a minute here: ~7e7 step-runs at ~1e7 step-runs/s per core
    assert sweep.work <= 1e8
