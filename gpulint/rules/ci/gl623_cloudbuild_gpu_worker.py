from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.rules.base import Report, Rule


def cloudbuild_worker_verdicts(rule: Rule, build, with_pool: bool) -> Iterator[Report]:
    if not build.is_build:
        return
    pool, pool_node = build.pool
    if (pool is not None) != with_pool:
        return
    seen: set[int] = set()
    for hit in build.gpu_work():
        if hit.step is None or hit.step.index in seen:
            continue
        seen.add(hit.step.index)
        what = f"{hit.step.label()} does GPU work ({hit.detail})"
        if pool is None:
            yield rule.report(hit.span(build.source), f"{what}, but the build runs on Cloud Build's default "
                              "workers, which have no GPU (no `options.pool`)")
        else:
            yield rule.report(hit.span(build.source), f"{what} on private pool `{pool}`; whether its workers have "
                              "a GPU is set in the pool's configuration, outside this file (note: check the pool, "
                              "or hand the test to a GPU VM with `gcloud compute ssh`)")


class CloudBuildGpuWorker(Rule):
    """
    ## What it does
    Checks that a Cloud Build step doing GPU work (the GPU test, `docker run --gpus`,
    `nvidia-smi`, a CUDA check in the built image) does not run on Cloud Build's default
    workers: the build must name a private pool with GPUs (`options.pool.name`), or hand the
    test to a GPU machine (`gcloud compute ssh GPU_VM --command "docker run --gpus all …"`).

    ## Why is this bad?
    Cloud Build's default workers have no GPU. `docker run --gpus all` fails there, and a CUDA
    check either fails or, with a CPU fallback, passes without touching a GPU: the pipeline is
    green for an image that was never run on one.

    ## Example
    ```yaml
    steps:
      - name: gcr.io/cloud-builders/docker
        args: [run, --rm, --gpus, all, $_IMAGE, python3, /app/smoke_test.py]
    options:
      machineType: E2_HIGHCPU_8
    ```

    ## Use instead
    ```yaml
    steps:
      - name: gcr.io/cloud-builders/gcloud
        args: [compute, ssh, gpu-runner, --zone, us-central1-a, --command,
               "docker run --rm --gpus all $_IMAGE python3 /app/smoke_test.py"]
    ```

    ## Fix
    Run the GPU test on a machine with a GPU: a private pool whose workers have GPUs
    (`options.pool.name`) or a GPU VM reached with `gcloud compute ssh`.
    """

    id = "GL623"
    name = "cloudbuild-gpu-step-on-default-workers"
    severity = Severity.ERROR
    kind = "cloudbuild"
    criterion = "workflow.gpu-runner"
    covers = ("cloudbuild",)
    summary = "a Cloud Build step doing GPU work runs on the default workers, which have no GPU"
    fix = "run the GPU test in a private pool with GPUs (`options.pool.name`) or on a GPU VM via `gcloud compute ssh`"

    def check(self, build, project):
        yield from cloudbuild_worker_verdicts(self, build, with_pool=False)
