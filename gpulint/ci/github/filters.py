"""GitHub Actions branch and tag filter patterns (`on.push.branches`, `tags-ignore`, ...).

Implements the filter pattern cheat sheet: `*` (no `/`), `**` (anything), `?` and `+` (zero-or-one
and one-or-more of the preceding character), `[...]` classes, `\\` escapes and `!` negation, where
later patterns override earlier ones.
https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#filter-pattern-cheat-sheet
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The regular expression GitHub's glob `pattern` stands for (whole-name match)."""
    out: list[str] = []
    i = 0
    atom = False  # whether the last emitted piece can take a `?`/`+` quantifier
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                out.append(".*")
                i += 2
            else:
                out.append("[^/]*")
                i += 1
            atom = False
            continue
        if c in "?+" and atom:
            out.append(c)
            atom = False
        elif c == "[":
            close = pattern.find("]", i + 1)
            if close > i + 1:
                body = pattern[i + 1:close].replace("\\", "\\\\")
                out.append(f"[{body}]")
                atom = True
                i = close + 1
                continue
            out.append(re.escape(c))
            atom = True
        elif c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            atom = True
            i += 2
            continue
        else:
            out.append(re.escape(c))
            atom = True
        i += 1
    try:
        return re.compile("".join(out) + r"\Z")
    except re.error:
        return re.compile(re.escape(pattern) + r"\Z")


def matches(name: str, pattern: str) -> bool:
    return compile_pattern(pattern).match(name) is not None


def included(name: str, patterns: Sequence[str]) -> bool:
    """`branches:`/`tags:` semantics: the last matching pattern decides; `!` excludes."""
    result = False
    for pattern in patterns:
        if pattern.startswith("!"):
            if matches(name, pattern[1:]):
                result = False
        elif matches(name, pattern):
            result = True
    return result


def ignored(name: str, patterns: Sequence[str]) -> bool:
    """`branches-ignore:`/`tags-ignore:` semantics (a `!` pattern re-includes)."""
    return included(name, patterns)


def sample_names(patterns: Sequence[str]) -> list[str]:
    """Concrete names a positive pattern would match (wildcards filled in), to try as refs."""
    names: list[str] = []
    for pattern in patterns:
        if pattern.startswith("!"):
            continue
        text = pattern.replace("**", "a/b").replace("*", "x").replace("\\", "")
        text = re.sub(r"\[([^\]]*)\]", lambda m: (m.group(1).lstrip("!^") or "x")[:1], text)
        text = text.replace("?", "").replace("+", "")
        if text and matches(text, pattern):
            names.append(text)
    return names
