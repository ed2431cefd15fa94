"""The shared walk of rules that judge the probes of GPU containers (GL510, GL512, GL513)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from gpulint.artifacts.kubernetes import workloads as W
from gpulint.project.lifecycle import partners
from gpulint.rules.criteria import criterion_of
from gpulint.rules.base import Report, Rule

PROBED_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Rollout", "LeaderWorkerSet",
                "InferenceService")


class ProbedGpuContainerRule(Rule):
    """Runs ``_container`` on every probed GPU container; a Deployment's findings keep its
    criterion and others name their workload (no ``id``: not a rule by itself)."""

    covers = PROBED_KINDS
    applies_to = "gpu-workload"
    # Judged only as part of a project: the manifest next to its image's Dockerfile.
    needs_dockerfile: ClassVar[bool] = False

    def check(self, manifests, project) -> Iterator[Report]:
        if self.needs_dockerfile and not partners(project, manifests, "dockerfile"):
            return
        for template, container in W.probed_gpu_containers(manifests, project):
            for report in self._container(manifests, template, container):
                criterion = criterion_of(template)
                if criterion is not None:
                    report.criterion = criterion
                    report.message += f" ({template.describe()})"
                yield report

    def _container(self, manifests, template, container) -> Iterator[Report]:
        raise NotImplementedError
