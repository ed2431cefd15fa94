from __future__ import annotations

import re

from gpulint.ci.github.owners import RepositoryOwners
from gpulint.core.findings import Severity
from gpulint.syntax import yamlnode as Y
from gpulint.rules.base import Rule

TRUSTED_OWNERS = ("actions", "github")
_SHA = re.compile(r"^[0-9a-f]{40}$")
# Reusable workflows that must be called by a release tag: the SLSA generators verify the tag they
# run from to sign provenance, and fail when called by a commit SHA.
_TAG_REQUIRED = ("slsa-framework/slsa-github-generator/",)
_RELEASE_TAG = re.compile(r"^v\d+\.\d+\.\d+$")


class ActionNotPinned(Rule):
    """
    ## What it does
    Warns when a step (or a job calling a reusable workflow) uses a third-party action by a
    tag or branch (`docker/login-action@v3`, `some/action@main`) instead of a full 40-character
    commit SHA. Actions owned by `actions` and `github` (GitHub's own) are not reported, nor
    actions of the repository's own owner (the owner of its `origin` remote, read from
    `.git/config`, and the owner its workflows' conditions name, as in
    `if: github.repository_owner == 'acme'`: an organisation pinning its own actions by tag is
    its own release practice), nor a reusable workflow called by its full name that is the
    repository's own (`acme/app/.github/workflows/build.yaml@main` where that file is scanned);
    local actions (`./…`) and `docker://` images are not judged, nor are the SLSA provenance
    generators (`slsa-framework/slsa-github-generator`) called by a full release tag (`@v2.1.0`),
    which verify that tag and fail when called by a SHA. Keep the version in a comment next
    to the SHA (`@<sha> # v3.3.0`) so updates stay readable (Dependabot and Renovate update both).

    ## Why is this bad?
    A tag is a pointer the action's owner (or whoever compromises the owner's account) can move:
    the next run of the workflow then executes different code with the job's secrets and
    registry token, on a self-hosted GPU runner that keeps state between jobs. Pinning to a
    commit SHA is the only immutable reference GitHub offers, and GitHub's hardening guide
    recommends it for third-party actions.

    ## Example
    ```yaml
    - uses: docker/login-action@v3
    ```

    ## Use instead
    ```yaml
    - uses: docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772 # v3.4.0
    ```

    ## Fix
    Replace the tag with the full commit SHA it points at and keep the tag as a comment.
    """

    id = "GL210"
    name = "action-not-pinned"
    severity = Severity.WARNING
    kind = "workflow"
    criterion = None
    summary = "a third-party action is used by a movable tag or branch instead of a commit SHA"
    fix = "pin the action to its full 40-character commit SHA, with the version as a comment"

    def check(self, workflow, project):
        own = project.facts(RepositoryOwners).of(workflow)
        for job in workflow.jobs.values():
            nodes = [Y.get(job.node, "uses")] if Y.is_map(job.node) else []
            nodes += [Y.get(step.node, "uses") for step in job.steps if Y.is_map(step.node)]
            for node in nodes:
                text = Y.text(node) if Y.is_scalar(node) else None
                if not text:
                    continue
                text = text.strip()
                if text.startswith(("./", "docker://", ".\\")) or "${{" in text:
                    continue
                name, at, ref = text.partition("@")
                owner = name.split("/", 1)[0].lower()
                if owner in TRUSTED_OWNERS or owner in own or "/" not in name:
                    continue
                if at and _SHA.match(ref):
                    continue
                if name.lower().startswith(_TAG_REQUIRED) and _RELEASE_TAG.match(ref):
                    continue  # pinned the only way it works
                if _own_reusable_workflow(workflow, project, name):
                    continue
                how = f"by `{ref}`, a movable tag or branch" if at else "without any ref"
                yield self.report(workflow.span(node), f"third-party action {name} is used {how}; its owner can "
                                                       "change the code this workflow runs with its secrets")


def _own_reusable_workflow(workflow, project, name: str) -> bool:
    """`OWNER/REPO/.github/workflows/build.yaml@main` where the repository's own
    `.github/workflows/build.yaml` is among the scanned files: the repository calls its own
    reusable workflow by its full name (a fork runs the fork's copy as well)."""
    parts = name.split("/", 2)
    if len(parts) < 3 or not parts[2].startswith(".github/workflows/") or workflow.source.path is None:
        return False
    files = project.files
    root = files.repository_of(workflow.source.rel_path)
    return files.is_file(f"{root}/{parts[2]}" if root else parts[2])
