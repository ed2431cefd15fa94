"""``--format junit``: JUnit XML for Jenkins, GitLab and other CI test-report viewers.

One <testsuite> per file and one <testcase> per rule that applies to that file (its artifact kind
is in the file, or it reported something there). Errors and warnings are <failure>s, so a report
viewer shows what ``--fail-on warning`` would fail on; info findings and suppressed findings go to
the test case's <system-out> and do not fail it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from gpulint.reporters.links import repo_path

_FAILING = ("error", "warning")
_ALWAYS_APPLIES = ("file",)  # rules that read every file (parse errors)
# Characters XML 1.0 cannot hold even escaped; a message quoting a binary file must not break the report.
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def render(result: Any) -> str:
    from gpulint.engine.rule_index import rule_index

    rules = [r for r in rule_index().values() if result.config is None or result.config.enabled(r.id, r.name)]
    kinds = getattr(result, "kinds", None) or _kinds_by_file(result.artifacts)
    scanned = set(result.files)
    by_file: dict[str, dict[str, list]] = {}
    for path in result.files:
        by_file.setdefault(path, {})
    for f in result.findings:
        by_file.setdefault(f.path, {}).setdefault(f.rule, []).append(f)

    root = ET.Element("testsuites", name="gpulint", time=f"{result.elapsed:.3f}")
    total_tests = total_failures = 0
    for path in sorted(by_file):
        found = by_file[path]
        suite = ET.SubElement(root, "testsuite", name=_clean(repo_path(path)))
        tests = failures = 0
        for rule in rules:
            applies = rule.kind in kinds.get(path, set()) or (rule.kind in _ALWAYS_APPLIES and path in scanned)
            if rule.id not in found and not applies:
                continue
            tests += 1
            failures += _testcase(suite, rule, found.get(rule.id, []), repo_path(path))
        suite.attrib.update(tests=str(tests), failures=str(failures), errors="0", skipped="0")
        total_tests += tests
        total_failures += failures
    root.attrib.update(tests=str(total_tests), failures=str(total_failures), errors="0", skipped="0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _kinds_by_file(artifacts: list) -> dict[str, set[str]]:
    kinds: dict[str, set[str]] = {}
    for artifact in artifacts:
        source = getattr(artifact, "source", None)
        if source is None:
            continue
        # An embedded artifact (a lab answers file's field) belongs to the file it was read from.
        path = source.resolve(0, 0)[0].rel_path
        kinds.setdefault(path, set()).add(artifact.kind)
    return kinds


def _testcase(suite: ET.Element, rule: Any, findings: list, path: str) -> int:
    case = ET.SubElement(suite, "testcase", classname=rule.id, name=rule.name, file=_clean(path))
    failing = [f for f in findings if not f.suppressed and f.severity.value in _FAILING]
    quiet = [f for f in findings if f not in failing]
    if failing:
        worst = "error" if any(f.severity.value == "error" for f in failing) else "warning"
        message = failing[0].message if len(failing) == 1 else f"{len(failing)} findings; first: {failing[0].message}"
        failure = ET.SubElement(case, "failure", message=_clean(message), type=worst)
        failure.text = _clean("\n".join(_describe(f, path) for f in failing))
    if quiet:
        ET.SubElement(case, "system-out").text = _clean("\n".join(_describe(f, path) for f in quiet))
    return 1 if failing else 0


def _describe(f: Any, path: str) -> str:
    note = " (suppressed)" if f.suppressed else ""
    return (f"{path}:{f.line}:{f.column}: {f.severity.value} {f.rule} {f.name}: {f.message}{note}\n"
            f"  fix: {f.fix}")
