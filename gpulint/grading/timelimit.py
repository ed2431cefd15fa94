"""A time limit for grading one submission, so that one pathological submission cannot stall a
batch: past the limit its row says ``ungraded: timed out`` and the batch goes on.

It uses the interval timer (SIGALRM), which interrupts Python code between bytecodes; it applies
in the main thread of a POSIX process (the batch's worker processes, or the command itself) and
is a no-op elsewhere. The exception derives from BaseException so that no ``except Exception``
on the way (a parser's error handling) mistakes it for a bad submission.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_SECONDS = 120.0


class GradingTimeout(BaseException):
    def __init__(self, seconds: float):
        super().__init__(f"grading took longer than the {seconds:g} s time limit (--timeout)")
        self.seconds = seconds


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    if (not seconds or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return

    def expired(_signum, _frame):
        raise GradingTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
