"""A bad-input sweep that stays: every kind of malformed or out-of-range value given to
``simulate``, ``sweep``, ``results`` and ``adaptive`` gets exit code 2, one error line that
names the parameter, no traceback, and nothing written.

Each case is (command, what to run, a fragment that names the parameter). The commands run
in-process (``asyncmsgd.cli.main``) in an empty folder; a few run as real processes, for the
traceback check of the actual entry point. ``KINDS`` counts the kinds of bad input.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asyncmsgd.cli import main

ROOT = Path(__file__).resolve().parents[2]
# Memory-refusal cases must not depend on this machine's memory.
MEMORY = "4G"

SPEC = """\
[problem]
sigma = [4, 3, 2, 1]
start = "e2"

[grid]
mu = [0.5, 0.8]
tau = [0, 2]
eta = 1e-3

[run]
runs = 3
steps = 200
records = 4
"""

SIM = ["simulate", "--mu", "0.5", "--eta", "1e-3", "--runs", "2", "--steps", "50"]
ADA = ["adaptive", "--steps", "64", "--runs", "2"]

# (id, argv after the base arguments, fragment naming the parameter)
SIMULATE = [
    ("mu-one", ["--mu", "1"], "mu=1.0"),
    ("mu-negative", ["--mu", "-0.1"], "mu=-0.1"),
    ("mu-nan", ["--mu", "nan"], "mu=nan"),
    ("mu-inf", ["--mu", "inf"], "mu=inf"),
    ("mu-text", ["--mu", "fast"], "argument --mu"),
    ("eta-zero", ["--eta", "0"], "eta=0.0"),
    ("eta-negative", ["--eta=-1e-3"], "eta=-0.001"),
    ("eta-negative-exponent-as-option", ["--eta", "-1e-3"], "argument --eta"),
    ("eta-overflow", ["--eta", "1e400"], "eta=inf"),
    ("tau-negative", ["--tau", "-3"], "tau=-3"),
    ("tau-fraction", ["--tau", "1.5"], "tau=1.5"),
    ("tau-nan", ["--tau", "nan"], "tau=nan"),
    ("tau-with-ps", ["--delay", "ps:4", "--tau", "2"], "tau=2.0"),
    ("runs-zero", ["--runs", "0"], "runs=0"),
    ("runs-negative", ["--runs", "-1"], "runs=-1"),
    ("runs-float", ["--runs", "2.5"], "argument --runs"),
    ("runs-beyond-memory", ["--runs", "1000000000"], "runs=1000000000"),
    ("steps-zero", ["--steps", "0"], "steps=0"),
    ("steps-exponent", ["--steps", "1e3"], "argument --steps"),
    ("seed-negative", ["--seed", "-1"], "seed=-1"),
    ("threads-three", ["--threads", "3"], "threads=3"),
    ("threads-zero", ["--threads", "0"], "threads=0"),
    ("divergence-bound-zero", ["--divergence-bound", "0"], "divergence_bound=0.0"),
    ("divergence-bound-nan", ["--divergence-bound", "nan"], "divergence_bound=nan"),
    ("delta-zero", ["--delta", "0"], "delta=0.0"),
    ("delta-one", ["--delta", "1"], "delta=1.0"),
    ("eps-zero", ["--eps", "0"], "eps=0.0"),
    ("start-e0", ["--start", "e0"], "start='e0'"),
    ("start-beyond-d", ["--start", "e5"], "start='e5'"),
    ("start-word", ["--start", "saddle"], "start='saddle'"),
    ("distribution-unknown", ["--distribution", "cauchy"], "argument --distribution"),
    ("engine-unknown", ["--engine", "gpu"], "argument --engine"),
    ("delay-unknown", ["--delay", "zipf"], "delay='zipf'"),
    ("delay-empty", ["--delay", ""], "delay=''"),
    ("delay-constant-argument", ["--delay", "constant:3"], "delay='constant:3'"),
    ("ps-zero-workers", ["--delay", "ps:0"], "workers=0"),
    ("ps-worker-text", ["--delay", "ps:x"], "workers='x'"),
    ("ps-beyond-memory", ["--delay", "ps:100000000000"], "delay='ps(W=100000000000"),
    ("ps-lognormal-zero", ["--delay", "ps:4:lognormal:0"], "sigma=0.0"),
    ("ps-straggler-below-one", ["--delay", "ps:4:straggler:0.5"], "straggler=0.5"),
    ("ps-straggler-nan", ["--delay", "ps:4:straggler:nan"], "straggler=nan"),
    ("pareto-alpha-one", ["--delay", "pareto:1", "--tau", "3"], "alpha=1.0"),
    ("pareto-alpha-nan", ["--delay", "pareto:nan", "--tau", "3"], "alpha=nan"),
    ("pareto-alpha-text", ["--delay", "pareto:abc", "--tau", "3"], "alpha='abc'"),
    ("pareto-mean-zero", ["--delay", "pareto:2", "--tau", "0"], "tau=0.0"),
    ("pareto-mean-overflow", ["--delay", "pareto:2", "--tau", "1e300"], "tau=1e+300"),
    ("geometric-mean-negative", ["--delay", "geometric", "--tau", "-1"], "tau=-1.0"),
    ("poisson-mean-huge", ["--delay", "poisson", "--tau", "1e12"], "tau=1000000000000.0"),
    ("uniform-fraction", ["--delay", "uniform", "--tau", "2.5"], "tau=2.5"),
    (
        "ring-beyond-memory",
        ["--delay", "uniform", "--tau", "1e11", "--steps", "1000000000000"],
        "tau='uniform",
    ),
    ("max-delay-negative", ["--max-delay", "-1"], "max_delay=-1"),
    ("sigma-increasing", ["--sigma", "1,2,3,4"], "decreasing order"),
    ("sigma-one-value", ["--sigma", "4"], "at least two eigenvalues"),
    ("sigma-text", ["--sigma", "4,abc"], "sigma='4,abc'"),
    ("sigma-infinite", ["--sigma", "4,inf"], "sigma='4,inf'"),
    ("sigma-negative", ["--sigma", "4,3,-1"], "positive definite"),
    ("sigma-no-gap", ["--sigma", "2,2"], "eigen-gap"),
    ("sigma-empty", ["--sigma", ""], "sigma=''"),
    ("sigma-missing-file", ["--sigma", "missing/sigma.txt"], "--sigma: no such file"),
    ("sigma-folder", ["--sigma", "."], "--sigma: . is a folder"),
    ("sigma-unreadable-matrix", ["--sigma", "junk.txt"], "--sigma: cannot read"),
    ("sigma-asymmetric-matrix", ["--sigma", "asym.txt"], "symmetric"),
]

ADAPTIVE = [
    ("method-unknown", ["--method", "lbfgs"], "argument --method"),
    ("problem-unknown", ["--problem", "logistic"], "argument --problem"),
    ("delay-needs-tau", ["--delay", "geometric"], "tau=None"),
    ("delay-unknown", ["--delay", "zipf", "--tau", "2"], "delay='zipf'"),
    ("tau-with-ps", ["--delay", "ps:4", "--tau", "3"], "tau=3.0"),
    ("blocks-unknown", ["--blocks", "stripes"], "blocks='stripes'"),
    ("blocks-zero", ["--blocks", "partition:0"], "blocks=0"),
    ("blocks-too-many", ["--blocks", "partition:100"], "blocks=100"),
    ("overlap-window", ["--blocks", "overlap:2:2"], "window=2"),
    ("eta-negative", ["--eta", "-1"], "eta=-1.0"),
    ("eta-nan", ["--eta", "nan"], "eta=nan"),
    ("schedule-unknown", ["--schedule", "cosine"], "argument --schedule"),
    ("k0-zero", ["--method", "sgd", "--k0", "0"], "k0=0.0"),
    ("beta-one", ["--method", "heavy-ball", "--beta", "1"], "beta=1.0"),
    ("beta-negative", ["--method", "heavy-ball", "--beta", "-0.1"], "beta=-0.1"),
    ("beta2-zero", ["--method", "adam", "--beta2", "0"], "beta2=0.0"),
    (
        "norm-estimate-unknown",
        ["--method", "normalized", "--norm-estimate", "x"],
        "argument --norm-estimate",
    ),
    ("batch-zero", ["--batch", "0"], "batch=0"),
    ("batch-beyond-memory", ["--batch", "1000000000"], "batch=1000000000"),
    ("steps-zero", ["--steps", "0"], "steps=0"),
    ("steps-too-few-to-fit", ["--steps", "2"], "steps=2"),
    ("runs-zero", ["--runs", "0"], "runs=0"),
    ("runs-beyond-memory", ["--runs", "1000000000"], "runs=1000000000"),
    ("seed-negative", ["--seed", "-1"], "seed=-1"),
    ("max-delay-negative", ["--max-delay", "-1"], "max_delay=-1"),
    ("boot-zero", ["--boot", "0"], "boot=0"),
    ("sigma-increasing", ["--sigma", "1,2"], "decreasing order"),
    ("sigma-for-regression", ["--problem", "regression", "--sigma", "4,3"], "--sigma='4,3'"),
    (
        "distribution-for-regression",
        ["--problem", "regression", "--distribution", "gaussian"],
        "--distribution='gaussian'",
    ),
    (
        "norm-estimate-for-adam",
        ["--method", "adam", "--norm-estimate", "noisy"],
        "--norm-estimate='noisy'",
    ),
    ("beta-without-momentum", ["--method", "adagrad-norm", "--beta", "0.5"], "--beta=0.5"),
    ("beta2-without-second-moment", ["--method", "sgd", "--beta2", "0.9"], "--beta2=0.9"),
    ("k0-with-constant-step", ["--method", "adagrad-norm", "--k0", "5"], "--k0=5.0"),
    ("large-with-both-sizes", ["--large"], "--large=True"),
    ("lockfree-zero", ["--lockfree", "0"], "lockfree=0"),
    ("lockfree-too-many", ["--lockfree", "1000"], "lockfree=1000"),
    ("lockfree-steps-below-processes", ["--lockfree", "8", "--steps", "4"], "steps=4"),
    ("lockfree-with-delay", ["--lockfree", "2", "--delay", "ps:2"], "--delay='ps:2'"),
    ("lockfree-with-tau", ["--lockfree", "2", "--tau", "2"], "--tau=2.0"),
    ("lockfree-with-max-delay", ["--lockfree", "2", "--max-delay", "9"], "--max-delay=9"),
    ("lockfree-with-boot", ["--lockfree", "2", "--boot", "9"], "--boot=9"),
]

# (id, (text in SPEC, replacement), fragment): `asyncmsgd sweep spec.toml`, no store may appear
SPECS = [
    ("mu-one", ("mu = [0.5, 0.8]", "mu = [0.5, 1.0]"), "grid.mu=1.0"),
    ("mu-bool", ("mu = [0.5, 0.8]", "mu = [true]"), "grid.mu=True"),
    ("mu-empty", ("mu = [0.5, 0.8]", "mu = []"), "grid.mu=[]"),
    ("mu-missing", ("mu = [0.5, 0.8]\n", ""), "grid.mu=None"),
    ("eta-nan", ("eta = 1e-3", "eta = nan"), "grid.eta=nan"),
    ("tau-negative", ("tau = [0, 2]", "tau = [0, -1]"), "grid.tau=-1"),
    ("tau-with-ps", ("tau = [0, 2]", 'tau = [1]\ndelay = "ps:4"'), "grid.tau"),
    ("delay-unknown", ("tau = [0, 2]", 'tau = 1\ndelay = "zipf"'), "grid.delay='zipf'"),
    ("pareto-nan", ("tau = [0, 2]", 'tau = [1]\ndelay = "pareto:nan"'), "grid.delay"),
    ("pareto-mean-overflow", ("tau = [0, 2]", 'tau = [1e300]\ndelay = "pareto:2"'), "grid.tau"),
    ("ps-straggler", ("tau = [0, 2]", 'delay = "ps:4:straggler:0.5"'), "grid.delay"),
    ("max-delay-fraction", ("tau = [0, 2]", "tau = [1]\nmax_delay = 1.5"), "grid.max_delay"),
    ("normalize-not-bool", ("tau = [0, 2]", "tau = [0]\nnormalize = 1"), "grid.normalize=1"),
    (
        "distribution-number",
        ('start = "e2"', 'start = "e2"\ndistribution = 3'),
        "problem.distribution=3",
    ),
    ("start-short-vector", ('start = "e2"', "start = [1, 0]"), "problem.start"),
    ("start-zero-vector", ('start = "e2"', "start = [0, 0, 0, 0]"), "problem.start"),
    ("sigma-increasing", ("sigma = [4, 3, 2, 1]", "sigma = [1, 2, 3, 4]"), "problem.sigma"),
    ("sigma-infinite", ("sigma = [4, 3, 2, 1]", "sigma = [4, inf]"), "problem.sigma"),
    ("sigma-nested", ("sigma = [4, 3, 2, 1]", "sigma = [[4, 0], [0, 1]]"), "problem.sigma"),
    ("sigma-missing-file", ("sigma = [4, 3, 2, 1]", 'sigma = "nope.txt"'), "problem.sigma"),
    ("sigma-missing", ("sigma = [4, 3, 2, 1]\n", ""), "problem.sigma=None"),
    ("run-missing", ("[run]\nruns = 3\nsteps = 200\nrecords = 4\n", ""), "run=None"),
    ("run-empty", ("runs = 3\nsteps = 200\n", ""), "run="),
    ("runs-zero", ("runs = 3", "runs = 0"), "run.runs=0"),
    ("runs-beyond-memory", ("runs = 3", "runs = 1000000000"), "run.runs=1000000000"),
    ("steps-float", ("steps = 200", "steps = 200.5"), "run.steps=200.5"),
    ("seed-float", ("steps = 200", "steps = 200\nseed = 1.5"), "run.seed=1.5"),
    ("records-negative", ("records = 4", "records = -1"), "run.records=-1"),
    ("window-zero", ("steps = 200", "steps = 200\nwindow = 0"), "run.window=0.0"),
    ("window-above-one", ("steps = 200", "steps = 200\nwindow = 1.5"), "run.window=1.5"),
    ("delta-text", ("steps = 200", 'steps = 200\ndelta = "a"'), "run.delta='a'"),
    ("saddle-one", ("steps = 200", "steps = 200\nsaddle = 1"), "run.saddle=1"),
    ("crn-number", ("steps = 200", "steps = 200\ncrn = 1"), "run.crn=1"),
    (
        "divergence-bound-inf",
        ("steps = 200", "steps = 200\ndivergence_bound = inf"),
        "run.divergence_bound=inf",
    ),
    ("unknown-key", ("mu = [0.5, 0.8]", "mus = [0.5]"), "grid.mus"),
    ("unknown-section", ("[run]", "[runs]"), "section='runs'"),
    ("name-not-string", ("[problem]", "[sweep]\nname = 3\n[problem]"), "sweep.name=3"),
    ("invalid-toml", ("sigma = [4, 3, 2, 1]", "sigma = [4, 3"), "spec='spec.toml'"),
]

# (id, argv after `sweep spec.toml`, fragment), with the valid spec
SWEEP = [
    ("store-folder", ["--store", "folder"], "store='folder'"),
    ("store-folder-slash", ["--store", "folder/"], "store='folder'"),
    ("store-in-missing-folder", ["--store", "nowhere/s.sqlite"], "store='nowhere/s.sqlite'"),
    ("store-not-sqlite", ["--store", "junk.txt"], "store='junk.txt'"),
    ("backend-unknown", ["--backend", "mpi"], "argument --backend"),
    ("workers-zero", ["--workers", "0"], "workers=0"),
    ("workers-negative", ["--workers", "-1"], "workers=-1"),
    ("workers-serial", ["--backend", "serial", "--workers", "2"], "workers=2"),
    (
        "workers-dry-run-serial",
        ["--dry-run", "--backend", "serial", "--workers", "3"],
        "workers=3",
    ),
    ("scheduler-without-dask", ["--scheduler", "tcp://x:1"], "scheduler='tcp://x:1'"),
    (
        "scheduler-no-port",
        ["--backend", "dask", "--scheduler", "notanaddress"],
        "scheduler='notanaddress'",
    ),
    (
        "scheduler-port-range",
        ["--backend", "dask", "--scheduler", "tcp://h:99999"],
        "scheduler='tcp://h:99999'",
    ),
    ("scheduler-empty", ["--backend", "dask", "--scheduler", ""], "scheduler=''"),
    ("engine-unknown", ["--engine", "gpu"], "argument --engine"),
]
SWEEP_FILES = [
    ("spec-missing", ["sweep", "absent.toml"], "spec='absent.toml'"),
    ("spec-folder", ["sweep", "folder"], "spec='folder'"),
    ("spec-not-utf8", ["sweep", "latin1.toml"], "spec='latin1.toml'"),
]

# (id, argv after `results --store s.sqlite`, fragment)
RESULTS = [
    ("where-mu-text", ["--where", "mu=abc"], "--where mu='abc'"),
    ("where-mu-range", ["--where", "mu=2"], "--where mu='2'"),
    ("where-eta-zero", ["--where", "eta=0"], "--where eta='0'"),
    ("where-tau-text", ["--where", "tau=x"], "--where tau='x'"),
    ("where-steps-float", ["--where", "steps=1.5"], "--where steps='1.5'"),
    ("where-runs-zero", ["--where", "runs=0"], "--where runs='0'"),
    ("where-seed-negative", ["--where", "seed=-1"], "--where seed='-1'"),
    ("where-d-one", ["--where", "d=1"], "--where d='1'"),
    ("where-crn-word", ["--where", "crn=maybe"], "--where crn='maybe'"),
    ("where-normalize-number", ["--where", "normalize=1"], "--where normalize='1'"),
    ("where-distribution", ["--where", "distribution=cauchy"], "--where distribution"),
    ("where-delay", ["--where", "delay=zipf"], "--where delay='zipf'"),
    ("where-start", ["--where", "start=middle"], "--where start='middle'"),
    ("where-key-not-hex", ["--where", "key=xyz"], "--where key='xyz'"),
    ("where-status", ["--where", "status=running"], "--where status='running'"),
    ("where-eigenvalues", ["--where", "eigenvalues=4,a"], "--where eigenvalues='a'"),
    ("where-max-delay", ["--where", "max_delay=-2"], "--where max_delay='-2'"),
    ("where-no-equals", ["--where", "mu"], "--where 'mu'"),
    ("where-no-value", ["--where", "mu="], "--where 'mu='"),
    ("where-unknown-key", ["--where", "colour=red"], "--where colour"),
    ("status-twice", ["--status", "done", "--where", "status=failed"], "status"),
    ("arrays-without-json", ["--arrays"], "--arrays"),
    ("format-unknown", ["--format", "xml"], "argument --format"),
    ("status-unknown", ["--status", "running"], "argument --status"),
]
RESULTS_STORES = [
    ("store-missing", ["results", "--store", "none.sqlite"], "store='none.sqlite'"),
    ("store-folder", ["results", "--store", "folder"], "store='folder'"),
    ("store-not-sqlite", ["results", "--store", "junk.txt"], "store='junk.txt'"),
]

KINDS = (
    len(SIMULATE)
    + len(ADAPTIVE)
    + len(SPECS)
    + len(SWEEP)
    + len(SWEEP_FILES)
    + len(RESULTS)
    + len(RESULTS_STORES)
)


@pytest.fixture(scope="module")
def store_bytes(tmp_path_factory) -> bytes:
    """A small finished store (its bytes), for the results cases."""
    folder = tmp_path_factory.mktemp("store")
    (folder / "spec.toml").write_text(SPEC)
    code = main(["sweep", str(folder / "spec.toml"), "--store", str(folder / "s.sqlite"),
                 "--backend", "serial"])  # fmt: skip
    assert code == 0
    return (folder / "s.sqlite").read_bytes()


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """An empty working folder with the files the cases refer to."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ASYNCMSGD_MEMORY_LIMIT", MEMORY)
    (tmp_path / "spec.toml").write_text(SPEC)
    (tmp_path / "folder").mkdir()
    (tmp_path / "junk.txt").write_text("not a matrix, not a database\n")
    (tmp_path / "asym.txt").write_text("2 1\n0 1\n")
    (tmp_path / "latin1.toml").write_bytes("name = 'caf\xe9'\n".encode("latin-1"))
    return tmp_path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<dir>"
        for p in sorted(folder.rglob("*"))
    }


def check_refused(capsys, folder: Path, argv: list[str], fragment: str) -> None:
    """Exit 2, the parameter named on the one error line, no traceback, nothing written."""
    before = _snapshot(folder)
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    out, err = capsys.readouterr()
    command = argv[0]
    assert code == 2, (argv, out, err)
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert lines and lines[-1].startswith(f"asyncmsgd {command}: error: "), err
    assert fragment in lines[-1], (fragment, err)
    if "argument " not in lines[-1]:  # argparse adds its usage line; ours are one line
        assert len(lines) == 1, err
    assert out == ""
    assert _snapshot(folder) == before, "a refused command wrote a file"


def test_the_sweep_covers_at_least_sixty_kinds():
    assert KINDS >= 60
    ids = [c[0] for table in (SIMULATE, ADAPTIVE, SPECS, SWEEP, SWEEP_FILES, RESULTS,
                              RESULTS_STORES) for c in table]  # fmt: skip
    assert len(ids) == KINDS


@pytest.mark.parametrize(
    ("argv", "fragment"), [c[1:] for c in SIMULATE], ids=[c[0] for c in SIMULATE]
)
def test_simulate(capsys, folder, argv, fragment):
    check_refused(capsys, folder, [*SIM, *argv], fragment)


@pytest.mark.parametrize(
    ("argv", "fragment"), [c[1:] for c in ADAPTIVE], ids=[c[0] for c in ADAPTIVE]
)
def test_adaptive(capsys, folder, argv, fragment):
    check_refused(capsys, folder, [*ADA, *argv], fragment)


@pytest.mark.parametrize(("change", "fragment"), [c[1:] for c in SPECS], ids=[c[0] for c in SPECS])
def test_sweep_spec(capsys, folder, change, fragment):
    old, new = change
    assert old in SPEC
    (folder / "spec.toml").write_text(SPEC.replace(old, new))
    check_refused(capsys, folder, ["sweep", "spec.toml", "--backend", "serial"], fragment)


@pytest.mark.parametrize(("argv", "fragment"), [c[1:] for c in SWEEP], ids=[c[0] for c in SWEEP])
def test_sweep_options(capsys, folder, argv, fragment):
    check_refused(capsys, folder, ["sweep", "spec.toml", *argv], fragment)


@pytest.mark.parametrize(("argv", "fragment"), [c[1:] for c in SWEEP_FILES],
                         ids=[c[0] for c in SWEEP_FILES])  # fmt: skip
def test_sweep_files(capsys, folder, argv, fragment):
    check_refused(capsys, folder, argv, fragment)


@pytest.mark.parametrize(
    ("argv", "fragment"), [c[1:] for c in RESULTS], ids=[c[0] for c in RESULTS]
)
def test_results(capsys, folder, store_bytes, argv, fragment):
    (folder / "s.sqlite").write_bytes(store_bytes)
    check_refused(capsys, folder, ["results", "--store", "s.sqlite", *argv], fragment)


@pytest.mark.parametrize(("argv", "fragment"), [c[1:] for c in RESULTS_STORES],
                         ids=[c[0] for c in RESULTS_STORES])  # fmt: skip
def test_results_stores(capsys, folder, argv, fragment):
    check_refused(capsys, folder, argv, fragment)


@given(
    mu=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=6)),
    tau=st.one_of(st.floats(-5, 5), st.sampled_from(["nan", "-inf", "1e400", "x", "2"])),
    delay=st.sampled_from(["constant", "uniform", "geometric", "pareto:1.5", "ps:2", "zz", ""]),
)
def test_random_values_never_give_a_traceback(mu, tau, delay):
    """Whatever the values, the answer is a result (exit 0) or one error line (exit 2)."""
    import contextlib
    import io

    argv = ["simulate", "--mu", str(mu), "--eta", "1e-3", "--tau", str(tau), "--delay", delay,
            "--runs", "1", "--steps", "5", "--json"]  # fmt: skip
    err = io.StringIO()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main(argv)
    except SystemExit as exc:
        code = exc.code
    assert code in (0, 2), err.getvalue()
    assert "Traceback" not in err.getvalue()


# The real entry point, as a user runs it: the same answers, and no traceback either.
PROCESS_CASES = [
    ("store-folder", ["sweep", "spec.toml", "--store", "folder"], "store='folder'"),
    (
        "scheduler-no-port",
        ["sweep", "spec.toml", "--backend", "dask", "--scheduler", "notanaddress"],
        "scheduler='notanaddress'",
    ),
    ("runs-beyond-memory", [*SIM, "--runs", "1000000000"], "runs=1000000000"),
    ("lockfree-steps", [*ADA, "--lockfree", "8", "--steps", "4"], "steps=4"),
    ("where-mu-text", ["results", "--store", "none.sqlite", "--where", "mu=abc"], "--where mu"),
    ("spec-not-utf8", ["sweep", "latin1.toml"], "spec='latin1.toml'"),
]


@pytest.mark.parametrize(("argv", "fragment"), [c[1:] for c in PROCESS_CASES],
                         ids=[c[0] for c in PROCESS_CASES])  # fmt: skip
def test_as_a_process(folder, argv, fragment):
    before = _snapshot(folder)
    env = {**os.environ, "ASYNCMSGD_MEMORY_LIMIT": MEMORY, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "asyncmsgd", *argv], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert fragment in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert _snapshot(folder) == before
