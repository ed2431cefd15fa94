from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.artifacts.dockerfile.base_images import from_image_span, stage_image
from gpulint.syntax.images import cuda_of
from gpulint.rules.base import Rule


class FinalStageDevel(Rule):
    """
    ## What it does
    Warns when a multi-stage Dockerfile's final stage is built on a CUDA `-devel` image
    (`nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04`, `pytorch/pytorch:2.3.0-cuda12.1-cudnn8-devel`),
    directly or through `FROM builder`. The final stage should use a `-runtime` (or `-base`)
    image and copy the built artefacts from the builder. A single-stage Dockerfile is GL101's
    business and is not reported again here.

    With `--profile production` the rule judges GPU serving images (a GPU base or framework and a
    long-running process; see `gpulint/artifacts/dockerfile/role.py`): build, tool, test, base,
    CI and development images, samples, GPU daemons and CPU images get it as info only, and so do
    images whose role cannot be told. The lab profile judges a submission's Dockerfile whatever
    its role.

    ## Why is this bad?
    The `-devel` images carry nvcc, headers and static libraries: several gigabytes more than
    `-runtime`. Every GPU node must pull the whole image before a pod starts, so each rollout,
    rollback and autoscale-up waits for it, and the compiler toolchain in production is pure
    attack surface. Splitting into stages only helps if the last stage is the slim one.

    ## Example
    ```dockerfile
    FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04 AS builder
    RUN python3 -m venv /opt/venv
    FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04
    COPY --from=builder /opt/venv /opt/venv
    ```

    ## Use instead
    ```dockerfile
    FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04 AS builder
    RUN python3 -m venv /opt/venv
    FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
    COPY --from=builder /opt/venv /opt/venv
    ```

    ## Fix
    Base the final stage on the `-runtime` (or `-cudnn-runtime`, `-base`) tag of the same CUDA
    version, and copy only what the builder produced.
    """

    id = "GL107"
    name = "final-stage-devel-image"
    severity = Severity.WARNING
    kind = "dockerfile"
    applies_to = "gpu-serving-image"
    criterion = None
    summary = "the final stage runs on a CUDA -devel image (several GB of compilers and headers)"
    fix = "base the final stage on the -runtime tag of the same CUDA version"

    def check(self, dockerfile, project):
        stage = dockerfile.final_stage
        if stage is None or len(dockerfile.stages) < 2:
            return
        ref, instruction = stage_image(dockerfile, stage)
        cuda = cuda_of(ref)
        if cuda is None or cuda.flavor != "devel":
            return
        runtime = ref.tag.replace("cudnn-devel", "cudnn-runtime").replace("devel", "runtime")
        via = "" if instruction is stage.from_instruction else f" (through stage '{stage.ancestry()[-1].name}')"
        yield self.report(from_image_span(instruction),
                          f"the final stage runs on {ref.short}:{ref.tag}{via}, a CUDA {cuda.version} -devel "
                          "image: compilers and headers add gigabytes every GPU node must pull",
                          fix=f"use {ref.short}:{runtime} for the final stage and COPY --from the builder")
