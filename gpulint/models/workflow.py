"""GitHub Actions workflows."""

from __future__ import annotations

from dataclasses import dataclass

from gpulint.models import yamlnode as Y
from gpulint.models.yamlfile import YamlFile
from gpulint.source import Source


@dataclass
class Workflow:
    kind = "workflow"
    source: Source
    yaml: YamlFile
    node: Y.MappingNode  # the document's root mapping


def is_workflow(node: Y.Node | None) -> bool:
    """A mapping with ``jobs`` whose entries look like jobs (``runs-on``, ``steps`` or ``uses``)."""
    jobs = Y.get(node, "jobs")
    if not Y.is_map(jobs):
        return False
    return any(Y.is_map(job) and any(Y.get_pair(job, k) for k in ("runs-on", "steps", "uses"))
               for _, job in Y.pairs(jobs))
