"""Resource bounds for hostile input; each can be set in the config file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Limits:
    max_file_size: int = 10 * 1024 * 1024  # bytes
    max_depth: int = 200  # YAML nesting levels
    max_alias_expansion: int = 1_000_000  # nodes after YAML aliases are expanded
    max_documents: int = 1000  # YAML documents in one file
    timeout: float | None = None  # seconds for the whole run (--timeout / `timeout:`); None: no bound


def timeout_problem(root: Any, skipped: list[Any], timeout: float, linted: int) -> Any:
    """A GL001 finding (at the first file left out) naming the files the time bound left unlinted."""
    from gpulint.engine.loader import FileProblem
    from gpulint.core.source import Source, Span

    names = [c.rel for c in skipped]
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    message = (f"the run stopped at its {timeout:g} s time limit (timeout) after {linted} file(s); "
               f"{len(names)} file(s) were not linted: {shown}")
    first = skipped[0]
    fix = ("raise --timeout (or `timeout:` in .gpulint.yaml), exclude generated or vendored folders, "
           "or lint fewer paths at once")
    return FileProblem(Span(Source("", first.rel, first.path), 0, 0), message, fix=fix)
