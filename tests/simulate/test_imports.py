"""Imports: the command modules load nothing heavy, the simulator has no import cycle (not even
under TYPE_CHECKING), the value types live in leaf modules, and every name has one source."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "simulate"
COMMANDS = ("simulate", "sweep", "results", "adaptive", "_common")
HEAVY = ("numpy", "scipy", "sympy", "numba", "theory", "checks", "reports", "tqdm", "distributed")
# what the command modules may load of the simulator: the standard-library leaves
LIGHT = {
    "simulate",
    "simulate.names",
    "simulate.resources",
    "simulate.adaptive",
    "simulate.adaptive.names",
}
# value types and constants: modules that import no other simulate module but these
LEAVES = {
    "simulate.names",
    "simulate.resources",
    "simulate.outcome",
    "simulate.seeds",
    "simulate.delays",
    "simulate.config",
    "simulate.records",
    "simulate.eigenvalues",
    "simulate.progress",
    "simulate.adaptive.names",
}


def _loaded_after(code: str) -> dict[str, list[str]]:
    """The heavy and the simulate modules loaded by ``code`` in a fresh interpreter."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "sim = sorted(m for m in sys.modules if m == 'simulate' or m.startswith('simulate.'))\n"
        "print(json.dumps({'heavy': heavy, 'simulate': sim}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_modules_import_nothing_heavy(name):
    loaded = _loaded_after(f"import asyncmsgd.commands.{name}")
    assert loaded["heavy"] == []
    assert set(loaded["simulate"]) <= LIGHT


@pytest.mark.parametrize("name", ["simulate", "sweep", "results", "adaptive"])
def test_help_builds_from_light_modules(name):
    """What `asyncmsgd NAME --help` needs once the CLI imports only the chosen command."""
    code = (
        "import argparse, contextlib, io\n"
        f"import asyncmsgd.commands.{name} as m\n"
        "p = argparse.ArgumentParser(prog='asyncmsgd')\n"
        "m.register(p.add_subparsers())\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    try:\n"
        f"        p.parse_args([{name!r}, '--help'])\n"
        "    except SystemExit as e:\n"
        "        assert e.code == 0\n"
        "assert 'usage:' in buf.getvalue()"
    )
    loaded = _loaded_after(code)
    assert loaded["heavy"] == []
    assert set(loaded["simulate"]) <= LIGHT


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _simulate_imports(path: Path) -> set[str]:
    """Every simulate module ``path`` imports, anywhere in the file (module level, functions,
    TYPE_CHECKING blocks): ``from simulate import delays`` counts as simulate.delays."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        found |= {n for n in names if n in modules and n != "simulate"}
    return found - {_module_name(path)}


GRAPH = {_module_name(p): _simulate_imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_no_import_cycle_in_the_simulator():
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(GRAPH.get(node, ())):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in GRAPH:
        if node not in state:
            visit(node, [node])


def test_no_type_checking_imports_in_the_simulator():
    for path in PACKAGE.rglob("*.py"):
        assert "TYPE_CHECKING" not in path.read_text(), path


@pytest.mark.parametrize("leaf", sorted(LEAVES))
def test_leaf_modules_import_only_leaves(leaf):
    assert GRAPH[leaf] <= LEAVES, GRAPH[leaf] - LEAVES


def test_value_types_live_in_leaf_modules_and_are_re_exported():
    import simulate
    import simulate.compute
    import simulate.engine
    import simulate.records
    from simulate.config import Config
    from simulate.outcome import Outcome

    assert simulate.Config is simulate.engine.Config is Config
    assert simulate.compute.Outcome is Outcome
    assert simulate.RecordSpec is simulate.records.RecordSpec
    assert Config.__module__ == "simulate.config" and Outcome.__module__ == "simulate.outcome"
    for name in simulate.__all__:  # every public name still loads from the package
        assert getattr(simulate, name) is not None
    with pytest.raises(AttributeError):
        _ = simulate.no_such_name


def test_names_have_one_source():
    import asyncmsgd.commands.results as results_cmd
    import simulate.adaptive.blocks
    import simulate.adaptive.methods
    import simulate.adaptive.names as anames
    import simulate.adaptive.problems
    import simulate.adaptive.run
    import simulate.backends
    import simulate.cells
    import simulate.delays
    import simulate.engine
    import simulate.names as names
    import simulate.store
    from theory.distributions import MODELS

    assert simulate.engine.ENGINES is names.ENGINES
    assert simulate.engine.ENGINE_VERSION is simulate.cells.ENGINE_VERSION is names.ENGINE_VERSION
    assert simulate.engine.DEFAULT_DIVERGENCE_BOUND == names.DEFAULT_DIVERGENCE_BOUND
    assert simulate.cells.NOMINAL_RATE == names.NOMINAL_RATE
    assert simulate.delays.SPEC_HELP is names.DELAY_SPEC_HELP
    assert simulate.backends.BACKENDS is names.BACKENDS
    assert simulate.store.FILTERS is names.STORE_FILTERS
    assert simulate.adaptive.methods.PRESETS is anames.PRESETS
    assert simulate.adaptive.methods.NORM_ESTIMATES is anames.NORM_ESTIMATES
    assert simulate.adaptive.problems.PROBLEMS is anames.PROBLEMS
    assert simulate.adaptive.blocks.SPEC_HELP is anames.BLOCKS_SPEC_HELP
    assert simulate.adaptive.run.DEFAULT_MAX_DELAY == anames.DEFAULT_MAX_DELAY
    # theory cannot import the simulator: its data laws are kept equal to ours here
    assert tuple(sorted(MODELS)) == names.DISTRIBUTIONS
    assert set(results_cmd._RULES) == set(names.STORE_FILTERS)  # a rule for every filter
