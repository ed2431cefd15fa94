"""``--format github``: GitHub Actions workflow commands (annotations) and the job's step summary."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from gpulint.reporters.links import help_uri, repo_path

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: Any) -> str:
    lines = []
    for f in result.findings:
        if f.suppressed:
            continue
        props: list[tuple[str, str]] = []
        if f.path not in ("", "."):  # a project-wide finding (a missing artifact) annotates the run, not a file
            props = [("file", repo_path(f.path)), ("line", str(f.line)), ("col", str(f.column)),
                     ("endLine", str(f.end_line))]
            if f.end_line == f.line:  # GitHub ignores columns on a multi-line annotation
                props.append(("endColumn", str(f.end_column)))
        props.append(("title", f"{f.rule} {f.name}"))
        head = ",".join(f"{key}={escape_property(value)}" for key, value in props)
        body = f"{f.message}\nfix: {f.fix}" if f.fix else f.message
        lines.append(f"::{COMMANDS[f.severity.value]} {head}::{escape_data(body)}")
    return "".join(line + "\n" for line in lines)


def summary_markdown(result: Any, env: dict[str, str] | None = None) -> str:
    """The Markdown appended to ``$GITHUB_STEP_SUMMARY``: counts, then one table row per finding."""
    env = dict(os.environ) if env is None else env
    counts = result.counts()
    shown = [f for f in result.findings if not f.suppressed]
    suppressed = len(result.findings) - len(shown)
    out = ["## gpulint", ""]
    out.append(f"**{counts['error']}** error{'s' if counts['error'] != 1 else ''}, "
               f"**{counts['warning']}** warning{'s' if counts['warning'] != 1 else ''}, "
               f"**{counts['info']}** info"
               + (f", {suppressed} suppressed" if suppressed else "")
               + f" in {len(result.files)} file{'s' if len(result.files) != 1 else ''}")
    out.append("")
    if not shown:
        out += ["No findings.", ""]
        return "\n".join(out) + "\n"
    blob = _blob_url(env)
    out += ["| Location | Severity | Rule | Message |", "|---|---|---|---|"]
    for f in shown:
        path = repo_path(f.path)
        where = f"{path}:{f.line}"
        location = f"[{_cell(where)}]({blob}/{quote(path)}#L{f.line})" if blob else f"`{_cell(where)}`"
        rule = f"[{f.rule}]({help_uri(f.rule)}) {f.name}"
        out.append(f"| {location} | {f.severity.value} | {rule} | {_cell(f.message)} |")
    out.append("")
    return "\n".join(out) + "\n"


def _blob_url(env: dict[str, str]) -> str | None:
    server, repo, sha = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY"), env.get("GITHUB_SHA")
    return f"{server}/{repo}/blob/{sha}" if server and repo and sha else None


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
