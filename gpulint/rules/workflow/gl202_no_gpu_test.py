from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.ci.commands import TEST
from gpulint.ci.github.pipeline import pipeline, reports_missing
from gpulint.rules.base import Rule


class NoGpuTest(Rule):
    """
    ## What it does
    Checks that some job runs the GPU test against the image: `docker run --gpus …` (or
    `--device nvidia.com/gpu=…`, `--runtime nvidia`, the same with podman or nerdctl), the smoke
    test script (`python3 smoke_test.py`, any script named `*smoke*`), or `pytest` selecting GPU
    tests (`-m gpu`, `-m cuda`, a path naming `gpu`). Shell scripts are parsed, so the words in an
    `echo`, a comment or dead code do not count, nor does a step that never runs.

    A pipeline may be split over several workflows: a GPU test in any workflow of the scanned
    tree satisfies this rule, and when none has one the finding is reported once.

    ## Why is this bad?
    Building an image proves it builds, not that CUDA works inside it. A driver/CUDA mismatch, a
    CPU-only torch wheel or a missing `libcuda` only shows when the container runs on a GPU; the
    lab's pipeline exists to stop such images before users see a 500. Note that on a
    GitHub-hosted runner `docker run --gpus all` fails or tests nothing: see GL203.

    ## Example
    ```yaml
    jobs:
      build:
        runs-on: [self-hosted, gpu]
        steps:
          - run: docker build -t app .
          - run: docker run --rm app python -c "print('ok')"   # no GPU
    ```

    ## Use instead
    ```yaml
    jobs:
      gpu-test:
        needs: build
        runs-on: [self-hosted, gpu]
        steps:
          - run: docker run --rm --gpus all "app:${{ github.sha }}" python3 /app/smoke_test.py
    ```

    ## Fix
    Add a job on a self-hosted GPU runner that runs the image with `--gpus all` and executes the
    smoke test, so the job fails when the GPU cannot be used.
    """

    id = "GL202"
    name = "workflow-no-gpu-test"
    severity = Severity.ERROR
    kind = "workflow"
    criterion = "workflow.build-test"
    summary = "no job runs the GPU test (docker run --gpus, the smoke test, or pytest on GPU tests)"
    fix = "add a job that runs `docker run --rm --gpus all IMAGE python3 /app/smoke_test.py` on a self-hosted GPU runner"

    def check(self, workflow, project):
        p = pipeline(workflow, project)
        if any(pipeline(w, project).existing(TEST) for w in project.of_kind("workflow")):
            return
        dead = p.of(TEST)
        if dead:
            yield self.report(workflow.span(dead[0].step.key_node),
                              f"the only GPU test ({dead[0].detail}, {dead[0].step.label()}) never runs: its "
                              "job's or step's `if:` is false for every trigger",
                              fix="remove or correct the `if:` so the GPU test runs for pull requests and pushes")
            return
        if not reports_missing(project, workflow, TEST):
            return
        yield self.report(workflow.span(workflow.anchor),
                          "no job runs the GPU test: no step runs `docker run --gpus …`, the smoke test or "
                          "`pytest -m gpu` (text in `echo` or comments does not count)")
