from __future__ import annotations

import posixpath
from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.artifacts.dockerfile.context import copy_arguments
from gpulint.project.lifecycle import image_check
from gpulint.rules.base import Report, Rule


class HealthcheckScriptNotInImage(Rule):
    """
    ## What it does
    Checks that the script the `HEALTHCHECK` runs is really in the final image at the path the
    command names: some `COPY`/`ADD` of the final stage (or of a stage it is built from, or a
    `COPY --from` chain) puts a file of the build context there. Relative paths are resolved
    against the final `WORKDIR`. It reports a script that is in the build context but never
    copied (or copied somewhere else, or only into a builder stage), and a `COPY` of the script
    whose source is not in the build context. A script that exists nowhere is GL104's finding.

    ## Why is this bad?
    Docker runs the health check inside the container: when the file is not there, Python
    exits 2 with "can't open file", every check fails and the container is `unhealthy` from its
    first minute, although the script looks fine in the repository. A `COPY` of a file missing
    from the build context is worse: `docker build` stops with "not found" and the CI pipeline
    never produces an image. The same path is usually what the Kubernetes probes and the CI
    smoke test run, so one wrong path breaks all three.

    ## Example
    ```dockerfile
    FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
    WORKDIR /app
    COPY serve.py /app/serve.py
    HEALTHCHECK --timeout=20s CMD ["python3", "/app/smoke_test.py"]
    ```

    ## Use instead
    ```dockerfile
    FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
    WORKDIR /app
    COPY serve.py smoke_test.py /app/
    HEALTHCHECK --timeout=20s CMD ["python3", "/app/smoke_test.py"]
    ```

    ## Fix
    `COPY` the smoke test from the build context into the final stage at exactly the path the
    `HEALTHCHECK` runs (mind `WORKDIR` for relative paths).
    """

    id = "GL501"
    name = "healthcheck-script-not-in-image"
    severity = Severity.ERROR
    kind = "dockerfile"
    criterion = "dockerfile.gpu-healthcheck"
    summary = "the script the HEALTHCHECK runs is not COPY-ed into the final image at that path"
    fix = "COPY the smoke test into the final stage at the path the HEALTHCHECK runs"

    def check(self, dockerfile, project) -> Iterator[Report]:
        image = image_check(dockerfile)
        if image is None or image.healthcheck is None or image.healthcheck.none or dockerfile.context is None:
            return
        context = dockerfile.context
        seen: set[str] = set()
        for script in image.healthcheck_scripts():
            target = image.absolute(script.path)
            if target in seen:
                continue
            seen.add(target)
            origin = image.origin(script.path)
            if origin.status != "missing":
                continue
            if origin.instruction is not None:
                yield self.report(
                    origin.instruction.body_span(),
                    f"this {origin.instruction.keyword} puts the HEALTHCHECK's script {target} into the image from "
                    f"{origin.context_path}, which is not in the build context: `docker build` fails with "
                    "\"not found\"",
                    fix=f"add {origin.context_path} to the build context (next to the Dockerfile) or correct the "
                        "source path")
                continue
            name = posixpath.basename(target)
            if context.read(name) is None and not context.exists(name):
                continue  # the script exists nowhere: GL104 reports it
            elsewhere = self._copied_elsewhere(dockerfile, image, name)
            where = (f"; the build copies {name} to {elsewhere} instead" if elsewhere
                     else "; no COPY or ADD of the final stage puts it there")
            yield self.report(
                image.healthcheck.command_span(),
                f"the HEALTHCHECK runs {target}, but {name} from the build context never reaches that path in the "
                f"final image{where}: the check fails with \"No such file\" and the container is unhealthy",
                fix=f"add `COPY {name} {target}` to the final stage, or run the path it is copied to")

    def _copied_elsewhere(self, dockerfile, image, name: str) -> str | None:
        for stage in image.stage.ancestry() + [s for s in dockerfile.stages if s not in image.stage.ancestry()]:
            for instruction in stage.instructions:
                if instruction.keyword not in ("COPY", "ADD") or instruction.flags.get("from"):
                    continue
                parsed = copy_arguments(instruction)
                if parsed and any(posixpath.basename(s.rstrip("/")) == name for s in parsed[0]):
                    label = parsed[1] + ("" if stage in image.stage.ancestry() else f" (in stage {stage.name or stage.index}, not the final one)")
                    return label
        return None
