"""The rule for a covariance given by its eigenvalues (Sigma = diag(l1, ..., ld)).

The order is part of the input: ``e1``, ``e2``, ... (starts, saddles, the optimum v1) name the
eigenvectors by decreasing eigenvalue, and a diagonal matrix lists them in its order. A list in
another order is refused (it would silently be a permuted Sigma, and in a sweep a second set of
cell keys for what may be the same problem) rather than reordered.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from theory.validation import ParameterError

ORDER_RULE = "eigenvalues in decreasing order, l1 > l2 >= ... >= ld > 0"


def check_order(values: Sequence[float], name: str, shown: object = None) -> None:
    """Raise ParameterError(``name``) unless ``values`` do not increase anywhere (the gap and the
    signs are the covariance check's: :func:`theory.validation.check_covariance`)."""
    if not all(math.isfinite(x) for x in values):
        raise ParameterError(name, values if shown is None else shown, "finite eigenvalues")
    for i in range(len(values) - 1):
        if values[i] < values[i + 1]:
            ordered = ", ".join(f"{x:g}" for x in sorted(values, reverse=True))
            raise ParameterError(
                name,
                values if shown is None else shown,
                ORDER_RULE,
                f"l{i + 1} = {values[i]:g} < l{i + 2} = {values[i + 1]:g}; did you mean {ordered}?",
            )
