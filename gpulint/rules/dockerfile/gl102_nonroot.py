from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.artifacts.dockerfile.variables import effective_user
from gpulint.rules.base import Rule


class NonRoot(Rule):
    """
    ## What it does
    Checks that the final stage runs as a non-root user. The effective user is the last `USER`
    of the final stage or of the stage it is built from, with `ARG`/`ENV` defaults expanded;
    `root`, `0`, `0:0` and `root:root` are root, and no `USER` at all means root.

    ## Why is this bad?
    A GPU container already gets device nodes and driver libraries from the host; running it
    as root turns any bug in the model server or a pickle-loading path into root on a node that
    holds expensive accelerators and often shared credentials. Kubernetes' `runAsNonRoot`
    refuses to start an image whose user is root or not numeric-resolvable.

    ## Example
    ```dockerfile
    FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
    COPY --from=builder /opt/venv /opt/venv
    CMD ["python3", "/app/serve.py"]
    ```

    ## Use instead
    ```dockerfile
    FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
    RUN useradd --uid 10001 --create-home app
    COPY --from=builder /opt/venv /opt/venv
    USER 10001:10001
    CMD ["python3", "/app/serve.py"]
    ```

    ## Fix
    Create an unprivileged user in the final stage and switch to it with `USER` (a numeric UID
    lets `runAsNonRoot` verify it).
    """

    id = "GL102"
    name = "dockerfile-nonroot"
    severity = Severity.ERROR
    kind = "dockerfile"
    applies_to = "gpu-serving-image"
    criterion = "dockerfile.nonroot"
    summary = "the final stage runs as root"
    fix = "create an unprivileged user in the final stage and add `USER <uid>` after the last root-only step"

    def check(self, dockerfile, project):
        stage = dockerfile.final_stage
        if stage is None:
            return
        user = effective_user(dockerfile, stage)
        if user.instruction is None:
            yield self.report(stage.from_instruction.span(),
                              "the final stage never sets USER, so the container runs as root")
        elif user.value is None:
            names = ", ".join(user.unresolved)
            yield self.report(user.instruction.span(),
                              f"USER {user.raw} depends on the build argument {names}, which has no default: "
                              "a plain `docker build` leaves the user undefined")
        elif user.is_root:
            inherited = "" if user.instruction.stage is stage else " (inherited from an earlier stage)"
            yield self.report(user.instruction.span(),
                              f"the final stage runs as root: USER {user.raw} resolves to '{user.value}'{inherited}")
