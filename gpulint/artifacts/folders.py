"""What the folders above a file say it is: a documentation sample or example."""

from __future__ import annotations

import re
from typing import Any

# Folders of documentation samples and examples: illustrations users copy, not what a project ships.
SAMPLE_WORDS = frozenset({"docs", "doc", "examples", "example", "samples", "sample", "tutorials", "tutorial",
                          "demo", "demos"})


def folder_words(rel_path: str) -> set[str]:
    """The words of the folders above the file (and, in a flattened `a__b__file` name, of the
    parts before it)."""
    parts = rel_path.lower().split("/")
    names = parts[:-1] + parts[-1].split("__")[:-1]
    return {w for name in names for w in re.split(r"[^a-z0-9]+", name) if w}


def sample_folder(rel_path: str) -> str | None:
    """The word that puts the file in a samples or examples folder (`examples`), or None."""
    found = sorted(folder_words(rel_path) & SAMPLE_WORDS)
    return found[0] if found else None


def repository_path(source: Any, files: Any) -> str:
    """The file's path inside its repository: the folders above the repository root (a folder
    of checkouts, `~/src/vllm-examples/`) say nothing about what the file is. ``files`` is the
    project's reader (``project.files.ProjectFiles``), or None (the path as scanned)."""
    rel = source.rel_path
    if files is None or getattr(source, "path", None) is None:
        return rel
    repository = files.repository_of(source.path)
    return rel[len(repository) + 1:] if repository and rel.startswith(repository + "/") else rel
