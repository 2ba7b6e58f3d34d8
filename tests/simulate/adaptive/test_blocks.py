"""Block schemes: coverage, overlap, sizes, inclusion probabilities and stream consumption."""

from __future__ import annotations

import numpy as np
import pytest

from simulate.adaptive.blocks import parse_blocks
from theory.validation import ParameterError


def test_partition_is_a_partition():
    s = parse_blocks("partition:3", 7)
    assert s.windows.sum(axis=0).tolist() == [1] * 7
    assert sorted(s.windows.sum(axis=1).tolist()) == [2, 2, 3]


def test_overlap_windows_overlap_and_cover():
    s = parse_blocks("overlap:3:3", 6)
    cover = s.windows.sum(axis=0)
    assert cover.min() >= 1 and cover.max() >= 2
    assert s.windows.sum(axis=1).tolist() == [3, 3, 3]


@pytest.mark.parametrize("spec", ["full", "partition:2", "random:3", "overlap:3:3"])
def test_inclusion_probabilities_and_chunking(spec):
    """Empirical P(j in S) within 5 binomial SE of inclusion(); masks drawn in two chunks equal
    one draw (fixed doubles per update)."""
    s = parse_blocks(spec, 6)
    n = 20_000
    m = s.masks(np.random.default_rng(5), n)
    p = s.inclusion()
    se = np.sqrt(p * (1 - p) / n)
    assert np.all(np.abs(m.mean(axis=0) - p) <= 5 * se + 1e-12)
    if spec.startswith("random"):
        assert np.all(m.sum(axis=1) == 3)
    r1, r2 = np.random.default_rng(9), np.random.default_rng(9)
    whole = s.masks(r1, 50)
    parts = np.concatenate([s.masks(r2, 17), s.masks(r2, 33)])
    np.testing.assert_array_equal(whole, parts)


@pytest.mark.parametrize("spec", ["", "rows", "partition:0", "partition:9", "random:7",
                                  "overlap:2:3", "overlap:3:6", "overlap:3"])  # fmt: skip
def test_bad_specs(spec):
    with pytest.raises(ParameterError):
        parse_blocks(spec, 6)
