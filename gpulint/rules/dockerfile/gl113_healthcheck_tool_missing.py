from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.core.source import Source
from gpulint.artifacts.dockerfile.healthcheck import effective_healthcheck, script_resolver
from gpulint.artifacts.dockerfile.packages import family_of_stage, installed_names, run_commands, tool_present
from gpulint.rules.base import Report, Rule
from gpulint.syntax.shell import command_string, is_shell, parse_shell, script_file

_TOOLS = ("curl", "wget", "nc")


class HealthcheckToolMissing(Rule):
    """
    ## What it does
    Reports a `HEALTHCHECK` of the final image that runs `curl`, `wget` or `nc` (directly, in
    `sh -c`, or in a shell script copied from the build context) when the image never gets that
    tool: no `RUN` of the final stage or of the stages it is built on installs it, and its base
    image family does not ship it. Base families are read from the base image's name:
    Debian and Ubuntu images (`nvidia/cuda`, `ubuntu`, `python:*-slim`, `pytorch/pytorch`) ship
    neither `curl` nor `wget`; Red Hat UBI and CentOS ship `curl`; Alpine's busybox has `wget`
    and `nc`; distroless and `scratch` images have no shell tools at all; the full `python`,
    `buildpack-deps` and the inference server images (vLLM, TGI, Triton, ROCm) carry `curl`. When
    the base cannot be identified the rule says it cannot tell (info).

    ## Why is this bad?
    The command fails with "not found" (exit 127) on every run, so the container turns
    `unhealthy` a few minutes after it starts, however healthy the server is; Docker Swarm and
    Compose `depends_on: service_healthy` then restart it or never start its dependants. The
    error hides until the image is run.

    ## Example
    ```dockerfile
    FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
    HEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1
    ```

    ## Use instead
    ```dockerfile
    FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
    RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
    HEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1
    ```

    ## Fix
    Install the tool in the final stage, or write the check with what the image has (`python3
    -c "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"`).
    """

    id = "GL113"
    name = "healthcheck-tool-missing"
    severity = Severity.ERROR
    kind = "dockerfile"
    criterion = "dockerfile.gpu-healthcheck"
    summary = "the HEALTHCHECK runs curl, wget or nc, which the final image never installs"
    fix = "install the tool in the final stage, or check with a tool the image has (python3 urllib)"

    def check(self, dockerfile, project) -> Iterator[Report]:
        stage = dockerfile.final_stage
        healthcheck = effective_healthcheck(stage) if stage is not None else None
        if healthcheck is None or healthcheck.none or (healthcheck.exec_argv is None and not healthcheck.shell):
            return
        used = _tools_used(healthcheck, script_resolver(dockerfile, stage))
        if not used:
            return
        ref, family = family_of_stage(dockerfile, stage)
        installed = installed_names(stage.ancestry(), dockerfile)
        base = ref.short if ref is not None else stage.ancestry()[-1].base
        installer = _script_run(stage, dockerfile)
        for tool, where in used:
            present = tool_present(tool, ref, family, installed)
            if present is True:
                continue
            if present is False and installer is not None:
                present = None  # a script the build runs may install it: cannot tell
            via = f" (in {where})" if where else ""
            if present is False:
                yield self.report(healthcheck.command_span(),
                                  f"the HEALTHCHECK runs {tool}{via}, but the final image never installs it and its "
                                  f"base {base} ({family}) does not ship it: the check fails with 'not found' on every "
                                  "run and the container is always unhealthy")
            else:
                why = (f"the final image runs {installer}, which may install it" if installer is not None else
                       f"gpulint cannot tell whether the base {base} ships it")
                yield self.report(healthcheck.command_span(),
                                  f"the HEALTHCHECK runs {tool}{via}; no RUN of the final image installs it and "
                                  f"{why}", severity=Severity.INFO,
                                  fix=f"install {tool} in the final stage to be sure, or check with python3 urllib")
            return


def _script_run(stage, dockerfile) -> str | None:
    """A shell script a RUN of the final image's stages runs (`bash /deps/install_deps.sh`, often
    bind-mounted): what it installs is not in the Dockerfile."""
    for ancestor in stage.ancestry():
        for argv in run_commands(ancestor, dockerfile):
            script = (script_file(argv) or "") if is_shell(argv[0]) else argv[0]
            if script.endswith(".sh"):
                return script
    return None


def _tools_used(healthcheck, resolve) -> list[tuple[str, str | None]]:
    """(tool, script it runs in) for the HTTP clients the check runs, following sh -c and .sh scripts."""
    scripts: list[tuple[str, str | None]] = []
    if healthcheck.exec_argv is not None:
        invoked = command_string(healthcheck.exec_argv)
        scripts.append((invoked.text if invoked is not None else " ".join(healthcheck.exec_argv), None))
    else:
        scripts.append((healthcheck.shell or "", None))
    found: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    while scripts:
        text, where = scripts.pop(0)
        for command in parse_shell(text, errexit=False).commands:
            argv = command.argv()
            if not argv:
                continue
            name = argv[0].rsplit("/", 1)[-1]
            if name in _TOOLS and name not in {t for t, _ in found}:
                found.append((name, where))
            invoked = command_string(argv)
            if invoked is not None:
                scripts.append((invoked.text, where))
                continue
            path = (script_file(argv) or "") if is_shell(name) else argv[0]
            if path.endswith(".sh") and path not in seen and where is None:
                seen.add(path)
                script = resolve(path)
                if isinstance(script, Source):
                    scripts.append((script.text, script.rel_path))
    return found
