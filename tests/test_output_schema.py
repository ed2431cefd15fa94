"""The JSON Schema shipped for gpulint's own JSON outputs (`rules/output.schema.json`, installed as
`gpulint/_rules/output.schema.json`) validates what `check`, `grade` and `live` really print."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import REPO

jsonschema = pytest.importorskip("jsonschema")


def _schema() -> dict:
    from gpulint.core.resources import data_path

    return json.loads(data_path("output.schema.json").read_text(encoding="utf-8"))


def _validate(document: dict, kind: str) -> None:
    schema = _schema()
    sub = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{kind}"}
    errors = sorted(jsonschema.Draft202012Validator(sub).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    # The top-level schema accepts it too, as exactly one of the three outputs.
    jsonschema.Draft202012Validator(schema).validate(document)


def test_the_schema_is_a_valid_schema():
    jsonschema.Draft202012Validator.check_schema(_schema())


def test_check_outputs(cli, tmp_path: Path):
    clean = cli("check", "reference", "--format", "json").json()
    _validate(clean, "check")
    case = tmp_path / "case"
    shutil.copytree(REPO / "fixtures/GL503/fail/curl-healthcheck", case)  # findings with related locations
    lines = (case / "k8s/deployment.yaml").read_text().splitlines(keepends=True)
    lines.insert(72, "              # gpulint: ignore=GL503\n")  # above the readiness probe's command
    (case / "k8s/deployment.yaml").write_text("".join(lines))  # a suppressed finding
    found = cli("check", case, "--format", "json")
    document = found.json()
    assert any(f["related"] for f in document["findings"]) and any(f["suppressed"] for f in document["findings"])
    _validate(document, "check")
    baseline = tmp_path / "baseline.json"
    assert cli("check", case, "--write-baseline", baseline).returncode == 0
    with_baseline = cli("check", case, "--baseline", baseline, "--format", "json").json()
    assert with_baseline["summary"]["baselined"] > 0
    _validate(with_baseline, "check")
    live = cli("check", "reference", "--live", "--engine", "host", "--format", "json", timeout=300).json()
    assert "live" in live
    _validate(live, "check")


def test_check_output_of_a_notebook(cli, tmp_path: Path):
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.v4.new_notebook()
    dockerfile = (REPO / "reference/Dockerfile").read_text().replace("USER 10001:10001", "USER root")
    notebook.cells = [nbformat.v4.new_markdown_cell("# lab"),
                      nbformat.v4.new_code_cell(f"dockerfile = r'''{dockerfile}'''")]
    path = tmp_path / "lab.ipynb"
    nbformat.write(notebook, str(path))
    document = cli("check", path, "--format", "json").json()
    assert any("cell" in f for f in document["findings"])
    _validate(document, "check")


def test_grade_outputs(cli, tmp_path: Path):
    _validate(cli("grade", "reference", "--format", "json").json(), "grade")
    failing = cli("grade", REPO / "fixtures/GL503/fail/curl-healthcheck", "--format", "json").json()
    assert any(c["findings"] for c in failing["criteria"])
    _validate(failing, "grade")
    batch = tmp_path / "class"
    shutil.copytree(REPO / "reference", batch / "alice")
    (batch / "bob").mkdir(parents=True)  # nothing handed in: an ungraded row
    out = tmp_path / "grades"
    assert cli("grade", batch, "--batch", "--format", "json", "-o", out, "-j", "1").returncode == 0
    documents = {p.stem: json.loads(p.read_text()) for p in (out / "feedback").glob("*.json")}
    assert documents["alice"]["status"] == "graded" and documents["bob"]["status"].startswith("ungraded: ")
    for document in documents.values():
        _validate(document, "grade")


def test_live_output(cli):
    result = cli("live", "reference", "--engine", "host", "--format", "json", timeout=300)
    document = result.json()
    assert document["engine"] == "host" and document["steps"]
    _validate(document, "live")
