"""A progress bar for long checks: rich, on standard error, only on a terminal.

It appears after about a second (a quick check never flickers one), only when both standard
output and standard error are terminals, every format is ``text`` and ``--quiet`` is off, and
never in CI (``CI`` set) or on a dumb terminal: CI logs and machine-readable output never carry it.
It is transient: the bar is erased before the report is printed.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from collections.abc import Iterator
from typing import Any

DELAY_SECONDS = 1.0
_PHASES = {"reading": "reading files", "linting": "running rules"}


def wanted(formats: list[str], quiet: bool = False) -> bool:
    if quiet or any(fmt != "text" for fmt in formats):
        return False
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return sys.stdout.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class TerminalProgress:
    """Hears the engine's ``phase(name, total)`` and ``advance(n)``; draws once it has run a while."""

    def __init__(self, delay: float = DELAY_SECONDS) -> None:
        self.started = time.monotonic()
        self.delay = delay
        self._bar: Any = None
        self._task: Any = None
        self._phase = ("", 0)
        self._done = 0.0

    def phase(self, name: str, total: int) -> None:
        self._phase, self._done = (name, total), 0.0
        if self._bar is not None:
            self._bar.update(self._task, description=_PHASES.get(name, name), total=max(total, 1), completed=0)
        else:
            self._maybe_start()

    def advance(self, amount: float = 1) -> None:
        self._done += amount
        if self._bar is None:
            self._maybe_start()
        if self._bar is not None:
            self._bar.update(self._task, completed=self._done)

    def _maybe_start(self) -> None:
        if time.monotonic() - self.started < self.delay:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._bar = Progress(TextColumn("gpulint: {task.description}"), BarColumn(), MofNCompleteColumn(),
                             TimeElapsedColumn(), console=Console(stderr=True), transient=True)
        self._bar.start()
        name, total = self._phase
        self._task = self._bar.add_task(_PHASES.get(name, name), total=max(total, 1), completed=self._done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


@contextmanager
def progress_for(formats: list[str], quiet: bool = False) -> Iterator[TerminalProgress | None]:
    """A progress bar when ``wanted``, else None; closed (and erased) on the way out."""
    if not wanted(formats, quiet):
        yield None
        return
    progress = TerminalProgress()
    try:
        yield progress
    finally:
        progress.close()
