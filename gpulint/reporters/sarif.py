"""``--format sarif``: SARIF 2.1.0 as GitHub code scanning (and other SARIF viewers) read it.

What code scanning reads (docs.github.com, "SARIF support for code scanning"): each rule's
``shortDescription``, ``fullDescription``, ``help.text`` (plain) and ``help.markdown``,
``defaultConfiguration.level``, ``properties.tags`` (``security`` makes a rule a security rule),
``properties.precision`` and ``properties.security-severity`` (security rules) or
``properties.problem.severity`` (the others); each result's ``ruleId``, ``level``, ``message``,
first location, ``relatedLocations`` (linked from the message as ``[text](id)``) and
``partialFingerprints.primaryLocationLineHash``, the one fingerprint code scanning uses.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from gpulint import __version__
from gpulint.core.fingerprint import fingerprints
from gpulint.reporters.links import PROJECT_URL, help_uri, repo_path
from gpulint.rules.security import CONFIDENCE_PRECISION, precision_of, security_of
from gpulint.reporters.sarif_fixes import sarif_fixes

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "gpulint/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "info": "recommendation"}


def render(result: Any, cwd: Path | None = None) -> str:
    from gpulint.engine.rule_index import rule_index

    rules = list(rule_index().values())
    index = {rule.id: i for i, rule in enumerate(rules)}
    # Paths are relative to the repository root (the check's base outside a repository), which is
    # what code scanning resolves relative URIs against; %SRCROOT% names it for other viewers.
    base = Path(result.root).resolve()
    run = {
        "tool": {"driver": _driver(rules, result.config)},
        "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri().rstrip("/") + "/"}},
        "invocations": [{"executionSuccessful": True,
                         "workingDirectory": {"uri": (cwd or Path.cwd()).resolve().as_uri()}}],
        "columnKind": "unicodeCodePoints",
        "results": _results(result.findings, index),
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _driver(rules: list, config: Any) -> dict:
    return {
        "name": "gpulint",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": PROJECT_URL,
        "rules": [_rule(rule, config) for rule in rules],
    }


def _rule(rule: Any, config: Any) -> dict:
    doc = rule.documentation()
    severity = config.severity_for(rule.id, rule.name, rule.severity) if config else rule.severity
    security = security_of(rule.id)
    tags = ["gpulint", rule.kind] + ([rule.criterion] if rule.criterion else [])
    properties: dict[str, Any] = {"tags": tags, "precision": precision_of(rule.id)}
    if security is not None:
        tags += ["security"] + [f"external/cwe/cwe-{cwe}" for cwe in security.cwe]
        properties["security-severity"] = f"{security.severity:.1f}"
    else:
        properties["problem.severity"] = PROBLEM_SEVERITY[severity.value]
    properties.update(artifact=rule.kind, criterion=rule.criterion, fix=rule.fix)
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _section(doc, "What it does") or rule.summary},
        "help": {"text": plain_text(doc) or rule.summary, "markdown": doc or rule.summary},
        "helpUri": help_uri(rule.id),
        "defaultConfiguration": {"level": LEVELS[severity.value]},
        "properties": properties,
    }


def _section(doc: str, heading: str) -> str:
    """The text under one ``## heading`` of a rule's documentation, joined into one paragraph."""
    lines = doc.splitlines()
    try:
        start = lines.index(f"## {heading}") + 1
    except ValueError:
        return ""
    body: list[str] = []
    for line in lines[start:]:
        if line.startswith("## "):
            break
        body.append(line.strip())
    return plain_inline(" ".join(" ".join(body).split()))


_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def plain_inline(text: str) -> str:
    """Markdown inline markup as plain text: `code` and **bold** lose their marks, links show their URL."""
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
    text = _EMPHASIS.sub(r"\2", text)
    return text.replace("`", "")


def plain_text(markdown: str) -> str:
    """A rule's Markdown documentation as plain text: headings as lines ending in a colon, code
    blocks indented by four spaces (their lines kept exactly), inline marks dropped."""
    out: list[str] = []
    in_code = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            out.append("    " + line)
        elif line.startswith("#"):
            out.append(line.lstrip("#").strip() + ":")
        else:
            out.append(plain_inline(line))
    return "\n".join(out).strip()


def _results(findings: list, index: dict[str, int]) -> list[dict]:
    results = []
    line_hashes = _line_hashes(findings)
    for f, fingerprint, line_hash in zip(findings, fingerprints(findings), line_hashes):
        uri = quote(repo_path(f.path), safe="/")
        region = {"startLine": f.line, "startColumn": f.column, "endLine": f.end_line, "endColumn": f.end_column}
        text = f"{f.message}\nFix: {f.fix}" if f.fix else f.message
        related = [_related(i, location) for i, location in enumerate(f.related, start=1)]
        if related:
            text += "\nSee: " + "; ".join(f"[{_link_text(loc.message)}]({i})"
                                         for i, loc in enumerate(f.related, start=1))
        entry: dict[str, Any] = {
            "ruleId": f.rule,
            "level": LEVELS[f.severity.value],
            "message": {"text": text},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": SRCROOT},
                                                "region": region}}],
            "partialFingerprints": {"primaryLocationLineHash": line_hash, FINGERPRINT_KEY: fingerprint},
            "properties": {"criterion": f.criterion, "fix": f.fix,
                           "precision": CONFIDENCE_PRECISION.get(f.confidence, "high"), "confidence": f.confidence},
        }
        if related:
            entry["relatedLocations"] = related
        if f.rule in index:
            entry["ruleIndex"] = index[f.rule]
        if f.autofix is not None:
            entry["fixes"] = sarif_fixes(f, SRCROOT)
        if f.suppressed:
            entry["suppressions"] = [{"kind": "inSource"}]
        results.append(entry)
    return results


def _link_text(message: str) -> str:
    """A related location's message as the text of an embedded link (no brackets inside)."""
    return message.replace("[", "(").replace("]", ")") or "related location"


def _related(location_id: int, location: Any) -> dict:
    region = {"startLine": location.line, "startColumn": location.column, "endLine": location.end_line,
              "endColumn": location.end_column}
    return {"id": location_id,
            "physicalLocation": {"artifactLocation": {"uri": quote(repo_path(location.path), safe="/"),
                                                      "uriBaseId": SRCROOT},
                                 "region": region},
            "message": {"text": location.message}}


def _line_hashes(findings: list) -> list[str]:
    """``primaryLocationLineHash``: a hash of the offending line's text (not its number, so that
    lines inserted above keep an alert's identity) and ``:n``, its n-th occurrence in the file, as
    GitHub's own upload action writes it."""
    seen: dict[tuple[str, str], int] = {}
    out = []
    for f in findings:
        text = f.source.line_text(f.line).strip() if f.source is not None else ""
        digest = hashlib.sha256(f"{f.rule}\0{text}".encode()).hexdigest()[:16]
        occurrence = seen.get((f.path, digest), 0) + 1
        seen[(f.path, digest)] = occurrence
        out.append(f"{digest}:{occurrence}")
    return out
