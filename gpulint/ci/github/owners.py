"""Who a repository belongs to, as its own files say.

The owner of the `origin` remote (`.git/config`) when the checkout has one; and the owners its
GitHub workflows name as their own: a job or step gated on `github.repository_owner == 'acme'` or
`github.repository == 'acme/tool'` (`!=` as well: "skip on the upstream repository") was written
for the repository `acme` owns. A fork keeps its upstream's conditions: its upstream's actions are
its own project's too.
"""

from __future__ import annotations

from typing import Any

from gpulint.ci.github.scenarios import compared_literals
from gpulint.ci.github.workflow import Workflow

_OWNER = ("github", "repository_owner")
_REPOSITORY = ("github", "repository")


def named_owners(workflow: Workflow) -> set[str]:
    """The owners (lower-cased) the workflow's conditions compare the repository with."""
    owners: set[str] = set()
    for path, literal in compared_literals(workflow, {_OWNER, _REPOSITORY}):
        owner = literal if path == _OWNER else literal.partition("/")[0] if "/" in literal else ""
        if owner.strip():
            owners.add(owner.strip().lower())
    return owners


class RepositoryOwners:
    """The owners of each repository of the project (``project.facts(RepositoryOwners)``)."""

    def __init__(self, project: Any) -> None:
        self._project = project
        self._named: dict[str, set[str]] = {}
        for workflow in project.of_kind("workflow"):
            if workflow.source.path is not None:
                repository = project.files.repository_of(workflow.source.path)
                self._named.setdefault(repository, set()).update(named_owners(workflow))

    def of(self, workflow: Workflow) -> set[str]:
        """The owners of the repository the workflow belongs to (empty: cannot tell)."""
        if workflow.source.path is None:
            return set()
        files = self._project.files
        origin = (files.origin(workflow.source.rel_path).owner or "").lower()
        return ({origin} if origin else set()) | self._named.get(files.repository_of(workflow.source.path), set())
