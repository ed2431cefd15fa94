"""Rendering of `gpulint config`: the settings of a path and where each comes from."""

from __future__ import annotations

import json
from typing import Any


def render_json(described: dict[str, Any]) -> str:
    return json.dumps(described, indent=2, ensure_ascii=False) + "\n"


def _value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    return str(value)


def render_text(described: dict[str, Any]) -> str:
    repository = described["repository_root"]
    lines = [
        f"path:            {described['path']}",
        "repository root: " + (f"{repository} (holds .git; paths in reports are relative to it)" if repository
                               else f"none (not in a git repository; paths are relative to {described['base']})"),
        f"configuration:   {described['config_file'] or '-'} ({described['config_found']})",
        "",
    ]
    rows = []
    for name, setting in described["settings"].items():
        origin = f"{setting['file']}:{setting['line']}" if setting["source"] == "file" else "default"
        scope = "per run" if setting["scope"] == "run" else "per file"
        value = setting["value"]
        if name == "limits":  # one row per limit
            rows += [(f"limits.{key}", _value(item), origin, scope) for key, item in value.items()]
        else:
            rows.append((name, _value(value), origin, scope))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for name, value, origin, scope in rows:
        lines.append(f"{name:<{widths[0]}}  {value:<{widths[1]}}  {origin:<{widths[2]}}  {scope}")
    return "\n".join(lines) + "\n"
