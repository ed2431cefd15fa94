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
    A Python script's own modules are followed too: a module of the build context it imports
    from its folder (`from gpu_checks import run`, outside a `try`) must reach the script's
    folder in the image, or the check dies with ModuleNotFoundError.

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
            if origin.status == "context" and origin.source is not None and target.endswith(".py"):
                yield from self._imports_left_out(image, target, origin, context)
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

    def _imports_left_out(self, image, target: str, origin, context) -> Iterator[Report]:
        """Modules of the build context the HEALTHCHECK's Python script imports from its own folder
        (`from gpu_checks import run`, outside a `try`) that no COPY puts next to it in the image:
        the check dies with ModuleNotFoundError, and the container is never healthy."""
        from gpulint.syntax.python import module_files, parse_python, unguarded_imports

        script = parse_python(origin.source)
        if script.tree is None or not origin.context_path:
            return
        here = posixpath.dirname(origin.context_path)
        folder = posixpath.dirname(target)
        for module in dict.fromkeys(unguarded_imports(script.tree)):
            stem = module.split(".")[0]
            for name in module_files(stem):
                if context.read(posixpath.join(here, name) if here else name) is None:
                    continue  # not a module of the build context (a library, or made elsewhere)
                if image.origin_at(posixpath.join(folder, name)).status == "missing":
                    yield self.report(
                        origin.instruction.body_span() if origin.instruction is not None else
                        image.healthcheck.command_span(),
                        f"the HEALTHCHECK's script {target} imports {stem}, but {name} from the build context never "
                        f"reaches {folder}/ in the final image: the check fails with ModuleNotFoundError and the "
                        "container is never healthy",
                        fix=f"COPY {posixpath.join(here, name) if here else name} next to the script "
                            f"({posixpath.join(folder, name)}), or copy the whole folder")
                break

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
