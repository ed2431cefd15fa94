from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.project.lifecycle import (PROBES, absolute_in, container_workdir, exec_argv, gpu_containers,
                                      paired_images, scripts_run)
from gpulint.rules.base import Report, Rule


class ProbeScriptNotInImage(Rule):
    """
    ## What it does
    For a GPU Deployment next to the Dockerfile of its image, checks that every script an
    `exec` probe (startup, readiness, liveness) runs exists in that image: some `COPY`/`ADD`
    of the final stage puts a file at that path (relative paths are resolved against the
    container's `workingDir`, else the image's `WORKDIR`). Applies only when both a Dockerfile
    and a Deployment are scanned; with several Dockerfiles in the project the nearest ones are
    used and the script must be missing from all of them.

    ## Why is this bad?
    The kubelet runs the probe command inside the container. A path the image does not have
    makes Python exit 2 ("can't open file") on every probe: the readiness probe never passes
    so the rollout stalls at `progressDeadlineSeconds`, and a liveness probe restarts the pod
    in a loop (CrashLoopBackOff), although the GPU is fine.

    ## Example
    ```yaml
    # Dockerfile: COPY smoke_test.py /app/smoke_test.py
    readinessProbe:
      exec:
        command: ["python3", "/opt/health/gpu_check.py"]
    ```

    ## Use instead
    ```yaml
    readinessProbe:
      exec:
        command: ["python3", "/app/smoke_test.py"]
      timeoutSeconds: 20
    ```

    ## Fix
    Run the path the Dockerfile copies the smoke test to (the HEALTHCHECK's script), or `COPY`
    the probe's script into the final stage.
    """

    id = "GL502"
    name = "probe-script-not-in-image"
    severity = Severity.ERROR
    kind = "kubernetes"
    criterion = "deployment.probes"
    summary = "an exec probe runs a script that the image built by the project's Dockerfile does not contain"
    fix = "make the probe run the script the Dockerfile copies (the HEALTHCHECK's), or COPY it into the image"

    def check(self, manifests, project) -> Iterator[Report]:
        images = [i for i in paired_images(project, manifests) if i.dockerfile.context is not None]
        if not images:
            return
        for _obj, container in gpu_containers(manifests):
            for probe_name in PROBES:
                found = exec_argv(Y.get(container, probe_name))
                if found is None:
                    continue
                command, argv = found
                for script in scripts_run(argv):
                    missing = []
                    for image in images:
                        target = absolute_in(container_workdir(container, image), script.path)
                        origin = image.origin_at(target)
                        if origin.status == "missing" and origin.instruction is None:
                            missing.append((image, target))
                    if missing and len(missing) == len(images):
                        image, target = missing[0]
                        hc = sorted(image.healthcheck_paths())
                        hint = f"; the HEALTHCHECK runs {hc[0]}" if hc else ""
                        yield self.report(
                            Y.span(manifests.source, command),
                            f"{probe_name} runs {target}, but {image.dockerfile.source.rel_path} puts no file there "
                            f"(no COPY or ADD of the final stage){hint}: every probe fails with \"No such file\"",
                            fix=f"run {hc[0]}" if hc else None)
                        break
