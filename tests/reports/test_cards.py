"""The evidence card's parts: settings read from the claim modules and results, labelled
intervals, the figures drawn from stored results, the validity maps read generically, and the
report command's plan and progress."""

from __future__ import annotations

import json
import math

import pytest

from checks.profile import Z
from checks.results import CheckResult, Evidence
from reports import assemble, claim_plots, pipeline
from reports.settings import claim_settings


def _item(**kw) -> Evidence:
    base = dict(label="x", theory=1.0, measured=1.1, tolerance=Z * 0.05, basis="", se=0.05)
    base.update(kw)
    return Evidence(**base)


def test_the_interval_is_a_95_percent_one_and_says_which():
    acceptance = _item(ci=(1.1 - Z * 0.05, 1.1 + Z * 0.05))  # the z SE band is not a CI
    lo, hi, kind = assemble.interval(acceptance)
    assert kind == "normal" and math.isclose(hi - lo, 2 * 1.959963984540054 * 0.05)
    boot = _item(ci=(1.0, 1.3))
    assert assemble.interval(boot) == (1.0, 1.3, "bootstrap")
    assert assemble.interval(_item(se=math.nan, ci=None)) is None


def test_compared_value_is_labelled_theory_bound_or_reference():
    res = CheckResult("C0", "c", "s")
    nums = assemble.Numbers()
    kinds = {
        rel: assemble.evidence_row(_item(relation=rel), res, f"k {rel}", nums, None)["kind"]
        for rel in ("abs-diff", "upper", "lower", "lower-strict", "upper-strict")
    }
    assert kinds == {
        "abs-diff": "th.",
        "upper": "bound",
        "lower": "bound",
        "lower-strict": "ref.",
        "upper-strict": "ref.",
    }


def test_runs_are_read_from_the_basis():
    res = CheckResult("C7", "traverse", "s")
    e = _item(basis="median first-passage time over 3000 runs at eta = [0.002]")
    assert assemble.runs_of(e, res) == 3000
    assert assemble.runs_of(_item(basis="bootstrap over runs (200 resamples)"), res) is None


@pytest.mark.uses_claims("C7")
def test_c7_settings_say_tau_delta_and_runs(claim_runner):
    """Issue 15: C7's traverse check runs at tau = 0 and delta = 0.2; the card must say so (and
    its joint draws, issue 13, at the delays they drew)."""
    per_check = dict(claim_settings(claim_runner("C7"), 20181203))
    rows = {s.key: s for s in per_check["traverse"]}
    joint = {s.key: s for s in per_check["joint draws"]}
    assert joint["tau"].value != "0" and joint["tau"].source == "the run's details"
    assert rows["tau"].value == "0" and rows["delta"].value == "0.2"
    assert rows["runs"].value == "3000" and rows["seed"].value == "20181203"
    assert rows["sigma"].value == "diag(4, 3, 2, 1)" and "Gaussian" in rows["C_d"].value


@pytest.mark.parametrize("cid", sorted(claim_plots.PLOTTERS) + list(claim_plots.FOREST))
def test_every_quantitative_claim_has_a_theory_versus_measured_figure(claim_runner, cid, tmp_path):
    plots = claim_plots.claim_plots(claim_runner(cid), tmp_path)
    assert plots and all(p.path.exists() and p.path.suffix == ".pdf" for p in plots)
    assert all(p.caption.startswith(cid) for p in plots)


def test_no_quantitative_claim_lacks_a_figure(claim_runner):
    """Every claim with a numeric item in its results has a theory-versus-measured figure (its
    own, the generic one, or Figure 1/2 from the pipeline for C12/C13)."""
    from checks.registry import entries

    numeric = {
        c
        for c in entries()
        if any(e.relation != "identity" for r in claim_runner(c).results for e in r.evidence)
    }
    covered = set(claim_plots.PLOTTERS) | set(claim_plots.FOREST) | {"C12", "C13"}
    assert numeric - covered == set()


def test_validity_maps_are_read_generically(tmp_path):
    build, out = tmp_path / "build", tmp_path / "out"
    (build / "validity").mkdir(parents=True)
    out.mkdir()
    (build / "validity" / "validity-C4.json").write_text(
        json.dumps(
            {
                "claim": "C4",
                "points": [{"mu": 0.5, "eta": 1e-3, "tau_e1": 10, "tau_valid_stat": 8}],
                "exponent_mu": {"value": 2.1, "ci": [1.9, 2.3]},
                "exponent_eta": {"value": -0.4, "ci": [-0.5, -0.3]},
                "paper_exponents": {"mu": 2, "eta": -0.5},
                "e1_exponents": {"mu": 1.5, "eta": -0.5},
            }
        )
    )
    (build / "validity" / "validity-C4-ci.pdf").write_bytes(b"%PDF-1.4\n")
    maps = pipeline.validity_maps(build, out, "ci", docs=tmp_path / "no-committed-maps")
    assert [m["claim"] for m in maps] == ["C4"] and maps[0][
        "figure"
    ] == "figures/validity-C4-ci.pdf"
    ctx = assemble._validity_context(maps[0], 0, assemble.Numbers())
    assert "\\mu" in ctx["rows"][0]["name"] and "\\eta" in ctx["rows"][1]["name"]
    assert all(r["value"] and r["ci"] and r["paper"] and r["e1"] for r in ctx["rows"])


def _map_file(folder, claim, profile, value):
    folder.mkdir(parents=True, exist_ok=True)
    obj = {
        "claim": claim,
        "profile": profile,
        "points": [{"mu": 0.5, "eta": 1e-3, "tau_e1": 10, "tau_valid_stat": 8}],
        "exponent_mu": {"value": value, "ci": [value - 0.2, value + 0.2]},
        "exponent_eta": {"value": -0.4, "ci": [-0.5, -0.3]},
        "paper_exponents": {"mu": 2, "eta": -0.5},
        "e1_exponents": {"mu": 1.5, "eta": -0.5},
    }
    (folder / f"validity-{claim}-{profile}.json").write_text(json.dumps(obj))
    (folder / f"validity-{claim}-{profile}.pdf").write_bytes(b"%PDF-1.4\n")


def test_validity_maps_fall_back_to_the_committed_ones(tmp_path):
    """A claim with no map in the build folder is read from the committed folder
    (docs/validity); a map in the build folder wins over the committed one of its claim."""
    build, out, docs = tmp_path / "build", tmp_path / "out", tmp_path / "docs"
    out.mkdir()
    _map_file(build / "validity", "C4", "ci", 2.1)
    _map_file(docs, "C4", "ci", 9.9)  # shadowed by the build folder's C4
    _map_file(docs, "C9", "ci", 1.2)  # only committed
    maps = pipeline.validity_maps(build, out, "ci", docs=docs)
    by_claim = {m["claim"]: m for m in maps}
    assert sorted(by_claim) == ["C4", "C9"]
    assert by_claim["C4"]["exponent_mu"]["value"] == 2.1
    assert by_claim["C4"]["file"] == "../build/validity/validity-C4-ci.json"
    assert by_claim["C9"]["file"] == "../docs/validity-C9-ci.json"
    assert by_claim["C9"]["figure"] == "figures/validity-C9-ci.pdf"
    assert (out / "figures" / "validity-C9-ci.pdf").exists()
    # no build folder at all: every committed map
    only = pipeline.validity_maps(tmp_path / "empty", out, "ci", docs=docs)
    assert sorted(m["claim"] for m in only) == ["C4", "C9"]


def test_the_committed_validity_maps_are_read(tmp_path):
    """The maps committed in docs/validity (benchmarks/validity_maps.py --profile ci) are
    found with an empty build folder, each with its figure and the keys the report reads."""
    if not list(pipeline.DOCS_VALIDITY.glob("validity-*.json")):
        pytest.skip("no committed validity maps")
    out = tmp_path / "out"
    out.mkdir()
    maps = pipeline.validity_maps(tmp_path / "build", out, "ci")
    assert maps and all(m.get("figure") for m in maps)
    ids = [m["claim"] for m in maps]
    assert ids == sorted(ids, key=lambda c: int(c[1:])), ids  # C3 before C14
    for k, m in enumerate(maps):
        ctx = assemble._validity_context(m, k, assemble.Numbers())
        assert all(r["value"] and r["ci"] for r in ctx["rows"])


def test_the_seed_study_of_this_profile_is_read_and_tabled(tmp_path):
    study = {
        "profile": "ci",
        "root_seed": 20181203,
        "claims": {
            "C7": {
                "same_verdict": 9,
                "of": 10,
                "reference_verdict": "discrepancy-found",
                "z_quantiles": {"0.5": 0.7, "max": 2.9},
                "flipped_items": ["traverse: item 'T2' passed at seed 5"],
            }
        },
    }
    (tmp_path / "seed-stability-ci.json").write_text(json.dumps(study))
    found = pipeline.seed_study(tmp_path, tmp_path, "ci")
    assert found["seeds"] == 10 and found["command"] == "asyncmsgd verify --profile ci --seeds 10"
    assert pipeline.seed_study(tmp_path, tmp_path, "full") is None  # another profile's: not shown
    ctx = assemble._seed_context(found, assemble.Numbers())
    assert [r["claim"] for r in ctx["rows"]] == ["C7"] and ctx["rows"][0]["verdict"] == (
        "discrepancy-found"
    )
    assert len(ctx["flips"]) == 1 and "T_2" in ctx["flips"][0] and ctx["calibration"] == []


def test_no_validity_map_is_an_empty_section(tmp_path):
    # neither the build folder nor the committed folder holds a map
    assert pipeline.validity_maps(tmp_path, tmp_path, "ci", docs=tmp_path / "none") == []


def test_the_plan_says_what_runs_and_roughly_how_long(capsys):
    from asyncmsgd.commands._report_progress import CheckPlan, describe_plan, phase

    plans = [CheckPlan("C7", "traverse", False, 10.0), CheckPlan("C7", "symbolic", True, 0.2)]
    text, total = describe_plan(
        plans,
        profile="ci",
        seed=1,
        derivations_cached=0,
        derivations_total=1,
        timings={"pdf": 20.0, "figures": 5.0, "derivations": 3.0},
    )
    assert "2 (1 cached, 1 to compute, about 10 s" in text and math.isclose(total, 38.0)
    with phase("checks", 2, "check") as tick:  # stderr is not a terminal here: one line each
        tick("C7 traverse", seconds=10.0)
        tick("C7 symbolic", cached=True)
    err = capsys.readouterr().err
    assert "[checks 1/2] C7 traverse (10.0 s)" in err and "C7 symbolic (cached)" in err


def test_provenance_lists_scikit_learn_numba_and_tex():
    from reports import provenance

    names = [n for n, _ in provenance.package_versions()]
    assert {"scikit-learn", "numba", "numpy", "sympy"} <= {n.lower() for n in names}
    tex = dict(provenance.tex_versions())
    assert set(tex) == {"pdflatex", "latexmk"} and all(tex.values())
    assert "asyncmsgd report --profile ci" in " ".join(pipeline.rebuild_commands("ci", 20181203))


def test_the_plan_reads_the_cache_of_every_check(tmp_path):
    """The report's plan (``asyncmsgd report`` before it runs anything): every check of the
    claims, none cached in an empty cache; a symbolic check's key does not carry the seed."""
    from asyncmsgd.commands._report_progress import plan_checks
    from checks.profile import get_profile
    from checks.registry import entries
    from checks.runner import cache_key

    profile = get_profile("ci")
    plans = plan_checks(["C6", "C7"], profile, tmp_path)
    names = [(p.claim, p.check) for p in plans]
    assert names == [(c, k.name) for c in ("C6", "C7") for k in entries()[c].checks]
    assert not any(p.cached for p in plans)
    assert cache_key("C6", "symbolic", profile) == "C6-symbolic"
    assert cache_key("C7", "traverse", profile).endswith(f"-seed{profile.seed}")
