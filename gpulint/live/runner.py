"""Run live mode over what static analysis found, always clean up, and keep a partial report on interrupts."""

from __future__ import annotations

import sys
import uuid
from typing import Any

from gpulint.live.model import LiveReport
from gpulint.live.options import LiveOptions
from gpulint.live.signals import signal_name, sigterm_unwinds
from gpulint.live.target import TargetError, find_target


def run_live(result: Any, options: LiveOptions) -> LiveReport:
    """Live mode over a static run's artifacts. Raises TargetError (nothing to run) or MissingExtra.

    An interrupt (Ctrl-C, SIGTERM) is not raised: the engine cleans up while unwinding, and the
    report comes back with ``interrupted`` set and the steps that ran."""
    if options.dry_run:
        raise TargetError("--dry-run prints the Kubernetes Jobs without running them: use "
                          "gpulint live PATH --engine kubernetes --image REF --dry-run")
    target = find_target(result)
    report = LiveReport(engine=options.engine, run_id=uuid.uuid4().hex[:12], require_gpu=options.require_gpu,
                        submission=options.submission)
    report.target = target.describe()
    if options.engine == "docker" and target.dockerfile is None:
        target.close()
        raise TargetError(f"no Dockerfile found under {result.root}; live mode builds the Dockerfile that "
                          "`gpulint check` finds (or use --engine host to run the smoke test with this Python)")
    if options.engine == "kubernetes" and not options.image:
        target.close()
        raise TargetError("--engine kubernetes runs an image that CI already pushed: pass --image REF")
    progress = _Progress(options.progress)
    try:
        with sigterm_unwinds(), progress:
            if options.engine == "host":
                from gpulint.live.host import run_host

                run_host(target, options, report)
            elif options.engine == "kubernetes":
                from gpulint.live.kubernetes_engine import run_kubernetes

                run_kubernetes(target, options, report)
            else:
                from gpulint.live.docker_engine import run_docker

                run_docker(target, options, report, progress.update if progress.enabled else None)
    except KeyboardInterrupt as error:  # Terminated (SIGTERM) too
        report.interrupted, report.interrupted_by = True, signal_name(error)
    finally:
        target.close()
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
