from __future__ import annotations

import posixpath

from gpulint.artifacts.folders import repository_path, sample_folder
from gpulint.artifacts.kubernetes import workloads as W
from gpulint.core.findings import Severity
from gpulint.project.config import in_test_folder, profile_of
from gpulint.project.kustomize import KustomizeFacts
from gpulint.project.lifecycle import pushed_images
from gpulint.rules.base import Rule
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.images import moving_tag, parse_image
from gpulint.syntax.placeholders import placeholder_in

# Kinds whose pod template a controller rolls out and rolls back (`kubectl rollout undo`).
_ROLLED_OUT = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Rollout", "LeaderWorkerSet")


def _built_beside(ref, manifests, project) -> str | None:
    """A single-name image (``private-deep-chat:latest``: no registry, no namespace, so not one
    Docker Hub could serve unless it is an official image) that a Dockerfile in the manifest's folder
    or the one above builds and no pipeline of the project pushes: a tutorial's image, built and
    loaded into the node (``kind load``, ``minikube image load``). The Dockerfile's path, else None."""
    if ref.registry != "docker.io" or not ref.repository.startswith("library/") or manifests.source.path is None:
        return None
    files = project.files
    folder = posixpath.dirname(files.rel(manifests.source.path) or "")
    for place in (folder, posixpath.dirname(folder)) if folder else ("",):
        for name in ("Dockerfile", "Containerfile"):
            path = posixpath.join(place, name) if place else name
            if files.is_file(path):
                if pushed_images(project, manifests).pushes(ref):
                    return None
                return path
    return None


def _local_image(container) -> bool:
    """An image built and loaded into the node, never pulled: `imagePullPolicy: Never`, or a
    `local/` or `localhost` name the nodes cannot pull from a registry."""
    policy = Y.text(Y.get(container, "imagePullPolicy"))
    ref = parse_image(Y.text(Y.get(container, "image")))
    if policy == "Never":
        return True
    return ref is not None and (ref.registry.startswith("localhost") or ref.repository.startswith("local/"))


class MutableImageTag(Rule):
    """
    ## What it does
    Reports a workload container (init containers included) whose `image` has no tag or a moving
    tag, and no digest: `latest`, tags with a word naming a moving target (`latest-gpu`,
    `2.4-latest`, `nightly`, `edge`, `rolling`) unless a date or commit hash pins them, and branch
    names (`main`, `dev`). A digest (`repo@sha256:…`, with or without a tag) is the best
    reference; a version or commit-SHA tag is fine. Templated images and placeholders (`$(TAG)`,
    `{{ .Values.image }}`, `<image>`, `REPLACE_ME`) are not judged. An image that the `images:`
    entry of a kustomization building the manifest rewrites (`kustomize edit set image`) is judged
    as kustomize deploys it: `image: controller:latest` with `newTag: v0.14.2` is pinned. In the
    production profile, a name without a registry or namespace (`private-chat:latest`) that a
    Dockerfile beside the manifests builds and no pipeline pushes is a tutorial's image loaded into
    the nodes (`kind load`): advice (info).

    Covers every pod template: Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod, Job,
    CronJob, Argo Rollout, LeaderWorkerSet, RayCluster, RayService, RayJob (head and worker
    groups), KServe InferenceService (predictor, transformer, explainer containers), and the
    training jobs: Kubeflow's PyTorchJob, TFJob, MPIJob, XGBoostJob, PaddleJob, JAXJob and MXJob
    (each replica), JobSet (each replicated job) and Volcano Job (each task).

    With `--profile production`, a mutable tag is an error for workloads a controller rolls out
    and back (Deployment, StatefulSet, DaemonSet, ReplicaSet, Argo Rollout, LeaderWorkerSet) and
    a warning for Jobs, CronJobs, bare Pods and custom resources (a rerun may get another build);
    an image loaded into the node rather than pulled (`imagePullPolicy: Never`, a `local/` or
    `localhost` name) is not judged, and a manifest in a test folder (`tests/`, `e2e/`) gets
    info: a test usually runs the build under test (`:latest`, `:nightly`) on purpose; one in a
    documentation or examples folder (`docs/`, `examples/`, `samples/`) is a warning: an example
    users copy, not a workload the project rolls out and back.

    ## Why is this bad?
    `kubectl rollout undo` restores the previous pod template, but if that template says
    `:latest` it pulls whatever `latest` is now: the broken image. Nodes that cached an older
    `latest` (with `imagePullPolicy: IfNotPresent`) run different bytes from nodes that pulled
    today, and nothing records which build is serving. A Deployment also does not roll out when
    only the image behind `latest` changes, because its pod template did not.

    ## Example
    ```yaml
    containers:
      - name: inference
        image: ghcr.io/acme/gpu-inference:latest
    ```

    ## Use instead
    ```yaml
    containers:
      - name: inference
        image: ghcr.io/acme/gpu-inference:3f1c9a7e5b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e
    ```

    ## Fix
    Deploy the immutable tag CI pushed (the commit SHA or a release version), or the image
    digest, and change it in the manifest for every rollout.
    """

    id = "GL309"
    name = "mutable-image-tag"
    severity = Severity.ERROR
    kind = "kubernetes"
    criterion = None
    summary = "a workload runs an image by :latest or with no tag, so rollouts and rollbacks are not reproducible"
    fix = "use the immutable tag CI pushed (commit SHA or version) or an @sha256 digest"

    covers = W.WORKLOAD_KINDS

    def check(self, manifests, project):
        production = profile_of(project) == "production"
        inside = repository_path(manifests.source, project.files)  # the folders above the repository say nothing
        in_tests = production and in_test_folder(inside)
        sample = sample_folder(inside)
        for template in W.templates_in(manifests):
            obj = template.obj
            for container in template.init_containers() + template.containers():
                if production and _local_image(container):
                    continue
                node = Y.get(container, "image") if Y.is_map(container) else None
                text = Y.text(node) if Y.is_scalar(node) else None
                ref = parse_image(text)
                if ref is None or ref.templated or placeholder_in(text) is not None:
                    continue
                what = moving_tag(ref)
                if what is None:
                    continue
                built = _built_beside(ref, manifests, project) if production else None
                if built is not None:
                    yield self.report(Y.span(manifests.source, node),
                                      f"image {text} of {template.describe()} {what}; a name without a registry "
                                      f"that {built} builds and no pipeline pushes is an image built and loaded "
                                      "into the nodes (kind load, minikube image load), which cannot be pulled or "
                                      "rolled back by tag", severity=Severity.INFO,
                                      fix="say so with `imagePullPolicy: Never`, or push it to a registry and "
                                          "deploy the immutable tag")
                    continue
                facts = project.facts(KustomizeFacts)
                if facts.replaced_image(manifests.source, obj.kind, Y.text(Y.get(container, "name"))) is not None:
                    continue  # kustomize `replacements:` set the image from a value outside the manifest
                override = facts.image_override(manifests.source, text)
                if override is not None:  # kustomize deploys the image its `images:` entry sets
                    built = (override.new_name or override.name) + (f":{override.new_tag}" if override.new_tag else
                                                                     f":{ref.tag}" if ref.tag else "")
                    built_ref = parse_image(built)
                    if override.digest or built_ref is None or built_ref.templated or moving_tag(built_ref) is None:
                        continue
                    what = (f"is deployed as {built} (the `images:` entry of {override.kustomization}), which "
                            f"{moving_tag(built_ref)}")
                if obj.kind in _ROLLED_OUT:
                    effect = "`rollout undo` cannot return to the previous image and nodes may run different builds"
                else:
                    effect = "a rerun or a rescheduled pod may run a different build than the one tested"
                rolled = obj.kind in _ROLLED_OUT
                if in_tests:
                    yield self.report(Y.span(manifests.source, node),
                                      f"image {text} of {template.describe()} {what}; a manifest of the project's "
                                      "tests usually runs the build under test on purpose", severity=Severity.INFO)
                    continue
                if production and rolled and sample is not None:  # an example: users copy it, nothing rolls back
                    yield self.report(Y.span(manifests.source, node),
                                      f"image {text} of {template.describe()} {what}; in a '{sample}' folder this "
                                      "is an example users copy: pin the tag so their copies are reproducible",
                                      severity=Severity.WARNING)
                    continue
                yield self.report(Y.span(manifests.source, node),
                                  f"image {text} of {template.describe()} {what}; {effect}",
                                  severity=Severity.WARNING if production and not rolled else None)
