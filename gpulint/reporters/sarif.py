"""``--format sarif``: SARIF 2.1.0 as GitHub code scanning (and other SARIF viewers) read it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from gpulint import __version__
from gpulint.reporters.links import PROJECT_URL, help_uri, repo_path, root_prefix
from gpulint.reporters.sarif_fixes import sarif_fixes

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "gpulint/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render(result: Any, cwd: Path | None = None) -> str:
    from gpulint.rules.base import load_rules

    rules = list(load_rules().values())
    index = {rule.id: i for i, rule in enumerate(rules)}
    prefix = root_prefix(result.root, cwd)
    # %SRCROOT% is the checkout (working directory) when the scanned root lies inside it: code
    # scanning resolves relative URIs against the repository root and ignores uriBaseId.
    base = (cwd or Path.cwd()).resolve() if prefix else Path(result.root).resolve()
    run = {
        "tool": {"driver": _driver(rules, result.config)},
        "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri().rstrip("/") + "/"}},
        "invocations": [{"executionSuccessful": True,
                         "workingDirectory": {"uri": (cwd or Path.cwd()).resolve().as_uri()}}],
        "columnKind": "unicodeCodePoints",
        "results": _results(result.findings, index, prefix),
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
    tags = ["gpulint", rule.kind] + ([rule.criterion] if rule.criterion else [])
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _section(doc, "What it does") or rule.summary},
        "help": {"text": doc or rule.summary, "markdown": doc or rule.summary},
        "helpUri": help_uri(rule.id),
        "defaultConfiguration": {"level": LEVELS[severity.value]},
        "properties": {"tags": tags, "artifact": rule.kind, "criterion": rule.criterion, "fix": rule.fix},
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
    return " ".join(" ".join(body).split())


def _results(findings: list, index: dict[str, int], prefix: str) -> list[dict]:
    seen: dict[str, int] = {}
    results = []
    for f in findings:
        uri = quote(repo_path(prefix, f.path), safe="/")
        text = f.source.line_text(f.line).strip() if f.source is not None else ""
        # No line number in the key: inserting lines above a finding must not make it "new".
        key = "\0".join((f.rule, uri, text))
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        digest = hashlib.sha256(f"{key}\0{occurrence}".encode()).hexdigest()
        region = {"startLine": f.line, "startColumn": f.column, "endLine": f.end_line, "endColumn": f.end_column}
        entry: dict[str, Any] = {
            "ruleId": f.rule,
            "level": LEVELS[f.severity.value],
            "message": {"text": f"{f.message}\nFix: {f.fix}" if f.fix else f.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": SRCROOT},
                                                "region": region}}],
            "partialFingerprints": {FINGERPRINT_KEY: digest},
            "properties": {"criterion": f.criterion, "fix": f.fix},
        }
        if f.rule in index:
            entry["ruleIndex"] = index[f.rule]
        if f.autofix is not None:
            entry["fixes"] = sarif_fixes(f, prefix, SRCROOT)
        if f.suppressed:
            entry["suppressions"] = [{"kind": "inSource"}]
        results.append(entry)
    return results
