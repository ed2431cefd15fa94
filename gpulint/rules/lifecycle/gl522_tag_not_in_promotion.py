from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.project.lifecycle import deployed_gpu_images, lifecycle_facts
from gpulint.rules.base import Rule


class TagNotInPromotionFlow(Rule):
    """
    ## What it does
    Checks that the tag of the image the GPU Deployment runs has the form of some
    `tag_pattern` of `image_promotion_flow`. A pattern is read as a regular expression when it
    is anchored (`^…$`) or uses regex-only syntax (`\\d`, `+`, `{40}`, `(…)`, `|`, `.*`); an
    unanchored regex may match anywhere in the tag (`re.search`). Otherwise `*`, `?` and
    `[…]` make it a shell glob (`sha-*`, `v*`) matched against the whole tag, and anything else
    is a literal tag. A 40-hex commit SHA tag thus matches `^[0-9a-f]{40}$` and `sha-*` does
    not. An image given by digest only (`repo@sha256:…`) is not judged, nor a templated one,
    and the rule only runs when the project has a promotion flow with tag patterns.

    ## Why is this bad?
    The promotion flow says which tags may run where; a Deployment whose tag matches none of
    them runs an image that did not come through the flow (a hand-pushed `dev-test` tag, a
    short SHA when CI pushes full ones) or a plan that does not describe what is deployed.
    Either way, nobody can tell from the tag which gates the running image has passed.

    ## Example
    ```yaml
    # rollout.yaml: tag_pattern "^[0-9a-f]{40}$", "^v[0-9]+\\.[0-9]+\\.[0-9]+$"
    image: ghcr.io/acme/gpu-inference:3f1c9a7
    ```

    ## Use instead
    ```yaml
    image: ghcr.io/acme/gpu-inference:3f1c9a7e5b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e
    ```

    ## Fix
    Deploy a tag the promotion flow produces, or correct the `tag_pattern` so it describes the
    tags CI really pushes.
    """

    id = "GL522"
    name = "tag-not-in-promotion-flow"
    severity = Severity.WARNING
    kind = "kubernetes"
    criterion = None
    summary = "the Deployment's image tag matches no tag_pattern of the promotion flow"
    fix = "deploy a tag the promotion flow produces, or fix the tag_pattern"

    def check(self, manifests, project):
        promotion = lifecycle_facts(project).promotion
        if not promotion.patterns or not promotion.readable:
            return  # no flow, or a pattern that cannot be read: nothing to compare with
        for obj, node, ref in deployed_gpu_images(manifests):
            if ref.tag is None or ref.tag.lower() == "latest":
                continue  # digest-only is fine; latest/untagged is GL309's
            if promotion.admits(ref.tag):
                continue
            yield self.report(Y.span(manifests.source, node),
                              f"tag {ref.tag!r} of Deployment '{obj.name or '?'}' matches no tag_pattern of the "
                              f"promotion flow ({promotion.shown})")
