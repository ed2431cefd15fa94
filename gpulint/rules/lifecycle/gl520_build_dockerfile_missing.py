from __future__ import annotations

import posixpath

from gpulint.ci.model import SYSTEMS
from gpulint.core.findings import Severity
from gpulint.project.config import profile_of
from gpulint.project.lifecycle import lifecycle_facts
from gpulint.rules.base import Rule


class BuildDockerfileMissing(Rule):
    """
    ## What it does
    Checks that every image build in a CI pipeline names a Dockerfile and a build context that
    exist in the repository: `docker build -f docker/Dockerfile.gpu ctx` (also `buildx build`,
    `podman build`, `buildah bud`, the step's `working-directory`), and
    `docker/build-push-action` with `file:` and `context:` (default `{context}/Dockerfile`).
    `-f` is relative to the working directory, and without `-f` the Dockerfile is
    `<context>/Dockerfile`, else `<context>/dockerfile` (the docker CLI and BuildKit fall back to
    the lower-case name; podman and buildah to `Containerfile`). Paths are resolved from the repository root: the folder holding
    `.github/workflows/` for GitHub Actions, the folder of `.gitlab-ci.yml` for GitLab CI; in the
    `lab` profile, the scanned folder for any pipeline. The rule only runs when the pipeline's
    repository has Dockerfiles in the scanned files; paths with variables or expressions (a
    matrix leg's value included), or after a `cd`, are not judged.

    ## Why is this bad?
    A build that points at a Dockerfile that is not there fails the pipeline on its first step
    (`failed to read dockerfile: open docker/Dockerfile.gpu: no such file or directory`), or,
    when an old copy still exists at that path, builds and ships an image that ignores every
    change to the real Dockerfile: the GPU test then proves nothing about it.

    ## Example
    ```yaml
    - run: docker build -f docker/Dockerfile.gpu -t "$IMAGE:${{ github.sha }}" .
    # the repository has ./Dockerfile only
    ```

    ## Use instead
    ```yaml
    - run: docker build -f Dockerfile -t "$IMAGE:${{ github.sha }}" .
    ```

    ## Fix
    Point `-f`/`file:` at the Dockerfile the repository has (paths from the repository root,
    or from the step's `working-directory`), and the context at its folder.
    """

    id = "GL520"
    name = "build-dockerfile-missing"
    severity = Severity.ERROR
    kind = "ci"
    covers = SYSTEMS
    criterion = None
    summary = "the pipeline builds a Dockerfile or context path that does not exist in the repository"
    fix = "point -f / file: and the build context at the repository's Dockerfile and its folder"

    def check(self, pipeline, project):
        facts = lifecycle_facts(project)
        root = pipeline.repository_root()
        if root is None and profile_of(project) == "lab":
            root = ""
        if root is None:
            return
        prefix = root + "/" if root else ""
        known = facts.dockerfiles_under(root)
        if not known:
            return  # the repository has no Dockerfile of its own in the scanned files: nothing to compare with
        for site in pipeline.images.build_sites:
            if site.from_matrix:
                continue  # one matrix leg's value: the leg's build may be skipped by its condition
            context = site.context
            dockerfile = site.dockerfile if site.dockerfile is not None else posixpath.join(context, "Dockerfile")
            dockerfile = posixpath.normpath(dockerfile)
            if any(p.startswith(("..", "/")) for p in (dockerfile, context)):
                continue
            files = project.files
            if not files.is_dir(prefix + context):
                yield self.report(site.span, f"the build context {context!r} does not exist in the repository")
                continue
            if files.is_file(prefix + dockerfile):
                continue
            if site.dockerfile is None and files.is_file(posixpath.join(prefix + context, "dockerfile")):
                continue  # the docker CLI and BuildKit fall back to a lower-case `dockerfile`
            if site.dockerfile is None and site.by_command and files.is_file(posixpath.join(prefix + context,
                                                                                             "Containerfile")):
                continue  # podman and buildah fall back to Containerfile
            have = ", ".join(k for k in known if k) or "none"
            yield self.report(site.file_span or site.span,
                              f"this build reads {dockerfile}, which does not exist (the repository's Dockerfiles: "
                              f"{have})", fix=f"use -f {known[0]}" if known else None)

