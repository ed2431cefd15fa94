"""Data files that ship with gpulint (the repository's ``rules/`` folder)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=None)
def data_dir() -> Path:
    """``gpulint/_rules`` in an installed wheel; the repository's ``rules/`` in a checkout."""
    package = Path(__file__).resolve().parent.parent  # gpulint/
    installed = package / "_rules"
    return installed if installed.is_dir() else package.parent / "rules"


def data_path(name: str) -> Path:
    return data_dir() / name
