from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.ci.images import push_sites
from gpulint.syntax.images import informative, parse_image, pattern_matches
from gpulint.artifacts.kubernetes.model import deployments, gpu_limit, is_gpu_workload
from gpulint.rules.base import Rule


def pushed(project) -> list:
    return project.memo("lifecycle-push-sites", lambda: [s for w in project.of_kind("workflow") for s in push_sites(w)])


def gpu_images(manifests):
    """(Deployment, image node, ImageRef) of each GPU container of each GPU Deployment."""
    for obj in deployments(manifests):
        if not is_gpu_workload(obj):
            continue
        for container in obj.containers():
            if gpu_limit(container) is None and Y.get_path(container, "resources", "requests") is None:
                continue
            if gpu_limit(container) is None:
                continue
            node = Y.get(container, "image")
            ref = parse_image(Y.text(node) if Y.is_scalar(node) else None)
            if ref is not None and not ref.templated:
                yield obj, node, ref


class DeployedImageNotPushed(Rule):
    """
    ## What it does
    Checks that the GPU container of each GPU Deployment runs an image repository that the
    project's workflows push. Pushed references are read from `docker push`, `docker buildx
    build --push -t`, `podman`/`buildah push`, `crane`/`skopeo`/`oras`, and
    `docker/build-push-action`'s `tags:` (following `docker/metadata-action`'s `images:`).
    `$IMAGE`, `${IMAGE,,}` and `${{ env.IMAGE }}` are resolved from the workflow, job and
    step `env:` and earlier assignments in the script; other expressions
    (`${{ github.repository_owner }}`) match anything. Registries are normalised the way Docker
    does (`app` is `docker.io/library/app`); tags are compared by GL522, not here. The rule
    only runs when some workflow pushes an image whose name is known.

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
    summary = "the GPU Deployment runs an image repository that no workflow of the project pushes"
    fix = "deploy the repository the workflow pushes (same registry, owner and name)"

    def check(self, manifests, project):
        sites = pushed(project)
        if not sites or not all(informative(s.target) for s in sites):
            return
        for obj, node, ref in gpu_images(manifests):
            if any(pattern_matches(s.target, ref) for s in sites):
                continue
            names = sorted({s.target.split("@")[0].rsplit(":", 1)[0] if ":" in s.target.split("/")[-1]
                            else s.target for s in sites})
            yield self.report(Y.span(manifests.source, node),
                              f"Deployment '{obj.name or '?'}' runs {ref.short}, but the workflows push "
                              f"{', '.join(names)}; the image CI tested never reaches this Deployment")
