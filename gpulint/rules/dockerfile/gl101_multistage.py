from __future__ import annotations

from gpulint.project.config import profile_of
from gpulint.core.findings import Severity
from gpulint.artifacts.dockerfile.caches import cache_left
from gpulint.artifacts.dockerfile.packages import compiles, installs, runtime_compiler_need
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
    images whose role cannot be told. A single stage that compiles stays an error there; one
    that installs build packages (`build-essential`, `*-dev` headers) with nothing seen compiling
    is a warning (a compiler may be what the image runs with: Triton and `torch.compile` build
    kernel launchers with the system C compiler); one that only installs prebuilt packages is a
    warning when an install leaves its package cache in the image (no `--no-cache-dir`,
    `rm -rf /var/lib/apt/lists/*` or `RUN --mount=type=cache`), and info when nothing would be
    saved. The lab profile judges a submission's Dockerfile
    whatever its role.

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
    check`), a single stage is an error only when it compiles: a compiler or build system run
    (`make`, `cmake`, `nvcc`, `go build`...) or a pip install from source; a `-devel` base or
    toolchain packages (`build-essential`, `gcc`, `*-dev` headers) with nothing seen compiling are
    a warning; any of these is info when the image installs a package that compiles its kernels at
    run time (DeepSpeed's ops, apex, xformers), which needs that toolchain. One that only
    installs prebuilt packages (`pip install -r requirements.txt` on a GPU framework image) or
    copies a binary CI built is a warning: those packages are the runtime, and a builder stage
    would leave little behind. The lab profile keeps it an error.
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
            if profile_of(project) == "production" and not compiles(shipped[0], dockerfile):
                yield self.report(span, message, severity=Severity.WARNING, fix=fix)
                return
            yield self.report(span, message, fix=fix)
            return
        if count == 1:
            span = dockerfile.stages[0].from_instruction.span()
            message = "the Dockerfile has a single FROM stage; build tools and caches ship in the final image"
            if profile_of(project) == "production":
                stage = dockerfile.stages[0]
                compiling = compiles(stage, dockerfile)
                jit = runtime_compiler_need(stage, dockerfile) if compiling is not None else None
                if compiling is not None and jit is not None:
                    yield self.report(span, f"the Dockerfile has a single FROM stage and {compiling.reason}, but it "
                                      f"installs {jit}, which compiles its CUDA/C++ kernels with the image's "
                                      "toolchain when they are first used: the toolchain is a run-time need",
                                      severity=Severity.INFO)
                    return
                if compiling is not None and not compiling.seen:
                    yield self.report(span, f"the Dockerfile has a single FROM stage and {compiling.reason}: the "
                                      "toolchain ships in the final image; nothing is seen compiling, so unless the "
                                      "image needs a compiler at run time (Triton and torch.compile build kernel "
                                      "launchers with the system C compiler), build in a builder stage",
                                      severity=Severity.WARNING)
                    return
                if compiling is not None:
                    yield self.report(span, f"the Dockerfile has a single FROM stage and {compiling.reason}: the "
                                      "toolchain and build caches ship in the final image")
                    return
                installed = installs(stage, dockerfile)
                what = ("it installs prebuilt packages, which are the runtime, but compiles nothing"
                        if installed else "it builds nothing itself")
                left = cache_left(stage, dockerfile)
                if left is None:  # nothing a builder stage or a cleanup would take out
                    yield self.report(span, f"the Dockerfile has a single FROM stage; {what} and keeps no "
                                      "package cache, so a builder stage would leave nothing behind",
                                      severity=Severity.INFO,
                                      fix="if a compile step is added later, do it in a builder stage and COPY --from it")
                    return
                yield self.report(span, f"the Dockerfile has a single FROM stage; {what}, so a builder stage "
                                  f"would leave little behind, but `{left}` keeps its package cache in the image "
                                  "(pip --no-cache-dir, rm -rf /var/lib/apt/lists/*, or RUN --mount=type=cache)",
                                  severity=Severity.WARNING,
                                  fix="keep package caches out of the image; if a compile step is added later, do it "
                                      "in a builder stage and COPY --from it")
                return
        else:
            span = Span.at_line(dockerfile.source, 1)
            message = "the Dockerfile has no FROM instruction, so no build stage at all"
        yield self.report(span, message)
