from __future__ import annotations

import re

from gpulint.core.findings import Severity
from gpulint.artifacts import rollout as R
from gpulint.syntax import yamlnode as Y
from gpulint.rules.base import Rule

# Tags that registries and teams move from image to image.
_MOVING = {"latest", "stable", "main", "master", "edge", "nightly", "prod", "production", "release", "current",
           "live", "dev", "staging", "head", "canary"}
# Patterns that match any tag at all.
_ANY = {"*", ".*", ".+", "^.*$", "^.+$", "\\S+", "[^:]+", "any", "all", "<any>", "**"}


def mutable(pattern: str) -> bool:
    """The pattern admits a moving tag (``latest``) or any tag at all."""
    text = pattern.strip().strip("\"'")
    if "@sha256:" in text:
        return False  # a digest reference is immutable
    if "/" in text and ":" in text.rsplit("/", 1)[-1]:  # ghcr.io/org/app:latest -> latest
        text = text.rsplit(":", 1)[-1]
    bare = re.sub(r"^\^|\$$", "", text).strip("()")
    if text.lower() in _ANY or bare.lower() in _MOVING or bare in _ANY:
        return True
    if text.startswith("^") or text.endswith("$"):  # an anchored regular expression: try the moving tags
        try:
            compiled = re.compile(text)
        except re.error:
            return False
        return any(compiled.search(tag) for tag in _MOVING)  # `^v[0-9.]+|main$` admits main
    return False


class MutableProdTag(Rule):
    """
    ## What it does
    Warns when the `tag_pattern` of the prod stage of `image_promotion_flow` admits a moving
    tag such as `latest`, `stable` or `main`, or any tag at all (`*`, `.*`). An anchored regular
    expression is tried on the moving tags: `^v[0-9.]+|main$` admits `main`, since `|` binds
    looser than the anchors.

    ## Why is this bad?
    A moving tag points at different bytes over time: two GPU nodes pulling `latest` an hour
    apart can run different images, `kubectl rollout undo` returns to a pod template whose tag
    now names the broken image, and nothing records which build is in production. Promotion
    should move an immutable tag (a version or a commit SHA, or a digest) forward.

    ## Example
    ```yaml
      - stage: prod
        env: gpu-prod
        tag_pattern: latest
        gate: manual approval
    ```

    ## Use instead
    ```yaml
      - stage: prod
        env: gpu-prod
        tag_pattern: "^v[0-9]+\\.[0-9]+\\.[0-9]+$"
        gate: manual approval
    ```

    ## Fix
    Promote immutable tags to prod: a semantic version, a commit SHA or an image digest.
    """

    id = "GL412"
    name = "promotion-mutable-prod-tag"
    severity = Severity.WARNING
    kind = "rollout"
    criterion = "promotion.flow"
    summary = "the prod stage's tag_pattern admits a moving tag such as latest"
    fix = "make the prod tag_pattern an immutable version or commit SHA (e.g. ^v\\d+\\.\\d+\\.\\d+$)"

    def check(self, spec, project):
        for stage in R.stages(spec.promotion_flow) or []:
            if stage.stage != "prod":
                continue
            pair = stage.field("tag_pattern")
            value = pair[1] if pair else None
            nodes = Y.items(value) if Y.is_seq(value) else [value]
            for node in nodes:
                text = Y.text(node)
                if text and mutable(text):
                    yield self.report(Y.span(spec.source, node),
                                      f"prod `tag_pattern` '{text}' admits a moving tag; promote an immutable "
                                      "version or commit SHA tag (e.g. `^v[0-9]+\\.[0-9]+\\.[0-9]+$`)")
