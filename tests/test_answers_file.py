"""The lab answers file: artifacts written as strings inside one YAML or JSON mapping.

Answers files are built from the reference solution in every way students write them (YAML
``|`` blocks, CRLF line ends, double-quoted YAML strings, JSON with ``\\n`` escapes). The
reference must lint clean; an injected defect must be reported in the answers file, at the
line and column of the offending text there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from gpulint.syntax.embedded import embed
from gpulint.engine.run import run
from gpulint.core.findings import Finding
from gpulint.rules.base import load_rules
from gpulint.core.source import Source

REF = Path(__file__).resolve().parents[1] / "reference"
FIELDS = {
    "dockerfile": REF / "Dockerfile",
    "workflow_yaml": REF / ".github" / "workflows" / "gpu-ci.yml",
    "deployment_yaml": REF / "k8s" / "deployment.yaml",
    "smoke_test_py": REF / "smoke_test.py",
}
ROLLOUT_TEXT = (REF / "rollout.yaml").read_text(encoding="utf-8")


def reference_fields() -> dict[str, str]:
    return {name: path.read_text(encoding="utf-8") for name, path in FIELDS.items()}


def _block(name: str, text: str, indicator: str = "") -> str:
    chomp = "" if text.endswith("\n") else "-"
    body = "".join("  " + line if line.strip() else line for line in text.splitlines(keepends=True))
    return f"{name}: |{indicator}{chomp}\n{body}" + ("" if body.endswith("\n") else "\n")


def yaml_block(fields: dict[str, str], rollout: str) -> str:
    return "# lab answers\n" + "".join(_block(k, v) for k, v in fields.items()) + rollout


def yaml_block_crlf(fields: dict[str, str], rollout: str) -> str:
    return yaml_block(fields, rollout).replace("\n", "\r\n")


def yaml_double_quoted(fields: dict[str, str], rollout: str) -> str:
    # json.dumps writes valid YAML double-quoted scalars (\n, \" and \uXXXX escapes)
    return "".join(f"{k}: {json.dumps(v)}\n" for k, v in fields.items()) + rollout


def json_answers(fields: dict[str, str], rollout: str) -> str:
    return json.dumps({**fields, **yaml.safe_load(rollout)}, indent=2) + "\n"


WRITERS: dict[str, tuple[str, Callable[[dict[str, str], str], str]]] = {
    "yaml-block": ("answers.yaml", yaml_block),
    "yaml-block-crlf": ("answers.yaml", yaml_block_crlf),
    "yaml-double-quoted": ("answers.yml", yaml_double_quoted),
    "json": ("answers.json", json_answers),
}


def lint(tmp_path: Path, style: str, fields: dict[str, str],
         rollout: str = ROLLOUT_TEXT) -> tuple[Path, str, list[Finding]]:
    name, writer = WRITERS[style]
    path = tmp_path / name
    path.write_bytes(writer(fields, rollout).encode("utf-8"))
    text = path.read_bytes().decode("utf-8")
    findings = [f for f in run([path]).findings if not f.suppressed]
    return path, text, findings


def position(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based line and column of the n-th occurrence of ``needle`` in the answers file."""
    offset = -1
    for _ in range(occurrence):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def at(findings: list[Finding], rule: str) -> set[tuple[str, int, int]]:
    return {(f.path, f.line, f.column) for f in findings if f.rule == rule}


STYLES = list(WRITERS)


@pytest.mark.parametrize("style", STYLES)
def test_reference_answers_file_is_clean(tmp_path: Path, style: str) -> None:
    path, _, findings = lint(tmp_path, style, reference_fields())
    assert [f"{f.rule} {f.line}:{f.column} {f.message}" for f in findings] == []


@pytest.mark.parametrize("style", STYLES)
def test_missing_user_points_at_final_from(tmp_path: Path, style: str) -> None:
    fields = reference_fields()
    fields["dockerfile"] = fields["dockerfile"].replace("USER 10001:10001\n", "")
    path, text, findings = lint(tmp_path, style, fields)
    line, column = position(text, "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04")
    assert at(findings, "GL102") == {(path.name, line, column)}


@pytest.mark.parametrize("style", STYLES)
def test_single_stage_points_at_its_from(tmp_path: Path, style: str) -> None:
    fields = reference_fields()
    dockerfile = fields["dockerfile"]
    fields["dockerfile"] = dockerfile[:dockerfile.index("####### runtime")].replace(" AS builder", "")
    path, text, findings = lint(tmp_path, style, fields)
    line, column = position(text, "FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04")
    assert (path.name, line, column) in at(findings, "GL101")


@pytest.mark.parametrize("style", STYLES)
def test_duplicate_key_in_deployment(tmp_path: Path, style: str) -> None:
    fields = reference_fields()
    fields["deployment_yaml"] = fields["deployment_yaml"].replace("  replicas: 2\n", "  replicas: 2\n  replicas: 3\n")
    path, text, findings = lint(tmp_path, style, fields)
    line, column = position(text, "replicas: 3")
    assert (path.name, line, column) in at(findings, "GL002")


@pytest.mark.parametrize("style", STYLES)
def test_misspelled_readiness_probe(tmp_path: Path, style: str) -> None:
    rules = [r for r in load_rules().values() if r.criterion == "deployment.probes"]
    if not rules:
        pytest.skip("no deployment.probes rule registered yet")
    fields = reference_fields()
    fields["deployment_yaml"] = fields["deployment_yaml"].replace("readinessProbe:", "readinessprobe:")
    path, text, findings = lint(tmp_path, style, fields)
    line, _ = position(text, "readinessprobe:")
    probe_findings = [f for f in findings if f.criterion == "deployment.probes"]
    assert probe_findings, "a misspelled readinessProbe must fail deployment.probes"
    assert all(f.path == path.name for f in probe_findings)
    assert any(f.line == line for f in probe_findings)


@pytest.mark.parametrize("style", STYLES)
def test_echoed_undo_fails_rollback(tmp_path: Path, style: str) -> None:
    rollout = ROLLOUT_TEXT.replace("- kubectl -n ml rollout undo", "- echo kubectl -n ml rollout undo")
    path, text, findings = lint(tmp_path, style, reference_fields(), rollout)
    line, column = position(text, '"rollback_commands"' if style == "json" else "rollback_commands")
    assert at(findings, "GL401") == {(path.name, line, column)}


@pytest.mark.parametrize("style", STYLES)
def test_undo_in_other_namespace_points_at_command(tmp_path: Path, style: str) -> None:
    rollout = ROLLOUT_TEXT.replace("kubectl -n ml rollout undo deployment/gpu-inference\n",
                                   "kubectl -n default rollout undo deployment/gpu-inference\n")
    path, text, findings = lint(tmp_path, style, reference_fields(), rollout)
    line, column = position(text, "kubectl -n default rollout undo")
    assert at(findings, "GL402") == {(path.name, line, column)}


@pytest.mark.parametrize("style", STYLES)
def test_smoke_test_syntax_error_points_into_answers(tmp_path: Path, style: str) -> None:
    fields = reference_fields()
    fields["smoke_test_py"] = fields["smoke_test_py"].replace("import ", "import import ", 1)
    path, text, findings = lint(tmp_path, style, fields)
    line, _ = position(text, "import import ")
    assert (path.name, line) in {(f.path, f.line) for f in findings if f.rule == "GL001"}


def test_block_with_indentation_indicator(tmp_path: Path) -> None:
    """A Dockerfile whose first line is indented needs ``|2``; positions must still match."""
    fields = reference_fields()
    dockerfile = "   # indented comment\n" + fields["dockerfile"].replace("USER 10001:10001\n", "")
    text = _block("dockerfile", dockerfile, "2") + _block("smoke_test_py", fields["smoke_test_py"])
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    findings = run([path]).findings
    assert at(findings, "GL102") == {(path.name, *position(text, "FROM nvidia/cuda:12.4.1-runtime"))}


# ----------------------------------------------------------------- embedded offsets, unit level

SCALARS = {
    "literal": "a: |\n  FROM x\n  RUN y\n\n  USER z\n",
    "literal-indicator": "a: |2\n    indented first\n  RUN y\n",
    "literal-keep": "a: |+\n  x\n  y\n\n\nb: 1\n",
    "literal-strip": "a: |-\n  x\n\n\nb: 1\n",
    "literal-header-comment": "a: |  # the Dockerfile\n  x\n",
    "folded": "a: >\n  FROM x\n  RUN y\n\n  USER z\n    more\n  end\n",
    "folded-strip": "a: >-\n  one two\n  three\n",
    "folded-crlf": "a: >\r\n  x\r\n  y\r\n\r\n  z\r\n",
    "literal-crlf": "a: |\r\n  FROM x\r\n  RUN y\r\n",
    "tagged-folded": "a: !!str >\n  x\n  y\n",
    "anchored": "a: &x |\n  x\n",
    "double": 'a: "FROM x\\nRUN \\"y\\"\\n\\tUSER z\\u00e9"\n',
    "double-multiline": 'a: "FROM x   \n  RUN y\n\n  USER z"\n',
    "double-escaped-break": 'a: "x \\\n   y\\\r\n z"\n',
    "single": "a: 'it''s\n  here\n\n  x'\n",
    "plain": "a: FROM x\n  RUN y\n\n  z\n",
    "json": '{"a": "FROM x\\nUSER \\"y\\"\\n", "b": "x"}',
}


@pytest.mark.parametrize("name", list(SCALARS))
def test_every_character_maps_to_its_source(name: str) -> None:
    text = SCALARS[name]
    source = Source(text, "x.yaml")
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    for _, value in node.value:
        embedded = embed(source, value, "a")
        assert len(embedded.offsets) == len(value.value) + 1
        for i, ch in enumerate(value.value):
            if ch in "\n ":
                continue  # a folded or escaped break: any position on that line end is right
            assert text[embedded.offsets[i]] in (ch, "\\"), (i, ch, embedded.offsets[i])
        assert embedded.offsets == sorted(embedded.offsets)
