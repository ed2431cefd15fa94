"""Google Cloud Build configurations (``cloudbuild*.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass

from gpulint.models import yamlnode as Y
from gpulint.models.yamlfile import YamlFile
from gpulint.source import Source


@dataclass
class CloudBuild:
    kind = "cloudbuild"
    source: Source
    yaml: YamlFile
    node: Y.MappingNode  # the document's root mapping
