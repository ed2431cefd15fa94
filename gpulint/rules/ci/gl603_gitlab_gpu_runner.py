from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.ci.gitlab.pipeline import gpu_tag, judged
from gpulint.rules.base import Report, Rule


def gitlab_runner_verdicts(rule: Rule, pipeline, project, verdict: str) -> Iterator[Report]:
    if not judged(pipeline, project):
        return
    extra = tuple(getattr(getattr(project, "config", None), "gpu_runner_labels", ()) or ())
    for job in pipeline.jobs.values():
        work = pipeline.gpu_work(job)
        if not work or not pipeline.possible(job):
            continue
        reasons = []
        for tags in pipeline.runner_tags(job):
            found, reason = gpu_tag(tags, extra)
            if found == verdict and reason not in reasons:
                reasons.append(reason)
        if reasons:
            yield rule.report(job.span("tags"), f"job '{job.name}' does GPU work ({work[0].detail}), but "
                              + "; ".join(reasons[:2]))


class GitLabGpuRunner(Rule):
    """
    ## What it does
    Checks that every GitLab job doing GPU work (the GPU test, `docker run --gpus`,
    `nvidia-smi`) is sent to a GPU runner by its `tags:`: a tag containing `gpu` (such as
    `gpu`, `nvidia-gpu` or GitLab.com's `saas-linux-medium-amd64-gpu-standard`) or one listed
    in `gpu-runner-labels` in the config. Tags inherited from `default:` or a template
    (`extends`) count; `tags: [$RUNNER]` is resolved through `variables:` and each
    `parallel: matrix` leg.

    ## Why is this bad?
    Without tags any runner may pick the job, for instance GitLab's shared runners, which have
    no NVIDIA GPU: `docker run --gpus all` then errors out, or a CPU fallback makes the test
    pass without ever touching a GPU.

    ## Example
    ```yaml
    gpu-test:
      tags: [docker]
      script:
        - docker run --rm --gpus all "$IMAGE" python3 /app/smoke_test.py
    ```

    ## Use instead
    ```yaml
    gpu-test:
      tags: [docker, gpu]
      script:
        - docker run --rm --gpus all "$IMAGE" python3 /app/smoke_test.py
    ```

    ## Fix
    Register a runner on a GPU host with a `gpu` tag and add `tags: [gpu]` to every job that runs
    the GPU test.
    """

    id = "GL603"
    name = "gitlab-gpu-job-not-on-gpu-runner"
    severity = Severity.ERROR
    kind = "gitlab"
    criterion = "workflow.gpu-runner"
    covers = ("gitlab",)
    summary = "a GitLab job doing GPU work is not sent to a GPU runner by its tags"
    fix = "add `tags: [gpu]` (a tag of a runner on a GPU host) to every job that runs the GPU test"

    def check(self, pipeline, project):
        yield from gitlab_runner_verdicts(self, pipeline, project, "not-gpu")
