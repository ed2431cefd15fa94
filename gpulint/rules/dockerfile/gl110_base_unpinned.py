from __future__ import annotations

import posixpath

from gpulint.core.findings import Severity
from gpulint.artifacts.dockerfile.base_images import from_image_span
from gpulint.syntax.images import moving_tag, parse_image
from gpulint.artifacts.dockerfile.role import shipped_images
from gpulint.project.config import profile_of
from gpulint.project.lifecycle import lifecycle_facts, pushed_images
from gpulint.syntax.placeholders import placeholder_in
from gpulint.rules.base import Rule


class BaseImageUnpinned(Rule):
    """
    ## What it does
    Warns when a `FROM` names an external image without a tag (which means `:latest`) or with a
    moving tag, and without a digest. Moving tags are `latest` and tags with a word that names a
    moving target (`latest-gpu`, `2.4-latest`, `nightly`, `edge`, `rolling`, `canary`), unless a
    date or commit hash pins them (`nightly-20240501`), and branch names (`main`, `master`,
    `dev`). `ARG` defaults are expanded, also when they use other ARGs and BuildKit's platform
    arguments (`FROM nvidia/cuda:${CUDA}`, `FROM base-${TARGETARCH}`, which names an earlier
    stage); `scratch`, earlier stages and images that depend on a build argument without a
    default, or whose default only says to pass one (`ARG BASE_IMAGE=undefined`, `REPLACE_ME`),
    are not judged.

    With `--profile production` a moving base of a stage the shipped image is not built on (a
    builder whose output is copied) is info: the build may drift, the shipped image's base does
    not. The shipped images are the final stage, or the targets CI builds when known. A base the
    project's own CI pushes (the parent of an image stack, a development image built on the
    project's published one) is info too: the project moves it itself.

    ## Why is this bad?
    `latest` moves: the same Dockerfile builds a different image next week (a new CUDA major
    version, a new Ubuntu, a cuDNN the code was never tested with), so a rebuild of a known-good
    commit can break, and two builds of the same commit differ. For `nvidia/cuda` there is not
    even a `latest` tag any more, so the build fails outright.

    ## Example
    ```dockerfile
    FROM nvidia/cuda AS builder
    FROM ubuntu:latest
    ```

    ## Use instead
    ```dockerfile
    FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04 AS builder
    FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04@sha256:<digest>
    ```

    ## Fix
    Pin a specific version tag (CUDA, cuDNN and OS version for `nvidia/cuda`), and add the
    digest (`@sha256:…`) for fully reproducible builds.
    """

    id = "GL110"
    name = "base-image-unpinned"
    severity = Severity.WARNING
    kind = "dockerfile"
    criterion = None
    summary = "a FROM image has no tag or uses :latest (the base image moves under the build)"
    fix = "pin a version tag such as nvidia/cuda:12.4.1-runtime-ubuntu22.04 (and a @sha256 digest)"

    def check(self, dockerfile, project):
        production = profile_of(project) == "production"
        shipped = {id(s) for image in shipped_images(dockerfile) for s in image.ancestry()}
        for stage in dockerfile.stages:
            base = stage.base
            if stage.parent is not None or not base or base.lower() == "scratch" or "$" in base:
                continue
            if base.lower() in _PLACEHOLDER_BASES or placeholder_in(base):
                continue  # `ARG BASE_IMAGE=undefined`: the build must pass the real base
            what = moving_tag(parse_image(base))
            if what is None:
                continue
            built_here = _built_by_the_project(project, dockerfile, base) if production else None
            if built_here is not None:
                yield self.report(from_image_span(stage.from_instruction), f"base image {base} {what}, but {built_here}",
                                  severity=Severity.INFO)
                continue
            if production and id(stage) not in shipped:
                yield self.report(from_image_span(stage.from_instruction),
                                  f"base image {base} of build stage '{stage.name or stage.index}' {what}; the build "
                                  "may change under you, though the shipped image does not start from it",
                                  severity=Severity.INFO)
                continue
            yield self.report(from_image_span(stage.from_instruction),
                              f"base image {base} {what}; each build may get a different image "
                              "(another CUDA, cuDNN or OS version)")


# Defaults that only say "pass a base image" (`ARG BASE_IMAGE=undefined`): no image is meant.
_PLACEHOLDER_BASES = frozenset({"undefined", "unset", "none", "null", "nil", "unknown", "base", "base_image",
                                "base-image", "required"})


def _built_by_the_project(project, dockerfile, base: str) -> str | None:
    """Why the base is an image the project itself builds (the end of the message), or None."""
    if _own_image(project, dockerfile, base):
        return ("the project's own CI pushes it: the build starts from the project's own latest image, as an "
                "image stack builds on its parent")
    if _other_stage(project, dockerfile, base):
        return (f"{base} is a stage name of another Dockerfile of the project: a named build context (buildx "
                "bake `contexts`, `--build-context`) that the build supplies, not an image pulled from a registry")
    if _local_name(base):
        return ("no registry serves that name (no namespace, and Docker Hub's official images have no `_` in "
                "their names): it is an image built on this machine first, as the project's build scripts do")
    return None


def _own_image(project, dockerfile, base: str) -> bool:
    """Whether the base is the project's own image: a repository its CI pushes by a written name
    (`fishaudio/fish-speech`, on any registry: projects publish to several), or one a pushed
    pattern matches (`quay.io/$OWNER/$IMAGE`) when the repository builds a Dockerfile in a folder
    of that image's name (an image stack: `images/scipy-notebook/Dockerfile` for
    `.../scipy-notebook`)."""
    ref = parse_image(base)
    if ref is None or project is None or "/" not in ref.repository or ref.repository.startswith("library/"):
        return False
    pushed = pushed_images(project, dockerfile)
    if pushed.pushes_repository(ref):
        return True
    name = ref.repository.rpartition("/")[2]
    return pushed.pushes(ref) and any(posixpath.basename(posixpath.dirname(path)) == name
                                      for path in lifecycle_facts(project).dockerfiles_by_path)


def _local_name(base: str) -> bool:
    """A name only a local build can give: one path component (Docker Hub's `library/` namespace)
    with an underscore, which no official image has (`maxtext_base_image`)."""
    name = base.split("@", 1)[0].rsplit(":", 1)[0] if "/" not in base else ""
    return bool(name) and "_" in name


def _other_stage(project, dockerfile, base: str) -> bool:
    """A bare name (no registry, namespace, tag or digest) that another Dockerfile of the project
    names a stage (`FROM ... AS deps`): bake and `--build-context` bind such names to that stage."""
    if project is None or any(c in base for c in "/:@"):
        return False
    name = base.lower()
    return any(other is not dockerfile and any(s.name == name for s in other.stages)
               for other in project.of_kind("dockerfile"))
