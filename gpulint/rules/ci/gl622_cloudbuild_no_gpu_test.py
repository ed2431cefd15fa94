from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.ci.cloudbuild.build import builds, reports_missing
from gpulint.ci.commands import TEST
from gpulint.rules.base import Rule


class CloudBuildNoGpuTest(Rule):
    """
    ## What it does
    Checks that some step of the Cloud Build configuration runs the GPU test: `docker run
    --gpus …`, the smoke test, `pytest` on GPU tests, a step whose builder is the image built
    earlier running a CUDA check (`python -c "import torch; assert torch.cuda.is_available()"`)
    or the smoke test, or a test handed to a GPU machine (`gcloud compute ssh GPU_VM --command
    "docker run --gpus all …"`, `gcloud ai custom-jobs create` with an accelerator).

    ## Why is this bad?
    Building an image proves it builds, not that CUDA works inside it; a driver/CUDA mismatch
    or a CPU-only wheel only shows on a GPU.

    ## Example
    ```yaml
    steps:
      - name: gcr.io/cloud-builders/docker
        args: [build, -t, $_IMAGE, .]
      - name: $_IMAGE
        args: [python, -c, "print('ok')"]   # no GPU involved
    ```

    ## Use instead
    ```yaml
    steps:
      - name: gcr.io/cloud-builders/docker
        args: [build, -t, $_IMAGE, .]
      - name: gcr.io/cloud-builders/docker
        args: [run, --rm, --gpus, all, $_IMAGE, python3, /app/smoke_test.py]
    options:
      pool:
        name: projects/$PROJECT_ID/locations/us-central1/workerPools/gpu-pool
    ```

    ## Fix
    Add a step that runs the smoke test in the built image on a GPU (a private pool with GPUs, or
    a GPU VM reached with `gcloud compute ssh`).
    """

    id = "GL622"
    name = "cloudbuild-no-gpu-test"
    severity = Severity.ERROR
    kind = "cloudbuild"
    criterion = "workflow.build-test"
    covers = ("cloudbuild",)
    summary = "no step of the Cloud Build configuration runs the GPU test"
    fix = "add a step that runs `docker run --rm --gpus all IMAGE python3 /app/smoke_test.py` on a GPU worker"

    def check(self, build, project):
        if not build.is_build or any(b.of(TEST) for b in builds(project)):
            return
        if reports_missing(project, build, TEST):
            yield self.report(Y.span(build.source, Y.get_pair(build.node, "steps")[0]),
                              "no step runs the GPU test: no `docker run --gpus …`, smoke test, `pytest -m gpu` or "
                              "CUDA check in the built image (text in `echo` or comments does not count)")
