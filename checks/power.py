"""The resolving power of a check: its minimum detectable deviation (MDD), and near-miss controls.

A statistical item accepts when ``|measured - theory| <= tolerance`` (or a one-sided relation),
with ``tolerance = z SE + b`` (b a stated bias bound or reading precision). If the truth differs
from the theory by ``delta``, the measurement is about ``N(theory + delta, SE)``, and the item
rejects with probability at least 0.9 once ``delta >= tolerance + z_0.9 SE`` (z_0.9 = 1.2816, the
far tail neglected). That ``delta`` is the item's MDD: the smallest error in the theory value the
check catches at its run count. It is given relative to the theory value (``relative``), in the
units of an exponent for fitted slopes (``exponent``), or as is (``absolute``, when the theory
value is 0). A deterministic item (no SE) detects anything beyond its tolerance: MDD =
tolerance.

A *near miss* is a wrong theory placed at about twice the MDD (issue 14 of the project): a
check that rejects its gross controls but not its near miss has less power than it claims.
"""

from __future__ import annotations

import math
from dataclasses import replace
from statistics import NormalDist

from checks.results import Evidence

Z_POWER = NormalDist().inv_cdf(0.9)  # rejection with probability >= 0.9
KINDS = ("relative", "absolute", "exponent")


def mdd_absolute(tolerance: float, se: float) -> float:
    """The smallest deviation rejected with probability >= 0.9 (module docstring)."""
    if not (se > 0 and math.isfinite(se)):
        return float(tolerance)
    return float(tolerance) + Z_POWER * float(se)


def with_power(item: Evidence, kind: str | None = None) -> Evidence:
    """``item`` with its MDD filled in: ``kind`` relative (divided by |theory|), exponent or
    absolute; by default relative unless the theory value is 0."""
    if item.relation == "identity":
        return item
    mdd = mdd_absolute(item.tolerance, item.se)
    if kind is None:
        kind = "absolute" if item.theory == 0 else "relative"
    if kind not in KINDS:
        raise ValueError(f"unknown mdd kind {kind!r}")
    if kind == "relative":
        mdd = mdd / abs(item.theory) if item.theory != 0 else math.inf
    return replace(item, mdd=float(mdd), mdd_kind=kind)


def near_miss(item: Evidence, label: str, factor: float = 2.0) -> Evidence:
    """A wrong theory ``factor`` x MDD away from the item's theory, on the side the item's
    relation can detect (above the theory for ``upper``, below for ``lower``), judged by the same
    tolerance: a control that must be rejected."""
    item = with_power(item) if math.isnan(item.mdd) else item
    delta = item.mdd * (abs(item.theory) if item.mdd_kind == "relative" else 1.0) * factor
    sign = -1.0 if item.relation in ("upper", "upper-strict") else 1.0
    return replace(
        item,
        label=label,
        theory=item.theory + sign * delta,
        origin="toolkit",
        near_miss=True,
        note="",
        reading=item.reading,
    )


def check_power(items: tuple[Evidence, ...] | list[Evidence]) -> dict[str, object] | None:
    """A check's power: the largest MDD over its statistical claim items (its weakest; else over
    the toolkit's items it rests on), with its kind and label; None when it has none."""
    numeric = [e for e in items if e.relation != "identity" and not math.isnan(e.mdd)]
    # a reported number's MDD is mostly its reading precision: the check's power is elsewhere
    numeric = [e for e in numeric if e.form != "reported"] or numeric
    stats = [e for e in numeric if e.origin == "claim"] or [
        e for e in numeric if e.origin == "toolkit"
    ]
    if not stats:
        return None
    worst = max(stats, key=lambda e: e.mdd)
    return {"mdd": worst.mdd, "mdd_kind": worst.mdd_kind, "item": worst.label}
