"""The human format: findings grouped by file, each with its location, rule, message, fix and code frame."""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from typing import Any

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD, _DIM, _BLUE, _RESET = "\033[1m", "\033[2m", "\033[34m", "\033[0m"
_TAB = 4
_MAX_WIDTH = 160  # longer source lines are cut around the finding


def render(result: Any, color: bool = False, quiet: bool = False, show_suppressed: bool = False,
           statistics: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color and text else text

    lines: list[str] = []
    shown = [f for f in result.findings if show_suppressed or not f.suppressed]
    if statistics:
        lines += _statistics(shown, paint)
    else:
        for path, group in groupby(shown, key=lambda f: f.path):
            lines.append(paint(path, _BOLD))
            for f in group:
                severity = paint(f"{f.severity.value:<7}", _COLORS[f.severity.value])
                note = " (suppressed)" if f.suppressed else ""
                where = f"{path} (cell {f.cell})" if f.cell is not None else path  # a notebook's cell
                sure = f" (confidence: {f.confidence})" if getattr(f, "confidence", "high") != "high" else ""
                lines.append(f"  {where}:{f.line}:{f.column}: {severity} {f.rule} {f.name}: {f.message}{note}{sure}")
                lines.append(paint(f"    fix: {f.fix}{_fixable(f)}", _DIM))
                lines += code_frame(f, paint)
                for other in getattr(f, "related", ()):  # the other places the finding is about
                    lines.append(paint(f"    note: {other.path}:{other.line}:{other.column}: {other.message}", _DIM))
                    lines += code_frame(other, paint, indent="      ", severity=f.severity.value)
            lines.append("")
    if not quiet:
        hint = "" if statistics else fixable_line(shown)
        if hint:
            lines.append(hint)
        lines.append(summary_line(result))
    return "\n".join(lines) + ("\n" if lines else "")


def _fixable(f: Any) -> str:
    """`[--fix]` after the fix line of a finding that `check --fix` fixes (`[--unsafe-fixes]`)."""
    if f.autofix is None or f.suppressed:
        return ""
    return " [--fix]" if f.autofix.applicability.value == "safe" else " [--fix --unsafe-fixes]"


def fixable_line(findings: list) -> str:
    safe = sum(1 for f in findings if f.autofix is not None and not f.suppressed
               and f.autofix.applicability.value == "safe")
    unsafe = sum(1 for f in findings if f.autofix is not None and not f.suppressed) - safe
    if not safe and not unsafe:
        return ""
    parts = [f"{safe} fixable with `gpulint check --fix`"] if safe else []
    if unsafe:
        parts.append(f"{unsafe} {'more ' if safe else ''}with `--fix --unsafe-fixes` (review those)")
    return ", ".join(parts) + "; `--diff` shows the changes first"


def summary_line(result: Any) -> str:
    counts = result.counts()
    parts = [f"{counts['error']} error{'s' if counts['error'] != 1 else ''}",
             f"{counts['warning']} warning{'s' if counts['warning'] != 1 else ''}",
             f"{counts['info']} info"]
    suppressed = sum(1 for f in result.findings if f.suppressed)
    extra = f", {suppressed} suppressed" if suppressed else ""
    if getattr(result, "baselined", None):
        extra += f", {result.baselined} in the baseline"
    return (f"{', '.join(parts)}{extra} in {len(result.files)} file"
            f"{'s' if len(result.files) != 1 else ''} ({result.elapsed:.2f}s)")


def code_frame(f: Any, paint: Any = lambda text, code: text, indent: str = "    ", severity: str | None = None) -> list[str]:
    """The offending line under a line-number gutter, with carets under the finding's columns."""
    text = f.source.line_text(f.line) if f.source is not None else ""
    if not text.strip():
        return []
    start = len(text[: f.column - 1].expandtabs(_TAB))
    stop = len(text[: f.end_column - 1].expandtabs(_TAB)) if f.end_line == f.line else len(text.expandtabs(_TAB))
    shown = text.expandtabs(_TAB)
    if len(shown) > _MAX_WIDTH:  # keep the finding in view on minified or generated lines
        offset = max(0, min(start - 20, len(shown) - _MAX_WIDTH))
        lead = "…" if offset else ""
        tail = "…" if offset + _MAX_WIDTH < len(shown) else ""
        shown = lead + shown[offset: offset + _MAX_WIDTH] + tail
        start, stop = start - offset + len(lead), min(stop, offset + _MAX_WIDTH) - offset + len(lead)
    width = max(1, stop - start)
    number = str(f.line)
    gutter = " " * len(number)
    carets = paint("^" * width, _COLORS[severity or f.severity.value])
    return [f"{indent}{paint(gutter + ' |', _BLUE)}",
            f"{indent}{paint(number + ' |', _BLUE)} {shown.rstrip()}",
            f"{indent}{paint(gutter + ' |', _BLUE)} {' ' * start}{carets}"]


def _statistics(findings: list, paint: Any) -> list[str]:
    counts = Counter(f.rule for f in findings)
    meta = {f.rule: f for f in findings}
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = len(str(rows[0][1])) if rows else 1
    lines = []
    for rule, count in rows:
        f = meta[rule]
        severity = paint(f"{f.severity.value:<7}", _COLORS[f.severity.value])
        fixable = sum(1 for g in findings if g.rule == rule and g.autofix is not None and not g.suppressed)
        lines.append(f"{count:>{width}}  {rule}  {severity} {f.name}" + (f"  ({fixable} fixable)" if fixable else ""))
    return lines + ([""] if lines else [])
