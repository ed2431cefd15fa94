from __future__ import annotations

from gpulint.findings import Severity
from gpulint.rule import Rule
from gpulint.source import Source, Span

# The lab criteria that cannot pass without each kind of artifact.
CRITERIA = {
    "dockerfile": ("dockerfile.multistage", "dockerfile.nonroot", "dockerfile.gpu-healthcheck"),
    "workflow": ("workflow.build-test", "workflow.gpu-runner", "workflow.push-gated"),
    "kubernetes": ("deployment.shape", "deployment.probes", "deployment.gpu", "deployment.rolling"),
    "rollout": ("rollback.commands", "promotion.flow"),
    "smoketest": (),
}
WHERE = {
    "dockerfile": "a Dockerfile (Dockerfile, Dockerfile.*, *.Dockerfile or Containerfile)",
    "workflow": "a GitHub Actions workflow under .github/workflows/",
    "kubernetes": "a Kubernetes manifest (a YAML document with apiVersion and kind)",
    "rollout": "a rollout plan (a YAML or JSON mapping with rollback_commands and image_promotion_flow)",
    "smoketest": "a GPU smoke test (smoke_test.py)",
}


class MissingArtifact(Rule):
    """
    ## What it does
    Reports an artifact kind that the configuration `require`s (or that the lab grader
    expects) but that the scanned tree does not contain.

    ## Why is this bad?
    A missing workflow is not a passing workflow: every criterion about it is unproven. Without
    this rule a submission that leaves out a file would be judged only on the files it has.

    ## Example
    ```yaml
    # .gpulint.yaml
    require: [dockerfile, workflow, kubernetes, rollout]
    # ...and the repository has no .github/workflows/ folder
    ```

    ## Use instead
    ```text
    .github/workflows/gpu-ci.yml   # builds, GPU-tests and pushes the image
    ```

    ## Fix
    Add the missing file where gpulint looks for it, or drop the kind from `require`.
    """

    id = "GL004"
    name = "missing-artifact"
    severity = Severity.ERROR
    kind = "project"
    summary = "a required artifact (Dockerfile, workflow, manifest, rollout plan) is missing"
    fix = "add the missing artifact, or remove it from `require` in the config"

    def check(self, project, _):
        present = {a.kind for a in project.artifacts}
        for kind in project.config.require:
            if kind in present:
                continue
            criteria = CRITERIA.get(kind, ())
            affected = f"; criteria {', '.join(criteria)} cannot pass" if criteria else ""
            anchor = project.config.source or Source("", ".", project.root)
            yield self.report(Span(anchor, 0, 0), f"no {WHERE.get(kind, kind)} was found{affected}",
                              criterion=criteria[0] if criteria else None)
