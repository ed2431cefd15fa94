from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.artifacts.dockerfile.healthcheck import effective_healthcheck
from gpulint.core.fix import Applicability, FixAvailability
from gpulint.fixes.healthcheck import add_healthcheck
from gpulint.project.config import profile_of
from gpulint.project.lifecycle import partners
from gpulint.rules.base import Rule


def probed_in_kubernetes(project, dockerfile) -> str | None:
    """The workload of the project's Kubernetes manifests (those that belong with this Dockerfile)
    whose GPU container has a GPU-aware readiness or liveness probe, described; None if none."""
    manifests_found = partners(project, dockerfile, "kubernetes")
    if not manifests_found:
        return None
    from gpulint.artifacts.kubernetes import workloads as W  # only with manifests to read
    from gpulint.artifacts.kubernetes.probes import probe_is_gpu_aware

    for manifests in manifests_found:
        for template, container, _ in W.gpu_templates(manifests, project):
            if probe_is_gpu_aware(container, "readinessProbe") or probe_is_gpu_aware(container, "livenessProbe"):
                return f"{template.describe()} ({manifests.source.rel_path})"
    return None


class HealthcheckMissing(Rule):
    r"""
    ## What it does
    Checks that the final image has a `HEALTHCHECK` (in the final stage or a stage it is built
    from) and that it is not `HEALTHCHECK NONE`. A `HEALTHCHECK` only in a builder stage does
    not reach the final image.

    With `--profile production` the rule judges GPU serving images only (see
    `gpulint/artifacts/dockerfile/role.py`; build, tool, base, CI and development images and GPU
    daemons get info). Only Docker (`docker run`, Compose, Swarm) reads a `HEALTHCHECK`;
    Kubernetes and managed platforms ignore it and use their own probes, so a missing one is a
    warning there, and info when the project's Kubernetes manifests that belong with the
    Dockerfile probe the GPU container with a GPU-aware probe (an exec GPU check, or the engine
    health endpoint of a well-known inference server), or when every Compose service that builds
    the image declares its own `healthcheck:`. The lab profile keeps the lab's four
    layers (HEALTHCHECK, probes, CI test, rollout) and reports a missing one as an error.

    ## Why is this bad?
    Without a health check Docker reports a container whose GPU has fallen off the bus, whose
    driver lost its device nodes after a host reload, or whose CUDA context is wedged as
    simply "running". The health check is the image's own answer to *can this container use
    a GPU right now?*, and the same script gates Kubernetes readiness and liveness.

    ## Example
    ```dockerfile
    FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
    USER 10001
    CMD ["python3", "/app/serve.py"]
    ```

    ## Use instead
    ```dockerfile
    FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
    COPY smoke_test.py /app/smoke_test.py
    USER 10001
    HEALTHCHECK --interval=30s --timeout=20s --start-period=60s --retries=3 \
      CMD ["python3", "/app/smoke_test.py"]
    CMD ["python3", "/app/serve.py"]
    ```

    ## Fix
    Add a `HEALTHCHECK` to the final stage that runs the GPU smoke test.

    Automatic fix (unsafe): when the build context holds a GPU smoke test (`smoke_test.py`,
    `smoketest.py` or `gpu_smoke_test.py`) that GL104 accepts, `HEALTHCHECK --interval=30s
    --timeout=20s --start-period=60s --retries=3 CMD ["python3", "<path>"]` runs it where the
    image has it (a `COPY` into the working directory, `/app` without one, is added when the
    image lacks it), before the final stage's `CMD`/`ENTRYPOINT`; a `HEALTHCHECK NONE` of the
    final stage is replaced. Without a smoke test there is no automatic fix.
    """

    id = "GL103"
    name = "healthcheck-missing"
    severity = Severity.ERROR
    kind = "dockerfile"
    applies_to = "gpu-serving-image"
    criterion = "dockerfile.gpu-healthcheck"
    summary = "the final image has no HEALTHCHECK (or HEALTHCHECK NONE)"
    fix = "add `HEALTHCHECK --interval=30s --timeout=20s --start-period=60s CMD [\"python3\", \"/app/smoke_test.py\"]` to the final stage"
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = (Applicability.UNSAFE,)

    def check(self, dockerfile, project):
        stage = dockerfile.final_stage
        if stage is None:
            return
        healthcheck = effective_healthcheck(stage)
        if healthcheck is None:
            elsewhere = [s for s in dockerfile.stages if s not in stage.ancestry()
                         and any(i.keyword == "HEALTHCHECK" for i in s.instructions)]
            note = (f"; the HEALTHCHECK in stage '{elsewhere[0].name or elsewhere[0].index}' does not reach "
                    "the final image") if elsewhere else ""
            if profile_of(project) == "production":
                # Only Docker (run, Compose, Swarm) reads a HEALTHCHECK; Kubernetes and the managed
                # platforms ignore it and use their own probes.
                probed = probed_in_kubernetes(project, dockerfile)
                if probed is not None:
                    yield self.report(stage.from_instruction.span(),
                                      f"the final image has no HEALTHCHECK{note}; Kubernetes ignores it anyway, and "
                                      f"{probed} probes the GPU container GPU-aware, so it would serve only `docker "
                                      "run` and Compose users", severity=Severity.INFO)
                    return
                from gpulint.project.compose import ComposeFacts  # YAML only when there is a report

                services = project.facts(ComposeFacts).services(dockerfile.source)
                if services and all(s.healthcheck is True for s in services):
                    yield self.report(stage.from_instruction.span(),
                                      f"the final image has no HEALTHCHECK{note}; {services[0].path} gives its Compose "
                                      f"service '{services[0].name}' a healthcheck, so only plain `docker run` users "
                                      "get no health status", severity=Severity.INFO, autofix=add_healthcheck(dockerfile))
                    return
                yield self.report(stage.from_instruction.span(),
                                  f"the final image has no HEALTHCHECK{note}: `docker run` and Compose users get no "
                                  "health status (Kubernetes ignores it and uses its probes)", severity=Severity.WARNING,
                                  autofix=add_healthcheck(dockerfile))
                return
            yield self.report(stage.from_instruction.span(), f"the final image has no HEALTHCHECK{note}",
                              autofix=add_healthcheck(dockerfile))
        elif healthcheck.none:
            yield self.report(healthcheck.instruction.span(),
                              "HEALTHCHECK NONE disables the health check of the final image",
                              autofix=add_healthcheck(dockerfile, healthcheck))
        elif healthcheck.exec_argv is None and not healthcheck.shell:
            yield self.report(healthcheck.instruction.span(),
                              "HEALTHCHECK needs `CMD <command>` (or NONE)",
                              autofix=add_healthcheck(dockerfile, healthcheck))
