"""README and report cannot disagree (issue 15, Build 6): the README's verdict block is the
block generated from the committed snapshot of the stored results (reports/verdicts.json), and
that snapshot agrees with this session's own run of every check."""

from __future__ import annotations

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
