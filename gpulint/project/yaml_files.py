"""The YAML files of a project found by their file name, read for the facts that span files
(Compose files, kustomizations): each file's first mapping document."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from typing import Any

from gpulint.syntax import yamlnode as Y
from gpulint.syntax.yamlfile import load_yaml
from gpulint.syntax.yamlnode import Node


def first_mappings(project: Any, named: Callable[[str], bool]) -> Iterator[tuple[str, Node]]:
    """(path, first mapping document) of each file of the project whose file name ``named``
    accepts, in listing order; files that cannot be read or hold no mapping are left out."""
    files = project.files
    for rel in files.files_under(""):
        if not named(posixpath.basename(rel)):
            continue
        source = files.read(rel)
        if source is None:
            continue
        root = next((d for d in load_yaml(source, project.limits).documents if Y.is_map(d)), None)
        if root is not None:
            yield rel, root
