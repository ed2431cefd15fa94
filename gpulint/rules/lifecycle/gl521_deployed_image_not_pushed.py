from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.project.config import profile_of
from gpulint.project.lifecycle import deployed_gpu_images, pushed_images, pushes_only_cpu_images
from gpulint.rules.base import Rule
from gpulint.syntax import yamlnode as Y


class DeployedImageNotPushed(Rule):
    """
    ## What it does
    Checks that the GPU container of each GPU Deployment runs an image repository that the
    project's CI pipelines push (any CI system). Pushed references are read from `docker push`, `docker buildx
    build --push -t`, `podman`/`buildah push`, `crane`/`skopeo`/`oras`, and
    `docker/build-push-action`'s `tags:` (following `docker/metadata-action`'s `images:`).
    `$IMAGE`, `${IMAGE,,}` and `${{ env.IMAGE }}` are resolved from the workflow, job and
    step `env:` and earlier assignments in the script; other expressions
    (`${{ github.repository_owner }}`) match anything. Registries are normalised the way Docker
    does (`app` is `docker.io/library/app`); tags are compared by GL522, not here. The rule
    only runs when some workflow pushes an image whose name is known; in production, not when
    every image the pipelines push is built from a Dockerfile without a GPU stack (tool or CPU
    images: the Deployment then runs an upstream GPU release on purpose).

    ## Why is this bad?
    The pipeline exists so that the image the cluster runs is the image CI built and tested
    on a GPU. If the Deployment pulls another repository (a typo, an old registry, a personal
    namespace), every green CI run is irrelevant to production: the rollout either fails with
    `ErrImagePull` or runs an image nobody tested.

    ## Example
    ```yaml
    # workflow: docker push "ghcr.io/acme/gpu-inference:${{ github.sha }}"
    containers:
      - name: inference
        image: ghcr.io/acme/gpu-inferance:3f1c9a7e5b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e
    ```

    ## Use instead
    ```yaml
    containers:
      - name: inference
        image: ghcr.io/acme/gpu-inference:3f1c9a7e5b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e
    ```

    ## Fix
    Use the same registry and repository in the workflow's push and the Deployment's `image`.
    """

    id = "GL521"
    name = "deployed-image-not-pushed"
    severity = Severity.ERROR
    kind = "kubernetes"
    criterion = None
    summary = "the GPU Deployment runs an image repository that no CI pipeline of the project pushes"
    fix = "deploy the repository the pipeline pushes (same registry, owner and name)"

    def check(self, manifests, project):
        pushed = pushed_images(project, manifests)
        sites = pushed.sites
        if not sites or not pushed.informative:
            return
        if profile_of(project) == "production" and pushes_only_cpu_images(project, manifests):
            return  # CI publishes tools, not the GPU image: the Deployment runs an upstream release
        for obj, node, ref in deployed_gpu_images(manifests):
            if pushed.pushes(ref):
                continue
            yield self.report(Y.span(manifests.source, node),
                              f"Deployment '{obj.name or '?'}' runs {ref.short}, but the project's pipelines push "
                              f"{', '.join(pushed.names)}; the image CI tested never reaches this Deployment",
                              related=[(s.span, f"pushes {s.target}") for s in sites[:3]])
