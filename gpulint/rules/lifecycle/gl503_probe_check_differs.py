from __future__ import annotations

import json
from collections.abc import Iterator

from gpulint.artifacts import gpucheck
from gpulint.artifacts.dockerfile.healthcheck import final_verdict
from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.artifacts.dockerfile.context import origin_of
from gpulint.project.lifecycle import absolute_in, container_workdir, exec_argv, gpu_containers, paired_images, \
    scripts_run
from gpulint.rules.base import Report, Rule


SMOKE_TEST_FIX = ("run the GPU smoke test in the HEALTHCHECK and in both probes, e.g. "
                  "HEALTHCHECK CMD [\"python3\", \"/app/smoke_test.py\"] and "
                  "exec: {command: [\"python3\", \"/app/smoke_test.py\"]}")


def _in_image(path: str) -> str:
    # A probe's script lives in the image; gpulint does not read it here (GL502 checks it is there).
    return "exec probes run files inside the image, which gpulint does not read"


def _check_key(argv: list[str], workdir: str) -> tuple:
    scripts = scripts_run(argv)
    if scripts:
        return ("scripts", frozenset(absolute_in(workdir, s.path) for s in scripts))
    return ("argv", tuple(argv))


class ProbeCheckDiffers(Rule):
    """
    ## What it does
    For a GPU Deployment next to the Dockerfile of its image, warns when the `exec` readiness
    or liveness probe of the GPU container does not run the same check as the image's
    `HEALTHCHECK`: a different script path (after resolving `WORKDIR`/`workingDir`), inline
    `python -c` code, `nvidia-smi` or `cat /tmp/ready` where the HEALTHCHECK runs the smoke
    test. HTTP/TCP probes on a GPU container are GL305's finding; a probe script missing from
    the image is GL502's. Applies only when both a Dockerfile and a Deployment are scanned.

    ## Why is this bad?
    The smoke test is the one check that is reviewed, run in CI with and without a GPU, and
    known to fail when CUDA does not work. A second, different check in the probes has never
    been tested: it may pass on a pod whose GPU fell off the bus
    (NVIDIA/nvidia-container-toolkit#857) or fail on a healthy one. Docker and Kubernetes then
    disagree about the same container, and nobody knows which signal to trust.

    ## Example
    ```yaml
    # Dockerfile: HEALTHCHECK CMD ["python3", "/app/smoke_test.py"]
    livenessProbe:
      exec:
        command: ["nvidia-smi"]
    ```

    ## Use instead
    ```yaml
    livenessProbe:
      exec:
        command: ["python3", "/app/smoke_test.py"]
      timeoutSeconds: 30
      periodSeconds: 30
      failureThreshold: 5
    ```

    ## Fix
    Make the readiness and liveness probes `exec` the HEALTHCHECK's script, and tune them with
    thresholds instead of writing a second check. When the HEALTHCHECK is the weak one (it only
    checks an HTTP endpoint or runs `nvidia-smi`, see GL104 and GL105), change the HEALTHCHECK
    instead: make it run the probes' GPU check, or the smoke test in both.
    """

    id = "GL503"
    name = "probe-check-differs-from-healthcheck"
    severity = Severity.WARNING
    kind = "kubernetes"
    criterion = "deployment.probes"
    summary = "the GPU container's exec probe runs a different check than the image's HEALTHCHECK"
    fix = "exec the HEALTHCHECK's smoke test in the readiness and liveness probes"

    def check(self, manifests, project) -> Iterator[Report]:
        images = [i for i in paired_images(project, manifests) if i.healthcheck is not None
                  and not i.healthcheck.none and (i.healthcheck.exec_argv or i.healthcheck.shell)]
        if not images:
            return
        for _obj, container in gpu_containers(manifests):
            for probe_name in ("readinessProbe", "livenessProbe"):
                found = exec_argv(Y.get(container, probe_name))
                if found is None:
                    continue
                command, argv = found
                if self._missing_everywhere(argv, container, images):
                    continue  # GL502
                mismatched = []
                for image in images:
                    hc = image.healthcheck
                    workdir = container_workdir(container, image)
                    wanted = (("scripts", frozenset(image.healthcheck_paths())) if image.healthcheck_scripts()
                              else ("argv", tuple(hc.exec_argv or ["/bin/sh", "-c", hc.shell or ""])))
                    have = _check_key(argv, workdir)
                    if have != wanted and not (wanted[0] == have[0] == "scripts" and wanted[1] <= have[1]):
                        mismatched.append((image, wanted))
                if len(mismatched) == len(images):
                    image, wanted = mismatched[0]
                    yield self._report(manifests, command, probe_name, argv, image, wanted)

    def _report(self, manifests, command, probe_name: str, argv: list[str], image, wanted) -> Report:
        what = ", ".join(sorted(wanted[1])) if wanted[0] == "scripts" else " ".join(wanted[1])
        related = [(image.healthcheck.command_span(), f"the HEALTHCHECK of {image.dockerfile.source.rel_path}")]
        judged = final_verdict(image.dockerfile)
        if judged is None or (judged[1].passes and judged[1].kind != gpucheck.NVIDIA_SMI):
            return self.report(Y.span(manifests.source, command),
                               f"{probe_name} runs `{' '.join(argv)}`, not the check the image's HEALTHCHECK "
                               f"runs ({what}); the probe's check was never proven to fail without a GPU",
                               fix=f"exec the same check as the HEALTHCHECK: {what}", related=related)
        # The HEALTHCHECK is the weak one (GL104/GL105 say why): copying it into the probes would
        # make them as blind as it is.
        weak = f"the image's HEALTHCHECK runs {what}, which does not prove the GPU works ({judged[1].detail})"
        probe = gpucheck.judge_exec(argv, _in_image)
        if probe.kind in (gpucheck.GPU, gpucheck.UNVERIFIED):
            return self.report(Y.span(manifests.source, command),
                               f"{probe_name} runs `{' '.join(argv)}`, but {weak}: Docker and Kubernetes judge the "
                               "same container by different checks",
                               fix=f"make the HEALTHCHECK run the probe's check: CMD {json.dumps(argv)}",
                               related=related)
        return self.report(Y.span(manifests.source, command),
                           f"{probe_name} runs `{' '.join(argv)}` and {weak}: neither check proves the GPU works, "
                           "and they differ", fix=SMOKE_TEST_FIX, related=related)

    @staticmethod
    def _missing_everywhere(argv, container, images) -> bool:
        scripts = scripts_run(argv)
        for script in scripts:
            if all(image.dockerfile.context is not None and (lambda o: o.status == "missing" and o.instruction is None)(
                    origin_of(image.dockerfile, image.stage, absolute_in(container_workdir(container, image),
                                                                         script.path), image.dockerfile.context))
                   for image in images):
                return True
        return False
