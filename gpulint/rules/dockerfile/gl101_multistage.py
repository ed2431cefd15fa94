from __future__ import annotations

from gpulint.findings import Severity
from gpulint.rule import Rule
from gpulint.source import Span


class MultiStage(Rule):
    """
    ## What it does
    Checks that the Dockerfile has at least two build stages (two real `FROM` instructions):
    one that builds (compilers, CUDA `-devel` headers, pip caches) and a final one that only
    runs.

    ## Why is this bad?
    A single-stage CUDA image ships the whole toolchain: a `-devel` base is several gigabytes
    larger than `-runtime`, every extra package is attack surface, and each GPU node pulls the
    image before a pod can start, so rollouts and autoscaling get slower. Only instructions
    count: a `FROM` in a comment, a heredoc body or a string is not a stage.

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
    needs with `COPY --from=builder`.
    """

    id = "GL101"
    name = "dockerfile-multistage"
    severity = Severity.ERROR
    kind = "dockerfile"
    criterion = "dockerfile.multistage"
    summary = "the Dockerfile has fewer than two build stages"
    fix = "add a builder stage and copy only the runtime artifacts into a slim final stage with COPY --from"

    def check(self, dockerfile, project):
        count = len(dockerfile.stages)
        if count >= 2:
            return
        if count == 1:
            span = dockerfile.stages[0].from_instruction.span()
            message = "the Dockerfile has a single FROM stage; build tools and caches ship in the final image"
        else:
            span = Span.at_line(dockerfile.source, 1)
            message = "the Dockerfile has no FROM instruction, so no build stage at all"
        yield self.report(span, message)
