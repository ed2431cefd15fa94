from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.rules.base import Rule
from gpulint.rules.ci.gl623_cloudbuild_gpu_worker import cloudbuild_worker_verdicts


class CloudBuildGpuPoolUnknown(Rule):
    """
    ## What it does
    Warns when a Cloud Build step doing GPU work runs in a private pool (`options.pool.name`):
    the pool's machines are configured outside the build file, so gpulint cannot tell whether
    they have a GPU.

    ## Why is this bad?
    A private pool is not a GPU pool by itself: its worker machine type is set when the pool is
    created, and a pool without GPUs runs the GPU test on CPUs, where it fails or tests the CPU
    path only.

    ## Example
    ```yaml
    options:
      pool:
        name: projects/$PROJECT_ID/locations/us-west2/workerPools/builder-pool
    ```

    ## Use instead
    ```yaml
    steps:
      - name: gcr.io/cloud-builders/gcloud
        args: [compute, ssh, gpu-runner, --zone, us-west2-a, --command,
               "docker run --rm --gpus all $_IMAGE python3 /app/smoke_test.py"]
    ```

    ## Fix
    Check that the pool's workers have GPUs, or run the GPU test on a GPU VM with
    `gcloud compute ssh`, which the file shows; suppress this warning once checked.
    """

    id = "GL624"
    name = "cloudbuild-gpu-pool-unknown"
    severity = Severity.WARNING
    kind = "cloudbuild"
    criterion = "workflow.gpu-runner"
    covers = ("cloudbuild",)
    summary = "cannot tell whether the private pool that runs a Cloud Build GPU step has GPUs"
    fix = "check that the pool's workers have GPUs, or hand the test to a GPU VM with `gcloud compute ssh`"

    def check(self, build, project):
        yield from cloudbuild_worker_verdicts(self, build, with_pool=True)
