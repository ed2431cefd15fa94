from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.ci.model import SYSTEMS
from gpulint.project.lifecycle import ci_scripts, image_check, partners
from gpulint.artifacts.dockerfile.role import fixed_entrypoint
from gpulint.rules.base import Report, Rule


class CiGpuTestNotSmokeTest(Rule):
    """
    ## What it does
    For a CI pipeline (any system) next to the Dockerfile it builds, warns when no GPU `docker run` (`--gpus`,
    not the negative case) executes the script the image's `HEALTHCHECK` runs, at the same path
    inside the image (`-w`/`--workdir`, `--entrypoint` and the image's `WORKDIR`, `ENTRYPOINT`
    and `CMD` are followed: the arguments of `docker run IMAGE python3 smoke_test.py` go to an
    exec-form ENTRYPOINT that runs a program of its own, such as `["python3", "/app/serve.py"]`,
    instead of running). Applies only when both a pipeline and a Dockerfile whose HEALTHCHECK
    runs a script are scanned.

    ## Why is this bad?
    The point of the GPU job is to prove, before the push, that the check production relies on
    passes on a real GPU. A CI step that runs `nvidia-smi`, a different script, or the repository's
    copy of the test mounted with `-v` proves something else: the image may ship with a smoke test
    that cannot even start, and the first to notice are the HEALTHCHECK and the probes in production.

    ## Example
    ```yaml
    # Dockerfile: HEALTHCHECK CMD ["python3", "/app/smoke_test.py"]
    - run: docker run --rm --gpus all "$IMAGE:${{ github.sha }}" nvidia-smi
    ```

    ## Use instead
    ```yaml
    - run: docker run --rm --gpus all "$IMAGE:${{ github.sha }}" python3 /app/smoke_test.py
    ```

    ## Fix
    Run the HEALTHCHECK's script in the built image with `--gpus all` in the GPU test job.
    """

    id = "GL505"
    name = "ci-gpu-test-not-smoke-test"
    severity = Severity.WARNING
    kind = "ci"
    covers = SYSTEMS
    criterion = "workflow.build-test"
    summary = "the CI GPU test does not run the HEALTHCHECK's smoke test inside the built image"
    fix = "docker run --gpus all the built image with the HEALTHCHECK's script (e.g. python3 /app/smoke_test.py)"

    def check(self, pipeline, project) -> Iterator[Report]:
        images = [i for i in (image_check(d) for d in partners(project, pipeline, "dockerfile"))
                  if i is not None and i.healthcheck_scripts()]
        if not images:
            return
        facts = pipeline.images
        positives = [r for r in facts.runs if r.gpu and not r.negative and facts.uses_built(r) is not False]
        if not positives:
            return  # no GPU test (GL202) or only of another image (GL504)
        for run in positives:
            for image in images:
                if image.healthcheck_paths() <= ci_scripts(run, image):
                    return
        run = positives[0]
        wanted = ", ".join(sorted(images[0].healthcheck_paths()))
        what = " ".join(run.args) if run.args else "the image's default command"
        fixed = fixed_entrypoint(images[0].dockerfile, images[0].stage) if run.args and run.entrypoint() is None \
            else None
        if fixed:  # `docker run IMAGE ARGS` hands ARGS to the image's own ENTRYPOINT program
            what = f"{' '.join(fixed)} (the image's ENTRYPOINT), which receives `{' '.join(run.args)}` as arguments"
        yield self.report(run.span(),
                          f"the GPU test runs {what}, not the smoke test the HEALTHCHECK runs ({wanted}): CI does not "
                          "prove that the image's own GPU check passes on a GPU",
                          fix=f"run `python3 {wanted}` in the built image with --gpus all")
