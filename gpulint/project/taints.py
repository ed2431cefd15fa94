"""The taints a project puts on its GPU nodes, as the project itself declares or documents them.

Declared: the GPU node groups of the scanned manifests (``Node`` objects, GKE Config Connector
``ContainerNodePool``, Karpenter ``NodePool``; see ``scheduling.node_groups``). Documented: a
``kubectl taint nodes … key=value:Effect`` command in a README (``README*``, in the folder of the
manifest or a folder above it, up to the scanned root), read as shell words. Clouds differ (GKE
taints GPU pools and adds the toleration to GPU pods itself; EKS and AKS GPU nodes carry no
taint unless someone adds one), so without either there is nothing to judge.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from gpulint.core.records import Record
from gpulint.syntax.shell import split_words
from gpulint.project import scheduling as S

_TAINT_ARG = re.compile(r"^([A-Za-z0-9][\w./-]*)(?:=([^:]*))?:(NoSchedule|NoExecute|PreferNoSchedule)$")
_README = re.compile(r"^readme(\.[a-z]+)?$", re.IGNORECASE)


class GpuTaint(Record, frozen=True):
    taint: S.Taint
    where: str  # "Node 'gpu-1' (nodes.yaml)", "README.md line 12"


def documented_taints(text: str, where: str) -> list[GpuTaint]:
    """Taints added by ``kubectl taint`` commands in a document (removals, ``...-``, are skipped)."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        at = line.find("kubectl taint")
        if at < 0:
            continue
        words = split_words(line[at:], comments=True)
        for word in words[2:]:
            match = _TAINT_ARG.match(word.strip("`'\""))
            if match:
                found.append(GpuTaint(S.Taint(match.group(1), match.group(2) or "", match.group(3)),
                                      f"{where} line {number}"))
    return found


def _readmes(project: Any, artifact: Any) -> list[Any]:
    source = getattr(artifact, "source", None)
    path = getattr(source, "path", None)
    if path is None:
        return []
    folder, root, sources = Path(path).parent, Path(project.root), []
    while True:
        try:
            entries = sorted(p for p in folder.iterdir() if _README.match(p.name) and p.is_file())
        except OSError:
            entries = []
        sources += [s for s in (project.read_file(p) for p in entries) if s is not None]
        if folder == root or root not in folder.parents:
            return sources
        folder = folder.parent


def gpu_node_taints(project: Any, artifact: Any) -> list[GpuTaint]:
    """Blocking taints (NoSchedule, NoExecute) the project puts on its GPU nodes."""
    declared = [GpuTaint(t, g.describe()) for g in S.node_groups(project) if g.gpu for t in g.taints]
    documented = []
    for readme in _readmes(project, artifact):
        documented += project.memo(f"documented-taints-{readme.rel_path}",
                                   lambda r=readme: documented_taints(r.text, r.rel_path))
    return [t for t in declared + documented if t.taint.effect in S.BLOCKING]
