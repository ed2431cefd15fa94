"""Branch names that would fool a gate: a CI system's idea of "main" is a literal or a pattern in
its conditions, and a gate is tried on the refs that resemble it without being main."""

from __future__ import annotations

import re

MAIN = "main"


def derived_names(literal: str) -> list[str]:
    """Branch names that a gate written with ``literal`` may let through although they are not
    it: names that contain it, start or end with it, or differ by one character."""
    name = literal
    for prefix in ("refs/heads/", "refs/tags/", "refs/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    name = name.strip("/")
    if not name or any(c in name for c in " ~^:?*[\\"):
        return []
    typo = name[:-1] + ("x" if name[-1] != "x" else "y")
    return [n for n in (f"{name}-old", f"old-{name}", f"feature/{name}", f"feature/{name}-fix", typo) if n != MAIN]


def regex_names(pattern: str) -> list[str]:
    """Names a branch regular expression is written around (`^main`, `main$`, `release/.*`), with
    the names that resemble them, for trying the expression on."""
    literal = re.sub(r"\\(.)", r"\1", re.sub(r"[\^$]|\.\*|\.\+|\(|\)|\|.*", "", pattern))
    literal = literal.strip()
    if not literal or any(c in literal for c in "[]{}?*+"):
        return []
    own = literal.strip("/") + ("/x" if literal.endswith("/") else "")
    return bounded(([own] if own != MAIN else []) + derived_names(literal))


def bounded(names: list[str], limit: int = 12) -> list[str]:
    """The first ``limit`` distinct names (scenarios cost one evaluation each)."""
    return list(dict.fromkeys(names))[:limit]
