from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.artifacts import gpucheck
from gpulint.artifacts.dockerfile.healthcheck import final_verdict
from gpulint.core.fix import Applicability, FixAvailability
from gpulint.fixes.healthcheck import replace_healthcheck
from gpulint.artifacts.dockerfile.healthcheck import http_paths, script_resolver
from gpulint.artifacts.dockerfile.role import image_server
from gpulint.artifacts.gpu_servers import engine_health_path
from gpulint.project.config import profile_of
from gpulint.rules.base import Rule


def engine_checked(dockerfile, healthcheck) -> bool:
    """Every URL the HEALTHCHECK fetches is an engine-checked health endpoint of the image's server."""
    stage = dockerfile.final_stage
    server = image_server(dockerfile, stage)
    paths = http_paths(healthcheck, script_resolver(dockerfile, stage))
    return server is not None and bool(paths) and all(engine_health_path(server, p) for p in paths)


class HealthcheckNotGpu(Rule):
    r"""
    ## What it does
    Checks that the final image's `HEALTHCHECK` command really asks the GPU: it runs a Python
    script or `python -c` code that calls `torch.cuda`, NVML (`pynvml`) or CuPy in a way that
    decides the exit status. Scripts are read from the build context with Python's `ast`
    (following `COPY`, `WORKDIR` and `COPY --from`); shell and exec forms, `sh -c` and shell
    scripts are followed. `curl`/`wget` checks, scripts that never touch the GPU, checks whose
    failure is hidden (`|| true`, `|| exit 0`, a pipe, a later `exit 0` without `set -e`), and
    commands that only *print* GPU words fail. A script that cannot fail fails too: a Python
    check whose every GPU failure ends in exit 0 (a broad `except` that `pass`es or prints
    around the checks, `sys.exit(0)` in `finally:`, a `main()` whose returned failure codes are
    thrown away before `sys.exit(0)`), or a shell script that hides it; the
    finding then points at the swallowing line of that script.

    With `--profile production`, a `curl`/`wget` of the health endpoint that the image's own GPU
    inference server answers from its engine passes (llama.cpp's `llama-server` `/health`, vLLM
    `/health`, Triton `/v2/health/ready`...; the server is read from the image's ENTRYPOINT/CMD
    or its base image; see `gpulint/artifacts/gpu_servers.py`): the engine that holds the GPU
    answers it. The rule judges GPU serving images there (other images get info). The lab
    profile keeps the lab's rule: the check itself must exercise CUDA.

    ## Why is this bad?
    An HTTP 200 proves the web server's Python is running, not that CUDA works: containers lose
    their GPU after a driver reload (NVIDIA/nvidia-container-toolkit#857), NVML starts failing
    inside long-running containers ("Failed to initialize NVML: Unknown Error"), and the server
    keeps answering `/healthz` all the while. Only a check that initialises NVML and runs a
    small CUDA computation notices.

    ## Example
    ```dockerfile
    HEALTHCHECK CMD curl -f http://localhost:8000/healthz || exit 1
    ```

    ```python
    # health.py, run by HEALTHCHECK CMD ["python3", "/app/health.py"]
    try:
        assert torch.cuda.is_available()
    except Exception:
        pass
    sys.exit(0)
    ```

    ## Use instead
    ```dockerfile
    COPY smoke_test.py /app/smoke_test.py
    HEALTHCHECK --interval=30s --timeout=20s --start-period=60s --retries=3 \
      CMD ["python3", "/app/smoke_test.py"]
    ```

    ## Fix
    Run the GPU smoke test (NVML init, `torch.cuda.is_available()`, a tensor round-trip on the
    GPU, distinct non-zero exit codes) as the HEALTHCHECK command.

    Automatic fix (unsafe): with such a smoke test in the build context (see GL103), the
    HEALTHCHECK's command becomes `CMD ["python3", "<path>"]` (the script is copied into the
    image when it is not there), its options that fit a torch import are kept, `--timeout` is
    raised to 20 s and `--start-period=60s` added where needed. A script that swallows its own
    failure is fixed in the script, by hand.
    """

    id = "GL104"
    name = "healthcheck-not-gpu-aware"
    severity = Severity.ERROR
    kind = "dockerfile"
    applies_to = "gpu-serving-image"
    criterion = "dockerfile.gpu-healthcheck"
    summary = "the HEALTHCHECK does not exercise the GPU (HTTP only, no CUDA/NVML call, or failure hidden)"
    fix = "make the HEALTHCHECK run the GPU smoke test, e.g. CMD [\"python3\", \"/app/smoke_test.py\"]"
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = (Applicability.UNSAFE,)

    def check(self, dockerfile, project):
        judged = final_verdict(dockerfile)
        if judged is None:
            return
        healthcheck, verdict = judged
        if verdict.passes:
            return
        if profile_of(project) == "production" and engine_checked(dockerfile, healthcheck):
            return  # the image's inference server answers this endpoint from the engine that holds the GPU
        lead = {
            gpucheck.HTTP: "the HEALTHCHECK only checks an HTTP endpoint",
            gpucheck.HIDDEN: "the HEALTHCHECK's GPU check cannot fail it",
            gpucheck.IGNORED: "the HEALTHCHECK ignores its GPU check's result",
        }.get(verdict.kind, "the HEALTHCHECK does not exercise the GPU")
        if verdict.where is not None:  # the script the HEALTHCHECK runs swallows the failure: point there
            line = healthcheck.instruction.line
            yield self.report(verdict.where, f"{lead} (the HEALTHCHECK on line {line} of "
                              f"{dockerfile.source.rel_path} runs this script): {verdict.detail}",
                              fix="let the failure reach the exit status: exit non-zero in the handler "
                                  "(or drop the `|| true` / final `exit 0`), and catch only expected errors")
            return
        yield self.report(healthcheck.command_span(), f"{lead}: {verdict.detail}",
                          autofix=replace_healthcheck(dockerfile, healthcheck))
