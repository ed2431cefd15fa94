"""Resource bounds for hostile input; each can be set in the config file."""

from __future__ import annotations

from gpulint.core.records import Record


class Limits(Record, frozen=True):
    max_file_size: int = 10 * 1024 * 1024  # bytes
    max_depth: int = 200  # YAML nesting levels
    max_alias_expansion: int = 1_000_000  # nodes after YAML aliases are expanded
    max_documents: int = 1000  # YAML documents in one file
    timeout: float | None = None  # seconds for the whole run (--timeout / `timeout:`); None: no bound

