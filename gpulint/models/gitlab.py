"""GitLab CI pipelines (``.gitlab-ci.yml``)."""

from __future__ import annotations

from dataclasses import dataclass

from gpulint.models import yamlnode as Y
from gpulint.models.yamlfile import YamlFile
from gpulint.source import Source


@dataclass
class GitLabPipeline:
    kind = "gitlab"
    source: Source
    yaml: YamlFile
    node: Y.MappingNode  # the document's root mapping
