from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.ci.expected_failure import FAILS, IGNORED, REQUIRED, UNKNOWN
from gpulint.ci.model import SYSTEMS
from gpulint.project.lifecycle import partners
from gpulint.rules.base import Report, Rule


class CiNegativeGpuTest(Rule):
    """
    ## What it does
    For a CI pipeline (any system) next to the Dockerfile it builds, checks that CI also runs the smoke test
    with the GPU hidden (`-e CUDA_VISIBLE_DEVICES=` / `--env CUDA_VISIBLE_DEVICES=''`, or `-e
    CUDA_VISIBLE_DEVICES` with the variable set empty) and *requires it to fail*: inside
    `if docker run …; then exit 1; fi`, `! docker run …` as the step's last command,
    `docker run … && exit 1`, or with its exit code captured (`|| rc=$?`) and tested. Warns
    when the negative run is missing or its result is ignored (`|| true`, an `if` without
    `exit 1`, a `!` that `bash -e` ignores); reports an error when the negative run's failure
    fails the step, since then the pipeline breaks exactly when the smoke test works.

    ## Why is this bad?
    A smoke test that cannot fail is no test: a bare `except` that exits 0, a check that only
    prints, or a CPU fallback makes it pass with no GPU, and then the HEALTHCHECK, the probes
    and the CI gate pass on broken nodes too. Running it once with CUDA hidden and expecting a
    failure (the lab expects exit code 3) is the only proof that it detects a missing GPU.

    ## Example
    ```yaml
    - run: docker run --rm --gpus all -e CUDA_VISIBLE_DEVICES= "$IMAGE:${{ github.sha }}" python3 /app/smoke_test.py || true
    ```

    ## Use instead
    ```yaml
    - run: |
        if docker run --rm --gpus all -e CUDA_VISIBLE_DEVICES= "$IMAGE:${{ github.sha }}" python3 /app/smoke_test.py; then
          echo "::error::smoke test passed without a GPU"; exit 1
        fi
    ```

    ## Fix
    Add a step that runs the smoke test with `-e CUDA_VISIBLE_DEVICES=` and fails when it
    succeeds (ideally checking for the CUDA exit code, e.g. 3).
    """

    id = "GL506"
    name = "ci-negative-gpu-test"
    severity = Severity.WARNING
    kind = "ci"
    covers = SYSTEMS
    criterion = None
    summary = "CI does not run the smoke test with CUDA_VISIBLE_DEVICES='' expecting it to fail"
    fix = "add `if docker run --gpus all -e CUDA_VISIBLE_DEVICES= IMAGE python3 /app/smoke_test.py; then exit 1; fi`"

    def check(self, pipeline, project) -> Iterator[Report]:
        if not partners(project, pipeline, "dockerfile"):
            return  # judged with the image's smoke test: only next to its Dockerfile
        facts = pipeline.images
        runs = [r for r in facts.runs if facts.uses_built(r) is not False]
        negatives = [r for r in runs if r.negative]
        positives = [r for r in runs if r.gpu and not r.negative]
        judged = [(r, facts.expectation(r)) for r in negatives]
        for run, (state, why) in judged:
            if state == FAILS:
                yield self.report(run.span(),
                                  f"this run hides the GPU (CUDA_VISIBLE_DEVICES empty), so a correct smoke test "
                                  f"fails here, and {why}: the pipeline breaks exactly when the smoke test works",
                                  fix="invert it: `if docker run ...; then echo '::error::passed without a GPU'; "
                                      "exit 1; fi`", severity=Severity.ERROR)
        if any(state in (REQUIRED, UNKNOWN) for _, (state, _) in judged):
            return
        ignored = [(r, why) for r, (state, why) in judged if state == IGNORED]
        if ignored:
            run, why = ignored[0]
            yield self.report(run.span(),
                              f"the run without a GPU is never required to fail ({why}): a smoke test that passes "
                              "with no GPU goes unnoticed")
        elif not negatives and positives:
            yield self.report(positives[0].span(),
                              "the GPU test never runs the smoke test with the GPU hidden (CUDA_VISIBLE_DEVICES=''), "
                              "expecting failure: nothing proves the smoke test can detect a missing GPU")
