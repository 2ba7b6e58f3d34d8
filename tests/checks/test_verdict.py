"""The verdict rule (checks.verdict): each row of the table, the precedence between rows, readings,
and interpretations that add findings but never set a verdict."""

from __future__ import annotations

import math

import pytest

from checks.results import Evidence
from checks.verdict import MEANING, ORDER, RULES, SEVERITY, Verdict, decide, table_markdown


def item(passed: bool, **meta) -> Evidence:
    """A numeric item that passes (measured = theory) or fails (measured far off)."""
    return Evidence(
        meta.pop("label", "an item"),
        1.0,
        1.0 if passed else 3.0,
        0.5,
        "synthetic",
        se=0.1,
        **meta,
    )


CLAIM = {"origin": "claim"}


@pytest.mark.parametrize(
    ("items", "verdict", "rule"),
    [
        ([item(True, **CLAIM)], Verdict.VERIFIED, "agrees"),
        ([item(False, form="bound", **CLAIM)], Verdict.REFUTED, "violated"),
        ([item(False, form="direction", **CLAIM)], Verdict.REFUTED, "violated"),
        ([item(False, form="exact", mismatch="violated", **CLAIM)], Verdict.REFUTED, "violated"),
        (
            [item(False, form="exact", mismatch="constant", **CLAIM)],
            Verdict.DISCREPANCY,
            "exact-differs",
        ),
        (
            [item(False, form="exact", mismatch="log-argument", **CLAIM)],
            Verdict.DISCREPANCY,
            "exact-differs",
        ),
        (
            [item(False, form="asymptotic", mismatch="exponent", **CLAIM)],
            Verdict.DISCREPANCY,
            "scaling-differs",
        ),
        (
            [item(False, form="asymptotic", mismatch="constant", **CLAIM)],
            Verdict.VERIFIED_UP_TO_CONSTANT,
            "constant",
        ),
        (
            [item(False, form="asymptotic", mismatch="log-argument", **CLAIM)],
            Verdict.VERIFIED_UP_TO_CONSTANT,
            "constant",
        ),
        ([item(False, form="reported", **CLAIM)], Verdict.DISCREPANCY, "reported-differs"),
        ([item(True, mdd=0.5, mdd_kind="relative", **CLAIM)], Verdict.INCONCLUSIVE, "weak"),
        # an MDD in exponent units is reported, not judged against the 20% rule
        ([item(True, mdd=0.5, mdd_kind="exponent", **CLAIM)], Verdict.VERIFIED, "agrees"),
        # a reported number is judged at its reading precision, not the check's power
        (
            [item(True, mdd=0.5, mdd_kind="relative", form="reported", **CLAIM)],
            Verdict.VERIFIED,
            "agrees",
        ),
        # a direction has no theory value to be off by: its MDD is reported, not judged
        (
            [item(True, mdd=0.5, mdd_kind="relative", form="direction", **CLAIM)],
            Verdict.VERIFIED,
            "agrees",
        ),
        ([item(True, **CLAIM), item(False, origin="toolkit")], Verdict.INCONCLUSIVE, "defect"),
        ([item(True, origin="toolkit")], Verdict.INCONCLUSIVE, "untested"),
    ],
)
def test_each_row(items, verdict, rule):
    d = decide(items)
    assert (d.verdict, d.rule) == (verdict, rule)
    assert d.reason and "\n" not in d.reason


def test_a_refutation_outweighs_a_constant_and_a_weak_item():
    d = decide(
        [
            item(False, form="asymptotic", mismatch="constant", **CLAIM),
            item(True, mdd=0.5, **CLAIM),
            item(False, form="bound", label="the bound", **CLAIM),
        ]
    )
    assert d.verdict == Verdict.REFUTED and "the bound" in d.reason


def test_interpretations_add_findings_never_the_verdict():
    d = decide([item(True, **CLAIM), item(False, origin="interpretation", label="a law")])
    assert d.verdict == Verdict.VERIFIED
    assert any("a law" in f for f in d.findings)
    only = decide([item(False, origin="interpretation")])
    assert only.verdict == Verdict.INCONCLUSIVE and only.rule == "untested"


def test_errors_and_checks_that_cannot_run():
    assert decide([item(True, **CLAIM)], errors=["boom"]).rule == "error"
    d = decide([item(True, **CLAIM)], not_run=["needs 8 GPUs"])
    assert d.verdict == Verdict.NOT_REPRODUCIBLE and "8 GPUs" in d.reason
    assert decide([item(False, form="bound", **CLAIM)], not_run=["x"]).verdict == Verdict.REFUTED


def test_readings_get_their_own_verdicts():
    items = [
        item(True, **CLAIM),
        item(False, form="bound", reading="A", label="bound under A", **CLAIM),
        item(True, reading="B", **CLAIM),
    ]
    d = decide(items, readings=("A", "B"))
    assert d.verdict == Verdict.DEPENDS_ON_READING and d.rule == "readings"
    per = dict(d.readings)
    assert per["A"].verdict == Verdict.REFUTED and per["B"].verdict == Verdict.VERIFIED
    assert "refuted if A" in d.reason and "verified if B" in d.reason
    same = decide([item(True, reading="A", **CLAIM), item(True, **CLAIM)], readings=("A", "B"))
    assert same.verdict == Verdict.VERIFIED and "every reading" in same.reason
    with pytest.raises(ValueError, match="readings"):
        decide([item(True, reading="C", **CLAIM)], readings=("A",))


def test_the_reason_carries_the_deciding_numbers():
    d = decide([item(False, form="exact", mismatch="constant", note="T2 as printed", **CLAIM)])
    assert "T2 as printed" in d.reason and "measured 3" in d.reason and "ratio 3" in d.reason


def test_one_order_one_vocabulary():
    assert ORDER[0] == Verdict.VERIFIED and set(ORDER) == set(Verdict) == set(MEANING)
    assert set(SEVERITY) == set(Verdict) - {Verdict.DEPENDS_ON_READING}
    assert {r.verdict for r in RULES} == set(Verdict)
    md = table_markdown()
    assert all(f"`{r.id}`" in md for r in RULES)


def test_identity_items():
    e = Evidence(
        "an identity",
        math.nan,
        math.nan,
        0.0,
        "SymPy",
        relation="identity",
        holds=False,
        origin="claim",
        form="bound",
    )
    assert decide([e]).verdict == Verdict.REFUTED


def test_the_automatic_near_miss_comes_from_a_value_item_never_a_bound():
    """Issue 14, measured by the calibration: a bound with slack shifted by 2 MDD can stay on the
    measurement's safe side (accepted at every seed), so the registry's near miss is made from a
    two-sided item only; a check with bounds alone gets none (its power is its MDD)."""
    from checks.registry import with_resolving_power
    from checks.results import CheckResult

    bound = Evidence("exponent >= 1/2", 0.5, 1.14, 0.08, "", se=0.017, relation="lower",
                     origin="claim")  # fmt: skip
    value = Evidence("variance", 1.0, 1.01, 0.05, "", se=0.01, origin="claim")
    gross = Evidence("control", 2.0, 1.01, 0.05, "", se=0.01)
    only_bounds = with_resolving_power(CheckResult("C0", "x", "", (bound,), (gross,)))
    assert not any(c.near_miss for c in only_bounds.controls)
    mixed = with_resolving_power(CheckResult("C0", "x", "", (bound, value), (gross,)))
    near = [c for c in mixed.controls if c.near_miss]
    assert len(near) == 1 and near[0].label.startswith("near miss: variance") and not near[0].passed
