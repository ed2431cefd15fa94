"""The human format: findings grouped by file, each with its location, rule, message and fix."""

from __future__ import annotations

from itertools import groupby

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def render(result, color: bool = False, quiet: bool = False, show_suppressed: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    lines: list[str] = []
    shown = [f for f in result.findings if show_suppressed or not f.suppressed]
    for path, group in groupby(shown, key=lambda f: f.path):
        lines.append(paint(path, _BOLD))
        for f in group:
            severity = paint(f"{f.severity.value:<7}", _COLORS[f.severity.value])
            note = " (suppressed)" if f.suppressed else ""
            lines.append(f"  {path}:{f.line}:{f.column}: {severity} {f.rule} {f.name}: {f.message}{note}")
            lines.append(paint(f"    fix: {f.fix}", _DIM))
        lines.append("")
    if not quiet:
        counts = result.counts()
        parts = [f"{counts['error']} error{'s' if counts['error'] != 1 else ''}",
                 f"{counts['warning']} warning{'s' if counts['warning'] != 1 else ''}",
                 f"{counts['info']} info"]
        suppressed = sum(1 for f in result.findings if f.suppressed)
        extra = f", {suppressed} suppressed" if suppressed else ""
        lines.append(f"{', '.join(parts)}{extra} in {len(result.files)} file"
                     f"{'s' if len(result.files) != 1 else ''} ({result.elapsed:.2f}s)")
    return "\n".join(lines) + ("\n" if lines else "")
