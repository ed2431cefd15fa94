from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.artifacts.dockerfile.base_images import copies_from, from_image_span, stage_image
from gpulint.syntax.images import cuda_of
from gpulint.rules.base import Rule


class CudaStageMismatch(Rule):
    """
    ## What it does
    Checks that the final stage runs the same CUDA `major.minor` as each stage it copies
    from with `COPY --from`. Versions are read from the image tags (`nvidia/cuda:12.4.1-…`,
    `…-cuda12.1-…`). A different major version (11 vs 12) is an error; a different minor
    version (12.1 vs 12.4) is a warning.

    ## Why is this bad?
    What the builder compiles (CUDA extensions, a venv with wheels checked against its
    toolkit, `torch.version.cuda` assertions) is linked against the builder's CUDA runtime.
    Run on another major version it fails to load (`libcudart.so.11.0: cannot open shared
    object file`); on an older minor version it may need symbols the runtime lacks, and the
    image advertises (`NVIDIA_REQUIRE_CUDA`) a driver requirement that does not match the code.

    ## Example
    ```dockerfile
    FROM nvidia/cuda:12.4.1-devel-ubuntu22.04 AS builder
    FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04
    COPY --from=builder /opt/venv /opt/venv
    ```

    ## Use instead
    ```dockerfile
    FROM nvidia/cuda:12.4.1-devel-ubuntu22.04 AS builder
    FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
    COPY --from=builder /opt/venv /opt/venv
    ```

    ## Fix
    Use the same CUDA version in both tags (ideally through one `ARG CUDA_VERSION=12.4.1`
    used by both `FROM` lines).
    """

    id = "GL108"
    name = "cuda-stage-mismatch"
    severity = Severity.ERROR
    kind = "dockerfile"
    criterion = None
    summary = "the final stage and a builder stage it copies from use different CUDA versions"
    fix = "use the same CUDA major.minor in the builder and final FROM (one ARG for both)"

    def check(self, dockerfile, project):
        stage = dockerfile.final_stage
        if stage is None:
            return
        ref, instruction = stage_image(dockerfile, stage)
        final = cuda_of(ref)
        if final is None:
            return
        for builder, copy in copies_from(dockerfile, stage):
            other_ref, _ = stage_image(dockerfile, builder)
            other = cuda_of(other_ref)
            if other is None or other.key() == final.key():
                continue
            major = other.major != final.major
            label = f"'{builder.name}'" if builder.name else f"#{builder.index}"
            yield self.report(
                from_image_span(instruction),
                f"the final stage runs CUDA {final.version} ({ref.short}:{ref.tag}) but copies (line "
                f"{copy.line}) from stage {label}, built on CUDA {other.version} ({other_ref.short}:{other_ref.tag})"
                + ("; code built for another CUDA major version does not load" if major else
                   "; what the builder compiled may need a newer CUDA runtime"),
                severity=Severity.ERROR if major else Severity.WARNING,
                fix=f"use CUDA {other.version} in the final stage too (or build with {final.version})")
            return
