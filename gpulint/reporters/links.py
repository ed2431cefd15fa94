"""Where findings point outside the terminal: rule documentation URLs and repository-relative paths."""

from __future__ import annotations

# The one place the documentation's address is spelled; every reporter links rules through it.
PROJECT_URL = "https://github.com/gpulint/gpulint"
RULES_DOC_URL = f"{PROJECT_URL}/blob/main/docs/rules.md"


def help_uri(rule_id: str) -> str:
    return f"{RULES_DOC_URL}#{rule_id.lower()}"


def repo_path(path: str) -> str:
    """A finding's path as reports show it: already relative to the repository root (or the
    check's base folder outside a repository); "." for a finding about the whole project."""
    return path if path not in ("", ".") else "."
