"""The import's progress bar: done/total, rate and time left, on the terminal only.

Why tqdm: it already smooths the rate and works out the ETA, redraws in place, and copes with
narrow terminals; a hand-written renderer would redo all of that. The bar goes to stderr and
only when stderr is a terminal (and not ``--quiet``): a script capturing the output, or a log
file, gets the report alone, not hundreds of carriage returns.
"""

from __future__ import annotations

from typing import TextIO

from tqdm import tqdm


class Bars:
    """One bar per file (``maven`` imports four files one after another)."""

    def __init__(self, stream: TextIO, unit: str, *, quiet: bool = False) -> None:
        self.stream = stream
        self.unit = unit
        self.shown = not quiet and stream.isatty()
        self._bar: tqdm | None = None
        self._name = ""

    def __call__(self, name: str, done: int, total: int) -> None:
        if not self.shown:
            return
        if self._bar is None or self._name != name:
            self.close()
            self._name = name
            self._bar = tqdm(
                total=total, desc=name, unit=f" {self.unit}", file=self.stream, dynamic_ncols=True
            )
        self._bar.update(done - self._bar.n)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
