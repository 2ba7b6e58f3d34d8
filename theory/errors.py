"""The toolkit's error for a parameter outside its admitted range (standard library only, so the
CLI can catch it without importing NumPy)."""

from __future__ import annotations


def _show(value: object) -> str:
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        import numpy as np

        if isinstance(value, np.ndarray):
            return np.array2string(
                value, precision=6, separator=",", threshold=20, max_line_width=10**6
            ).replace("\n", "")
    return repr(value)


class ParameterError(ValueError):
    """A parameter outside the range the theory (or the simulator) admits: the message names the
    parameter, the value received and the allowed range."""

    def __init__(self, name: str, value: object, allowed: str, hint: str = "") -> None:
        self.name = name
        self.value = value
        self.allowed = allowed
        text = f"{name}={_show(value)} is not allowed: {allowed}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)
