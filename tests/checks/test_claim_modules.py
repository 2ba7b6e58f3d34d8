"""The claim modules: one per claim, discovered by the registry, each derivation's outcome
pinned (a change in a derivation fails here), and the claims document current."""

from __future__ import annotations

import pytest

from asyncmsgd.commands import claims as claims_command
from checks.claims import discover, module_name
from checks.derivation import outcome_mismatches
from checks.registry import entries

EXPECTED_IDS = [f"C{i}" for i in range(1, 15)] + ["D1", "D2", "D3", "D4", "E1"]


def test_one_module_per_claim():
    assert [c.id for c in discover()] == EXPECTED_IDS
    mods = {module_name(cid) for cid in EXPECTED_IDS}
    assert len(mods) == len(EXPECTED_IDS)
    assert module_name("C7") == "checks.claims.c07_phase2_traverse"


def test_every_claim_has_checks_and_a_pinned_verdict():
    for cid, entry in entries().items():
        assert entry.checks, cid
        assert entry.claim.expected_verdict is not None
        assert set(entry.claim.expected_readings) == set(entry.claim.reading_names), cid


@pytest.mark.parametrize(
    "claim", [c for c in discover() if c.derive is not None], ids=lambda c: c.id
)
def test_derivation_outcome_is_pinned(claim):
    """Every identity and comparison comes out as pinned in its claim module."""
    d = claim.derive()
    assert not outcome_mismatches(d, claim.expected_derivation)
    assert all(key in d.outcomes() for key in claim.expected_derivation)


def test_claims_document_is_current():
    """docs/claims.md is generated from the claim modules (`asyncmsgd claims --write`)."""
    assert claims_command.DOC.read_text() == claims_command.markdown()
