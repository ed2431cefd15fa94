from __future__ import annotations

from gpulint.ci.model import SYSTEMS, TEST
from gpulint.core.findings import Severity
from gpulint.project.pipelines import runner_context
from gpulint.rules.ci._missing import MissingAction


class NoGpuTest(MissingAction):
    """
    ## What it does
    Checks that some pipeline of the project runs the GPU test, whatever CI system runs it: a
    `docker run` of the image with a GPU (`--gpus`, `--device nvidia.com/gpu=…`,
    `--runtime nvidia`), the smoke test (`python smoke_test.py`), `pytest -m gpu` or a test path
    naming GPU/CUDA, or (Cloud Build) a step that runs the built image with a GPU check, or a
    GPU job handed to a GPU service (`gcloud compute ssh`, `gcloud ai custom-jobs create` with an
    accelerator). Shell scripts are parsed: `echo`, comments and dead branches do not count.

    A GPU test in any pipeline of the project satisfies this rule; when none has one the
    finding is reported once. A test that never runs (its `if:`, `rules:` or `when` is false for
    every trigger) is reported where it is.

    With `--profile production` the rule judges only repositories that push a GPU image, as a
    warning, and also counts (GitHub Actions) a test suite (`pytest`, `make test`, `tox`) run in a
    job whose `container:` gets the GPU (`options: --gpus all`: the tests run inside the image,
    on the GPU) and an action named for GPU tests (`.../actions/pytest-gpu`, which runs them on
    machines of its own); when their CI runs a test suite on a GPU runner (`pytest` in a job on
    `gpu-t4`, a GitLab job tagged for GPU runners running `./run-tests.sh`) but never the image,
    the finding is advice (info) naming that job. It is advice
    too, saying it cannot tell, when the repository also runs a CI system gpulint does not read
    (a `Jenkinsfile`, `.buildkite/`, `.circleci/config.yml`, `azure-pipelines.yml`, Drone,
    Woodpecker, TeamCity, Bitbucket Pipelines...: GPU tests often run there, on the GPU agents),
    or when no pushed image can be told to carry a GPU stack (its build cannot be read, and no
    Dockerfile of the repository has one); a push that cannot be linked to a build in a
    repository whose Dockerfiles all lack a GPU stack publishes no GPU image.

    ## Why is this bad?
    The pipeline is there to answer *can this container use a GPU?* before anything is pushed.
    Without a GPU test, a CUDA/driver mismatch or a CPU-only wheel reaches the registry and the
    cluster, where only the probes (if any) notice.

    ## Example
    ```yaml
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: docker build -t app .
          - run: docker push app
    ```

    ## Use instead
    ```yaml
    jobs:
      gpu-test:
        needs: build
        runs-on: [self-hosted, gpu]
        steps:
          - run: docker run --rm --gpus all app python3 /app/smoke_test.py
    ```

    ## Fix
    Add a step (job, task) on a GPU runner that runs the built image with a GPU and the smoke
    test, and let the push depend on it.
    """

    id = "GL202"
    name = "workflow-no-gpu-test"
    aliases = ("GL602", "gitlab-no-gpu-test", "GL622", "cloudbuild-no-gpu-test", "GL641", "tekton-no-gpu-test")
    severity = Severity.ERROR
    kind = "ci"
    criterion = "workflow.build-test"
    covers = SYSTEMS
    summary = "no pipeline of the project runs the GPU test (docker run --gpus, the smoke test, or pytest on GPU tests)"
    fix = "add a step on a GPU runner that runs `docker run --rm --gpus all IMAGE python3 /app/smoke_test.py`"

    production = 'pushing-gpu'
    action = TEST
    noun = "GPU test"
    what = "runs the GPU test"
    recognised = "nothing runs `docker run --gpus …`, the smoke test or `pytest -m gpu`"
    dead_fix = "correct the condition so the GPU test runs for pull requests and pushes"

    def partly_done(self, pipelines, project):
        context = runner_context(project)
        return next((found for p in pipelines for found in p.suites_on_gpu_runners(context)), None)
