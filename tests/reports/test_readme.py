"""README and report cannot disagree (issue 15, Build 6): the README's verdict block is the
block generated from the committed snapshot of the stored results (reports/verdicts.json), and
that snapshot agrees with this session's own run of every check; the README's table of E1 at
the Figure 1 setting (claims C12, E1) is the block generated from E1's theory and the committed
summary of Figure 1 at the paper's scale (docs/figure1-paper.json), and that summary is the
one of the paper-scale results the report draws, where this machine has them."""

from __future__ import annotations

import copy
import json

import pytest

from checks.profile import get_profile
from checks.registry import entries
from reports import readme


def test_readme_block_is_generated_from_the_stored_results():
    """Edit the README's table only through `asyncmsgd report --update-readme`."""
    stored = readme.load_snapshot()
    assert readme.read_block(readme.README.read_text()) == readme.block(stored), (
        "README.md's verdict block differs from reports/verdicts.json: run "
        "`asyncmsgd report --update-readme`"
    )


def test_stored_results_agree_with_this_run(claim_runner):
    """The stored table must be what the checks give now (the same verdicts and rules, the
    same reasons up to the last digits; timing checks by verdict only)."""
    stored = readme.load_snapshot()
    profile = get_profile()
    if stored["profile"] != profile.name or stored["seed"] != profile.seed:
        pytest.skip("the stored table is of another profile or seed")
    results = [claim_runner(c) for c in entries()]
    now = readme.snapshot(results, profile=profile.name, seed=profile.seed, commit="")
    diff = readme.differences(stored, now)
    assert not diff, (
        "the README's verdict table is stale; `asyncmsgd report --update-readme` regenerates "
        "it:\n" + "\n".join(diff)
    )


def _snap(reason: str, verdict: str = "verified", frac: float | None = 0.5) -> dict:
    return {
        "profile": "ci",
        "seed": 1,
        "commit": "abc",
        "claims": [
            {
                "claim": "C7",
                "source": "Proposition 8",
                "title": "Phase II",
                "verdict": verdict,
                "rule": "agrees",
                "reason": reason,
                "delay_fraction": frac,
            }
        ],
    }


def test_block_round_trip_leaves_the_rest_of_the_readme():
    text = f"intro\n{readme.BEGIN}\nold | table\n{readme.END}\noutro\n"
    new = readme.replace_block(text, readme.block(_snap("a|b (measured 1.0 vs 2)")))
    assert new.startswith("intro\n") and new.endswith(f"{readme.END}\noutro\n")
    assert "a\\|b" in readme.read_block(new)


def test_differences_tolerate_last_digits_only():
    a = _snap("every statement agrees (measured 1.268 vs 0.6356)")
    assert not readme.differences(a, _snap("every statement agrees (measured 1.2681 vs 0.6356)"))
    assert readme.differences(a, _snap("every statement agrees (measured 1.5 vs 0.6356)"))
    assert readme.differences(a, _snap("another reason (measured 1.268 vs 0.6356)"))
    assert readme.differences(a, _snap(a["claims"][0]["reason"], verdict="refuted"))
    assert readme.differences(a, _snap(a["claims"][0]["reason"], frac=None))


# --- the Figure 1 block (claims C12 and E1) ------------------------------------------------------


def _raw_from(summary: dict) -> dict:
    """A Figure 1 results file holding what ``summary`` was made of (no simulation)."""
    return {
        "experiment": "figure1",
        "scale": summary["scale"],
        "settings": summary["settings"],
        "analysis": {
            "definition": summary["definition"],
            "rows": [
                {"mu": r["mu"], "optimal_delay": {"error": r["optimal_delay"]}}
                for r in summary["rows"]
            ],
            "exponent": {**summary["exponent"], "e1": 1.0},
        },
    }


def test_readme_figure1_block_is_generated_from_the_stored_results():
    """The README's Figure 1 table (E1 section): E1's columns from theory, the measured ones
    from docs/figure1-paper.json; edit it only through `asyncmsgd figure1 --scale paper
    --update-readme` (or `asyncmsgd report --update-readme`)."""
    stored = readme.load_figure1_summary()
    shown = readme.read_block(readme.README.read_text(), readme.FIGURE1_BEGIN, readme.FIGURE1_END)
    assert shown == readme.figure1_block(stored), (
        "README.md's Figure 1 block differs from docs/figure1-paper.json and E1's theory: run "
        f"`{readme.FIGURE1_COMMAND}`"
    )


def test_readme_quotes_figure1_numbers_only_in_its_blocks():
    """The measured optimal delays and E1's boundaries, as a list, appear nowhere in the README
    outside its generated blocks (prose that repeats them would go stale unseen)."""
    text = readme.README.read_text()
    for begin, end in ((readme.BEGIN, readme.END), (readme.FIGURE1_BEGIN, readme.FIGURE1_END)):
        text = readme.replace_block(text, "", begin, end)
    stored = readme.load_figure1_summary()
    measured = [
        int(r["optimal_delay"][str(stored["primary_margin"])]["value"]) for r in stored["rows"]
    ]
    boundaries = [r.tau_max for r in readme._e1_figure1().rows]
    for values in (measured, boundaries):
        for sep in (", ", "/"):
            quoted = sep.join(str(v) for v in values)
            assert quoted not in text, f"the README quotes {quoted} outside a generated block"


def test_figure1_summary_is_that_of_the_build_results():
    """When this machine has the paper-scale Figure 1 results (the report draws them), the
    committed summary is theirs (the same optimal delays and CIs)."""
    source = readme.figure1_source()
    if not source.exists():
        pytest.skip(f"no {source} here (asyncmsgd figure1 --scale paper makes it)")
    now = readme.figure1_summary(json.loads(source.read_text()))
    diff = readme.figure1_differences(readme.load_figure1_summary(), now)
    assert not diff, f"docs/figure1-paper.json is stale; `{readme.FIGURE1_COMMAND}`:\n" + "\n".join(
        diff
    )


def test_figure1_generator_fails_loudly_without_its_file(tmp_path):
    missing = tmp_path / "figure1-paper.json"
    with pytest.raises(FileNotFoundError, match="figure1 --scale paper --update-readme"):
        readme.load_figure1_summary(missing)
    text = f"a\n{readme.FIGURE1_BEGIN}\nold\n{readme.FIGURE1_END}\nb\n"
    target = tmp_path / "README.md"
    target.write_text(text)
    with pytest.raises(FileNotFoundError, match="figure1 --scale paper"):
        readme.update_figure1(target, source=tmp_path / "no-results.json", stored=missing)
    assert target.read_text() == text and not missing.exists()


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s.update(scale="ci"),
        lambda s: s["settings"].update(runs=20),
        lambda s: s["rows"].pop(),
    ],
    ids=["scale", "settings", "momenta"],
)
def test_figure1_generator_refuses_a_stale_summary(tmp_path, edit):
    summary = readme.load_figure1_summary()
    edit(summary)
    path = readme.write_snapshot(summary, tmp_path / "figure1-paper.json")
    with pytest.raises(ValueError, match="stale"):
        readme.load_figure1_summary(path)


def test_figure1_update_round_trip_leaves_the_rest_of_the_readme(tmp_path):
    """update_figure1 writes the summary of a results file and the block from it, nothing else."""
    stored = readme.load_figure1_summary()
    source = tmp_path / "figure1-paper-results.json"
    source.write_text(json.dumps(_raw_from(stored)))
    target, summary = tmp_path / "README.md", tmp_path / "figure1-paper.json"
    intro = f"intro\n{readme.BEGIN}\nverdicts\n{readme.END}\n"
    target.write_text(f"{intro}{readme.FIGURE1_BEGIN}\nold\n{readme.FIGURE1_END}\noutro\n")
    assert readme.update_figure1(target, source=source, stored=summary)
    assert json.loads(summary.read_text()) == stored
    new = target.read_text()
    assert new.startswith(intro) and new.endswith(f"{readme.FIGURE1_END}\noutro\n")
    assert readme.read_block(new, readme.FIGURE1_BEGIN, readme.FIGURE1_END) == (
        readme.figure1_block(stored)
    )
    assert not readme.update_figure1(target, source=source, stored=summary)  # nothing changed


def test_figure1_differences_see_a_changed_delay():
    stored = readme.load_figure1_summary()
    assert not readme.figure1_differences(stored, copy.deepcopy(stored))
    moved = copy.deepcopy(stored)
    moved["rows"][0]["optimal_delay"]["0.5"]["value"] += 1
    assert readme.figure1_differences(stored, moved)


def test_figure1_update_stores_nothing_from_results_of_other_settings(tmp_path):
    raw = _raw_from(readme.load_figure1_summary())
    raw["settings"] = {**raw["settings"], "steps": 10}
    source = tmp_path / "old-results.json"
    source.write_text(json.dumps(raw))
    stored = tmp_path / "figure1-paper.json"
    target = tmp_path / "README.md"
    target.write_text(f"{readme.FIGURE1_BEGIN}\nold\n{readme.FIGURE1_END}\n")
    with pytest.raises(ValueError, match="stale"):
        readme.update_figure1(target, source=source, stored=stored)
    assert not stored.exists() and "old" in target.read_text()


def test_report_caption_quotes_the_readme_numbers():
    """The report's Figure 1 caption states the measured optimal delays through the summary
    the README's table is generated from (reports.pipeline)."""
    from reports import pipeline

    stored = readme.load_figure1_summary()
    text = pipeline._figure1_numbers(_raw_from(stored), "paper")
    delays = ", ".join(
        readme.delay_text(r["optimal_delay"][str(stored["primary_margin"])], ci=False)
        for r in stored["rows"]
    )
    assert delays in text and "docs/figure1-paper.json" in text
    assert pipeline._figure1_numbers({"experiment": "figure1"}, "paper") == ""
