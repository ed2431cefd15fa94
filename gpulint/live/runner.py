"""Run live mode over what static analysis found, and always clean up."""

from __future__ import annotations

import signal
import sys
import threading
import uuid
from typing import Any

from gpulint.live.model import LiveReport
from gpulint.live.options import LiveOptions
from gpulint.live.target import TargetError, find_target


def _terminate(signum, frame):  # SIGTERM (a CI job cancelled): unwind like Ctrl-C, so clean-up runs
    raise KeyboardInterrupt


def run_live(result: Any, options: LiveOptions) -> LiveReport:
    """Live mode over a static run's artifacts. Raises TargetError (nothing to run) or MissingExtra."""
    target = find_target(result)
    report = LiveReport(engine=options.engine, run_id=uuid.uuid4().hex[:12])
    report.target = target.describe()
    if options.engine == "docker" and target.dockerfile is None:
        target.close()
        raise TargetError(f"no Dockerfile found under {result.root}; live mode builds the Dockerfile that "
                          "`gpulint check` finds (or use --engine host to run the smoke test with this Python)")
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _terminate)
    progress = _Progress(options.progress)
    try:
        with progress:
            if options.engine == "host":
                from gpulint.live.host import run_host

                run_host(target, options, report)
            else:
                from gpulint.live.docker_engine import run_docker

                run_docker(target, options, report, progress.update if progress.enabled else None)
    except KeyboardInterrupt:
        report.interrupted = True
        raise
    finally:
        target.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return report


class _Progress:
    """A rich spinner with the build's latest log line, on a terminal only (standard error)."""

    def __init__(self, enabled: bool | None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                      TextColumn("[dim]{task.fields[line]}"), console=Console(stderr=True),
                                      transient=True)
            self._progress.start()
            self._task = self._progress.add_task("live: preflight", total=None, line="")
        return self

    def update(self, description: str | None, line: str | None = None) -> None:
        if self._progress is None:
            return
        fields: dict[str, Any] = {}
        if description is not None:
            fields["description"] = f"live: {description}"
            fields["line"] = ""
        if line is not None:
            fields["line"] = line
        self._progress.update(self._task, **fields)

    def __exit__(self, *exc):
        if self._progress is not None:
            self._progress.stop()
        return False
