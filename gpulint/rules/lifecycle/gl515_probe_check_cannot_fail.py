from __future__ import annotations

import posixpath
from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.artifacts import gpucheck
from gpulint.artifacts.kubernetes import workloads as W
from gpulint.syntax import yamlnode as Y
from gpulint.artifacts.dockerfile.context import origin_of
from gpulint.project.lifecycle import absolute_in, container_workdir, exec_argv, paired_images
from gpulint.rules.criteria import criterion_of
from gpulint.rules.base import Report, Rule
from gpulint.rules.lifecycle._probe_rule import PROBED_KINDS

_PROBES = ("readinessProbe", "livenessProbe")


class ProbeCheckCannotFail(Rule):
    """
    ## What it does
    Reports a readiness or liveness `exec` probe of a GPU container whose check can never fail:
    the probe command hides the GPU check's failure (`sh -c "python3 /app/smoke_test.py || true"`,
    `...; exit 0`), or the script it runs swallows every failure of its GPU checks (a broad
    `except` that `pass`es or prints and falls through to exit 0, `sys.exit(0)` in `finally:`,
    failure codes `main()` returns thrown away (`main()` as a statement), a shell script with `|| true` or a final `exit 0` without `set -e`). The script is read from
    the image the project's Dockerfile builds (following `COPY`, `WORKDIR` and the container's
    `workingDir`); without such a Dockerfile only the probe command itself is judged. The finding
    points at the swallowing line. Only Deployment findings bear on the `deployment.probes`
    criterion.

    Covers the long-running kinds GL304 covers.

    ## Why is this bad?
    A probe that always exits 0 keeps a pod whose GPU has failed in the Service (readiness) and
    never restarts a wedged one (liveness): the pod answers requests with CUDA errors while
    Kubernetes reports it healthy. The probe exists to notice exactly that.

    ## Example
    ```yaml
    readinessProbe:
      exec:
        command: ["sh", "-c", "python3 /app/smoke_test.py || true"]
    ```

    ## Use instead
    ```yaml
    readinessProbe:
      exec:
        command: ["python3", "/app/smoke_test.py"]
    ```

    ## Fix
    Let the check's failure reach the probe's exit status: drop `|| true` and trailing `exit 0`,
    and exit non-zero in the script's exception handlers.
    """

    id = "GL515"
    name = "probe-check-cannot-fail"
    severity = Severity.ERROR
    kind = "kubernetes"
    criterion = "deployment.probes"
    covers = PROBED_KINDS
    summary = "a GPU container's readiness/liveness probe swallows every failure of its check, so it never fails"
    fix = "let the check's failure reach the exit status: no `|| true`, no final `exit 0`, exit non-zero in handlers"

    def check(self, manifests, project) -> Iterator[Report]:
        images = [i for i in paired_images(project, manifests) if i.dockerfile.context is not None]
        for template, container in W.probed_gpu_containers(manifests, project):
            for probe in _PROBES:
                found = exec_argv(Y.get(container, probe))
                if found is None:
                    continue
                command, argv = found
                verdicts = [gpucheck.judge_exec(argv, _resolver(image, container)) for image in images] \
                    or [gpucheck.judge_exec(argv, _in_image)]
                if not verdicts or any(v.kind != gpucheck.HIDDEN for v in verdicts):
                    continue
                verdict = verdicts[0]
                where = verdict.where or Y.span(manifests.source, command)
                message = f"{probe} can never fail: {verdict.detail}"
                if verdict.where is not None:
                    message += f" (the {probe} in {manifests.source.rel_path} runs this script)"
                report = self.report(where, message)
                criterion = criterion_of(template)
                if criterion is not None:
                    report.criterion = criterion
                    report.message += f" ({template.describe()})"
                yield report


def _in_image(path: str) -> str:
    return "exec probes run files inside the image, and no Dockerfile of the project builds it"


def _resolver(image, container):
    """A path the probe runs -> the file the image's build put there (as the HEALTHCHECK resolves it)."""
    workdir = container_workdir(container, image)

    def resolve(path: str):
        absolute = absolute_in(workdir, path)
        origin = origin_of(image.dockerfile, image.stage, absolute, image.dockerfile.context)
        if origin.source is not None:
            return origin.source
        if origin.status == "missing":  # GL502 reports it; judge the context's file of that name
            return image.dockerfile.context.read(posixpath.basename(absolute))
        return origin.reason or "its origin is unknown"

    return resolve
