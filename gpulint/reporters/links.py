"""Where findings point outside the terminal: rule documentation URLs and repository-relative paths."""

from __future__ import annotations

import os
from pathlib import Path

# The one place the documentation's address is spelled; every reporter links rules through it.
PROJECT_URL = "https://github.com/gpulint/gpulint"
RULES_DOC_URL = f"{PROJECT_URL}/blob/main/docs/rules.md"


def help_uri(rule_id: str) -> str:
    return f"{RULES_DOC_URL}#{rule_id.lower()}"


def root_prefix(root: Path, cwd: Path | None = None) -> str:
    """The scanned root relative to the working directory ("" when they are the same or unrelated).

    CI annotations and code scanning resolve paths against the repository checkout (the working
    directory in a workflow), while findings are relative to the scanned root.
    """
    try:
        base = (cwd or Path(os.getcwd())).resolve()
        rel = Path(root).resolve().relative_to(base).as_posix()
    except (ValueError, OSError):
        return ""
    return "" if rel == "." else rel + "/"


def repo_path(prefix: str, path: str) -> str:
    if path in ("", "."):
        return prefix.rstrip("/") or "."
    return prefix + path
