from __future__ import annotations

from collections.abc import Iterator

from gpulint.core.findings import Severity
from gpulint.ci.model import SYSTEMS
from gpulint.rules.base import Report, Rule


class CiGpuTestNotBuiltImage(Rule):
    """
    ## What it does
    Checks that a pipeline's GPU test (`docker run --gpus …`) runs the image the same pipeline
    builds, whatever CI system runs it: the image reference of at least one GPU `docker run`
    must equal a tag of a build (`docker build -t`, `--tag`, kaniko's `--destination`,
    `docker/build-push-action`'s `tags`, or a `docker tag` of one of those). The variables the
    step sees are expanded (GitHub `env:` and `${{ env.X }}`, GitLab `variables:`, Cloud Build
    substitutions and `env`, Tekton step `env`), `${VAR,,}` counts as `$VAR`, and a missing tag
    means `:latest`. Only names that are known statically are compared; the negative run with
    `CUDA_VISIBLE_DEVICES=''` is GL506's.

    ## Why is this bad?
    A GPU test that runs `app:latest` (pulled from the registry, or left on the runner by an
    earlier job) while the build produced `app:${{ github.sha }}` proves nothing about the
    image about to be pushed: a broken Dockerfile change passes CI because yesterday's image
    still works, and the push step then ships the untested one.

    ## Example
    ```yaml
    - run: docker build -t "ghcr.io/acme/infer:${{ github.sha }}" .
    - run: docker run --rm --gpus all ghcr.io/acme/infer:latest python3 /app/smoke_test.py
    ```

    ## Use instead
    ```yaml
    - run: docker build -t "ghcr.io/acme/infer:${{ github.sha }}" .
    - run: docker run --rm --gpus all "ghcr.io/acme/infer:${{ github.sha }}" python3 /app/smoke_test.py
    ```

    ## Fix
    Run the GPU test on exactly the name and tag the build step produced (keep it in one `env:`
    variable used by both steps).
    """

    id = "GL504"
    name = "ci-gpu-test-not-built-image"
    severity = Severity.ERROR
    kind = "ci"
    covers = SYSTEMS
    criterion = "workflow.build-test"
    summary = "the pipeline's `docker run --gpus` test runs an image other than the one the pipeline builds"
    fix = "run the GPU test on the image name:tag the build step produced"

    def check(self, pipeline, project) -> Iterator[Report]:
        images = pipeline.images
        if not images.built:
            return
        positives = [r for r in images.runs if r.gpu and not r.negative and r.image]
        if not positives or any(images.uses_built(r) is not False for r in positives):
            return
        run = positives[0]
        tags = ", ".join(sorted({b[0] for b in images.built}))
        yield self.report(run.span(image_word=True),
                          f"the GPU test runs {run.image}, but {pipeline.name} builds {tags}: it tests some other "
                          "image, not the one this run built and will push",
                          fix=f"run the GPU test on the built image ({tags})")
