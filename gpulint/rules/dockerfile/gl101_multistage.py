from __future__ import annotations

from gpulint.project.config import profile_of
from gpulint.core.findings import Severity
from gpulint.artifacts.dockerfile.stage_use import shipped_stages
from gpulint.rules.base import Rule
from gpulint.core.source import Span


class MultiStage(Rule):
    """
    ## What it does
    Checks that the Dockerfile has at least two build stages (two real `FROM` instructions):
    one that builds (compilers, CUDA `-devel` headers, pip caches) and a final one that only
    runs.

    With `--profile production` the rule judges GPU serving images (a GPU base or framework and a
    long-running process; see `gpulint/artifacts/dockerfile/role.py`): build, tool, test, base,
    CI and development images, samples, GPU daemons and CPU images get it as info only, and so do
    images whose role cannot be told. The lab profile judges a submission's Dockerfile whatever
    its role.

    ## Why is this bad?
    A single-stage CUDA image ships the whole toolchain: a `-devel` base is several gigabytes
    larger than `-runtime`, every extra package is attack surface, and each GPU node pulls the
    image before a pod can start, so rollouts and autoscaling get slower. Only instructions
    count: a `FROM` in a comment, a heredoc body or a string is not a stage. Only stages that
    reach the final image count, as BuildKit builds only those: the final stage and the stages
    it is built `FROM`, copies from (`COPY --from=name` or `--from=0`) or mounts
    (`RUN --mount=from=name`), transitively. A `FROM x AS unused` that nothing uses, or a
    builder the final stage never copies from, does not make a build multi-stage. Bases chosen
    by `ARG`, a final `FROM builder` and `COPY --from` a named build context (not a stage) are
    read as written.

    ## Example
    ```dockerfile
    FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04
    RUN pip install -r requirements.txt
    CMD ["python3", "serve.py"]
    ```

    ## Use instead
    ```dockerfile
    FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04 AS builder
    RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt

    FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
    COPY --from=builder /opt/venv /opt/venv
    ```

    ## Fix
    Split the build into a builder stage and a slim runtime stage that copies only what it
    needs with `COPY --from=builder`. With `--profile production` (the default of `gpulint
    check`), a single stage that builds nothing (no package manager, compiler or `pip install`
    in any `RUN`, and not a `-devel` base), say one that only copies a binary CI built, is a
    warning: there is no toolchain to leave behind. The lab profile keeps it an error.
    """

    id = "GL101"
    name = "dockerfile-multistage"
    severity = Severity.ERROR
    kind = "dockerfile"
    applies_to = "gpu-serving-image"
    criterion = "dockerfile.multistage"
    summary = "the Dockerfile has fewer than two build stages"
    fix = "add a builder stage and copy only the runtime artifacts into a slim final stage with COPY --from"

    def check(self, dockerfile, project):
        count = len(dockerfile.stages)
        shipped = shipped_stages(dockerfile)
        if len(shipped) >= 2:
            return
        if count > 1:
            unused = [s for s in dockerfile.stages if s not in shipped]
            stage = unused[0]
            label = f"stage `{stage.name}`" if stage.name else f"stage {stage.index}"
            others = f" (and {len(unused) - 1} more)" if len(unused) > 1 else ""
            span = stage.from_instruction.span()
            message = (f"the Dockerfile has {count} FROM stages, but only the final one reaches the image: "
                       f"{label}{others} is never copied from (COPY --from), built upon (FROM) or mounted "
                       "(RUN --mount=from=), so BuildKit skips it and the build is single-stage")
            fix = (f"COPY --from={stage.name or stage.index} what the final stage needs (e.g. the built "
                   "virtualenv), or remove the unused stage")
            if profile_of(project) == "production" and not _builds(shipped[0]):
                yield self.report(span, message, severity=Severity.WARNING, fix=fix)
                return
            yield self.report(span, message, fix=fix)
            return
        if count == 1:
            span = dockerfile.stages[0].from_instruction.span()
            message = "the Dockerfile has a single FROM stage; build tools and caches ship in the final image"
            if profile_of(project) == "production" and not _builds(dockerfile.stages[0]):
                yield self.report(span, "the Dockerfile has a single FROM stage; it builds nothing itself (no "
                                  "package install or compile step), so little ships that a builder stage "
                                  "would leave behind, but the base image is the runtime: keep it slim",
                                  severity=Severity.WARNING,
                                  fix="if a build step is added later, do it in a builder stage and COPY --from it")
                return
        else:
            span = Span.at_line(dockerfile.source, 1)
            message = "the Dockerfile has no FROM instruction, so no build stage at all"
        yield self.report(span, message)


# Commands that fetch or build software: their toolchains and caches are what a builder stage keeps
# out of the final image.
_BUILDERS = frozenset({"apt-get", "apt", "yum", "dnf", "microdnf", "apk", "zypper", "pip", "pip3", "uv", "conda",
                       "mamba", "micromamba", "poetry", "make", "cmake", "ninja", "gcc", "g++", "cc", "nvcc",
                       "cargo", "go", "npm", "yarn", "pnpm", "mvn", "gradle", "bazel", "git", "curl", "wget"})


def _builds(stage) -> bool:
    """Whether the stage installs or compiles anything (or starts from a -devel image)."""
    from gpulint.syntax.shell import parse_shell

    if "devel" in stage.base.lower():
        return True
    for instruction in stage.instructions:
        if instruction.keyword != "RUN":
            continue
        exec_form = instruction.exec_form()
        scripts = [" ".join(exec_form)] if exec_form else [instruction.body] + [h.body for h in instruction.heredocs]
        for script in scripts:
            commands = parse_shell(script, errexit=False).commands
            for command in commands:
                argv = command.argv()
                if not argv:
                    continue
                name = argv[0].rsplit("/", 1)[-1]
                if name in _BUILDERS or name.startswith(("python", "pip")) and "install" in argv:
                    return True
    return False
