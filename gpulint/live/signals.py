"""Interrupts: SIGTERM unwinds like Ctrl-C (so clean-up runs), and clean-up itself is not cut short."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI job cancelled), raised where the main thread is, like KeyboardInterrupt for SIGINT."""


def signal_name(error: BaseException) -> str:
    return "SIGTERM" if isinstance(error, Terminated) else "SIGINT"


def _terminate(signum, frame):
    raise Terminated


@contextmanager
def sigterm_unwinds():
    """While inside, SIGTERM raises ``Terminated`` (main thread only; elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def deferred():
    """Hold SIGINT and SIGTERM while inside (clean-up must finish); re-raise the first one afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def hold(signum, frame):
        received.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if received:
            raise Terminated if received[0] == signal.SIGTERM else KeyboardInterrupt
