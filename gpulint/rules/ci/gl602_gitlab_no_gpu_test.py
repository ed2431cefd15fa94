from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.ci.commands import TEST
from gpulint.ci.gitlab.pipeline import judged, pipelines, reports_missing
from gpulint.rules.base import Rule


class GitLabNoGpuTest(Rule):
    """
    ## What it does
    Checks that some job of the GitLab CI pipeline runs the GPU test: a script line runs
    `docker run --gpus …` (or `--device nvidia.com/gpu=…`, `--runtime nvidia`), the smoke test
    (`python3 smoke_test.py`, any script named `*smoke*`, for instance in a job whose `image:`
    is the image just built), or `pytest` selecting GPU tests (`-m gpu`). Script lines are
    parsed, so `echo`, comments and dead code do not count, nor does a job that no pipeline
    runs.

    ## Why is this bad?
    Building an image proves it builds, not that CUDA works inside it. A driver/CUDA mismatch or
    a CPU-only wheel only shows when the container runs on a GPU.

    ## Example
    ```yaml
    test:
      script:
        - docker run --rm "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" python -c "print('ok')"  # no GPU
    ```

    ## Use instead
    ```yaml
    gpu-test:
      stage: test
      tags: [gpu]
      script:
        - docker run --rm --gpus all "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" python3 /app/smoke_test.py
    ```

    ## Fix
    Add a `test`-stage job on a GPU runner (`tags: [gpu]`) that runs the image with
    `--gpus all` and executes the smoke test.
    """

    id = "GL602"
    name = "gitlab-no-gpu-test"
    severity = Severity.ERROR
    kind = "gitlab"
    criterion = "workflow.build-test"
    covers = ("gitlab",)
    summary = "no job of the GitLab pipeline runs the GPU test"
    fix = "add a job with `tags: [gpu]` whose script runs `docker run --rm --gpus all IMAGE python3 /app/smoke_test.py`"

    def check(self, pipeline, project):
        if not judged(pipeline, project) or any(p.existing(TEST) for p in pipelines(project)):
            return
        dead = [h for h in pipeline.hits if h.kind == TEST]
        if dead:
            yield self.report(dead[0].span(), f"the only GPU test ({dead[0].detail}, in {dead[0].where()}) never "
                              "runs: the job's `rules:`/`only:` keep it out of every pipeline",
                              fix="correct the job's `rules:` so the GPU test runs for merge requests and pushes")
            return
        if reports_missing(project, pipeline, TEST):
            yield self.report(Y.span(pipeline.source, pipeline.node),
                              "no job runs the GPU test: no script line runs `docker run --gpus …`, the smoke test "
                              "or `pytest -m gpu` (text in `echo` or comments does not count)")
