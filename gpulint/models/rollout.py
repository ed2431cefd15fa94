"""The rollback and promotion plan: ``rollback_commands`` and ``image_promotion_flow``."""

from __future__ import annotations

from dataclasses import dataclass

from gpulint.models import yamlnode as Y
from gpulint.source import Source

ROLLOUT_KEYS = ("rollback_commands", "image_promotion_flow")


@dataclass
class RolloutSpec:
    kind = "rollout"
    source: Source
    node: Y.MappingNode  # the mapping that holds the rollout keys

    @property
    def rollback_commands(self) -> Y.Node | None:
        return Y.get(self.node, "rollback_commands")

    @property
    def promotion_flow(self) -> Y.Node | None:
        return Y.get(self.node, "image_promotion_flow")


def is_rollout(node: Y.Node | None) -> bool:
    return Y.is_map(node) and any(Y.get_pair(node, key) for key in ROLLOUT_KEYS)
