"""One module per claim, in the style of PEPit's examples: ``c01_tightness`` ... ``c14_...``,
``d1_...`` ... ``d4_...``, ``e1_...``. Each holds, in this order, the claim's statement and
source, its assumptions, the readings where the paper is ambiguous, the derivation (calling
:mod:`theory`), the pinned derivation outcome, the checks with their settings and negative
controls, and the pinned verdict; it defines ``CLAIM``. :func:`discover` finds them all.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache

from checks.claims.base import Claim

MODULE_NAME = re.compile(r"^(c\d\d|d\d|e\d)_[a-z0-9_]+$")


def _sort_key(claim: Claim) -> tuple[int, int]:
    group = "CDE".index(claim.id[0])
    return group, int(claim.id[1:])


@cache
def discover() -> tuple[Claim, ...]:
    """Every claim module's ``CLAIM``, in the order C1..C14, D1..D4, E1."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if MODULE_NAME.match(info.name):
            module = importlib.import_module(f"{__name__}.{info.name}")
            claim = module.CLAIM
            prefix = info.name.split("_")[0]
            if claim.id != prefix[0].upper() + str(int(prefix[1:])):
                raise ValueError(f"{info.name} defines claim {claim.id}")
            found.append(claim)
    return tuple(sorted(found, key=_sort_key))


def module_name(claim_id: str) -> str:
    """The module that holds a claim (``C7`` -> ``c07_...``)."""
    number = int(claim_id[1:])
    prefix = claim_id[0].lower() + (f"{number:02d}" if claim_id[0] == "C" else str(number))
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith(prefix + "_"):
            return f"{__name__}.{info.name}"
    raise KeyError(claim_id)
