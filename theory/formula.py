"""One expression, three views: SymPy, LaTeX, and numeric functions lambdified from it.

Numbers used anywhere in the toolkit come from ``Formula.numpy`` or ``Formula.mp``, both generated
from the same SymPy expression, so a formula is never typed twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import mpmath
import numpy as np
import sympy as sp

from theory.symbols import latex as _latex


@dataclass(frozen=True)
class Formula:
    """A named SymPy expression with a fixed argument order for its numeric versions."""

    name: str
    expr: sp.Expr
    args: tuple[sp.Symbol, ...]
    note: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        missing = self.expr.free_symbols - set(self.args)
        if missing:
            raise ValueError(f"{self.name}: free symbols {missing} not among args {self.args}")

    @property
    def latex(self) -> str:
        return _latex(self.expr)

    @cached_property
    def numpy(self) -> Callable[..., np.ndarray]:
        """Vectorised float64 evaluation (``sympy.lambdify`` with NumPy)."""
        return sp.lambdify(self.args, self.expr, modules=["numpy", "scipy"], cse=True)

    @cached_property
    def _mp(self) -> Callable[..., object]:
        return sp.lambdify(self.args, self.expr, modules="mpmath")

    def mp(self, *values: object, dps: int = 50) -> mpmath.mpf:
        """Arbitrary-precision evaluation, for catastrophic cancellation (e.g. T3's log)."""
        with mpmath.workdps(dps):
            return self._mp(*(mpmath.mpmathify(v) for v in values))

    def __call__(self, *values: object) -> np.ndarray:
        return self.numpy(*values)

    def subs(self, mapping: dict, name: str | None = None) -> Formula:
        expr = self.expr.subs(mapping)
        args = tuple(a for a in self.args if a in expr.free_symbols)
        return Formula(name or self.name, expr, args, self.note)

    def kwargs(self, **values: object) -> Sequence[object]:
        """Order keyword values (by symbol name) as ``args``."""
        by_name = {a.name: a for a in self.args}
        unknown = set(values) - set(by_name)
        if unknown:
            raise TypeError(f"{self.name}: unknown arguments {sorted(unknown)}")
        return [values[a.name] for a in self.args]
