"""Progress of a long job on stderr: a tqdm bar on a terminal, plain lines elsewhere.

Where tqdm can draw (stderr is a terminal and tqdm is installed; ``disable=None`` lets tqdm
decide) the bar shows the rate and ETA. Where it cannot (a log file, a pipe, a CI job), a job
that runs longer than :data:`FIRST_LINE_SECONDS` prints one plain line per finished stretch of
work (done, total, elapsed, time left at the measured rate), at most one every
:data:`MIN_INTERVAL` seconds and at least one every :data:`MAX_INTERVAL`, the gap growing with
the elapsed time (a tenth of it), so that an hour-long job writes tens of lines, not thousands.
A short job prints nothing (its output stays exactly its result).

Standard library only (tqdm is imported when a bar is made).
"""

from __future__ import annotations

import sys
import time
from typing import IO

from simulate.resources import format_seconds

FIRST_LINE_SECONDS = 10.0
MIN_INTERVAL = 10.0
MAX_INTERVAL = 600.0


def _count(x: float) -> str:
    return f"{x:,.0f}" if x < 1e6 else f"{x:.3g}"


class Progress:
    """``update(n)`` after each piece of work; ``note(key, value)`` adds a counter (e.g.
    failed cells) to the bar or line; ``close()`` (or ``with``) at the end."""

    def __init__(
        self,
        total: float,
        *,
        unit: str,
        prog: str,
        unit_scale: bool = False,
        stream: IO[str] | None = None,
    ) -> None:
        self.total = float(total)
        self.unit = unit
        self.prog = prog
        self.done = 0.0
        self.notes: dict[str, object] = {}
        self.stream = stream if stream is not None else sys.stderr
        self.start = time.monotonic()
        self._last_line = self.start
        self._lines = 0
        self._bar = None
        try:
            from tqdm import tqdm
        except ImportError:
            return
        bar = tqdm(
            total=total,
            unit=unit,
            unit_scale=unit_scale,
            disable=None,
            leave=False,
            file=self.stream,
            smoothing=0.1,
        )
        if bar.disable:
            bar.close()
        else:
            self._bar = bar

    @property
    def drawing(self) -> bool:
        """True when a tqdm bar is shown (else plain lines, if the job runs long)."""
        return self._bar is not None

    def update(self, n: float = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.monotonic()
        elapsed = now - self.start
        gap = min(MAX_INTERVAL, max(MIN_INTERVAL, 0.1 * elapsed))
        if elapsed >= FIRST_LINE_SECONDS and now - self._last_line >= gap:
            self._line(now)

    def note(self, key: str, value: object) -> None:
        self.notes[key] = value
        if self._bar is not None:
            self._bar.set_postfix(self.notes, refresh=False)

    def _line(self, now: float, final: bool = False) -> None:
        elapsed = now - self.start
        share = self.done / self.total if self.total > 0 else 1.0
        text = (
            f"{self.prog}: {_count(self.done)} of {_count(self.total)} {self.unit}s "
            f"({100 * share:.3g}%), {format_seconds(elapsed)} elapsed"
        )
        if final:
            text += ", finished"
        elif self.done > 0:
            rate = self.done / max(elapsed, 1e-9)
            text += f", about {format_seconds((self.total - self.done) / rate)} left"
        for key, value in self.notes.items():
            text += f", {key} {value}"
        print(text, file=self.stream, flush=True)
        self._last_line = now
        self._lines += 1

    def close(self, finished: bool = True) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._lines and finished:  # a job that logged its progress says when it ended
            self._line(time.monotonic(), final=True)
        self._lines = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.close(finished=kind is None)
