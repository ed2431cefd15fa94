from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.ci.tekton import pipeline as T
from gpulint.syntax import yamlnode as Y
from gpulint.rules.base import Rule


class TektonNoGpuTest(Rule):
    """
    ## What it does
    Checks that some Tekton Pipeline task runs the GPU test: a step whose `script` (parsed as
    shell) or `command`/`args` runs the smoke test (`python3 /app/smoke_test.py`),
    `pytest -m gpu` / pytest on GPU tests, or `docker run --gpus`. A task whose `when` is false in
    every scenario does not count, nor does text in `echo`, a comment or a function never called.

    ## Why is this bad?
    Without a GPU test the pipeline proves only that the image builds: a CUDA/driver mismatch or
    a CPU-only wheel ships to the cluster and fails there.

    ## Example
    ```yaml
    steps:
      - name: test
        image: $(params.image)
        script: |
          echo "python3 /app/smoke_test.py"    # prints the words only
    ```

    ## Use instead
    ```yaml
    steps:
      - name: test
        image: $(params.image)
        computeResources:
          limits: {nvidia.com/gpu: 1}
        script: |
          set -e
          python3 /app/smoke_test.py
    ```

    ## Fix
    Add a task (after the build) whose step runs the smoke test in the built image with an
    `nvidia.com/gpu` limit.
    """

    id = "GL641"
    name = "tekton-no-gpu-test"
    severity = Severity.ERROR
    kind = "kubernetes"
    criterion = "workflow.build-test"
    covers = ("tekton",)
    summary = "no Tekton Pipeline task runs the GPU test"
    fix = "add a task whose step runs `python3 /app/smoke_test.py` in the built image with an nvidia.com/gpu limit"

    def check(self, manifests, project):
        ix = T.index(project)
        first = T.first_pipeline(project)
        if first is None or first.source is not manifests.source or T.possible_hits(ix, T.TEST):
            return
        yield self.report(Y.span(first.source, first.anchor),
                          f"no task of Pipeline '{first.name}' (or any Tekton Pipeline in the scanned files) runs "
                          "the GPU test: no step runs the smoke test, `pytest -m gpu` or `docker run --gpus` "
                          "(text in `echo` or comments does not count)")
