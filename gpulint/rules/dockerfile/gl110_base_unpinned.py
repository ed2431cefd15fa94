from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.artifacts.dockerfile.base_images import from_image_span
from gpulint.syntax.images import parse_image
from gpulint.rules.base import Rule


class BaseImageUnpinned(Rule):
    """
    ## What it does
    Warns when a `FROM` names an external image without a tag (which means `:latest`) or with
    `:latest`, and without a digest. `ARG` defaults are expanded (`FROM nvidia/cuda:${CUDA}`);
    `scratch`, earlier stages and images that depend on a build argument without a default are
    not judged.

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
        for stage in dockerfile.stages:
            base = stage.base
            if stage.parent is not None or not base or base.lower() == "scratch" or "$" in base:
                continue
            ref = parse_image(base)
            if ref is None or ref.digest:
                continue
            if ref.tag is None:
                what = "has no tag, so it means :latest"
            elif ref.tag.lower() == "latest":
                what = "uses :latest"
            else:
                continue
            yield self.report(from_image_span(stage.from_instruction),
                              f"base image {base} {what}; each build may get a different image "
                              "(another CUDA, cuDNN or OS version)")
