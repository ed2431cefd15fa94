"""SARIF as GitHub code scanning reads it (docs.github.com, "SARIF support for code scanning"):
security rules carry `security-severity` and a `security` tag, every rule a `precision`, help in
plain text and Markdown, results a `primaryLocationLineHash` that survives edits elsewhere, and
related locations linked from the message."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO
from test_reporters import _validate_sarif

SECURITY_RULES = {"GL111", "GL112", "GL209", "GL210", "GL102"}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with a secret in a Dockerfile, fork pull requests on a self-hosted runner, an
    unpinned action, a warning-only Dockerfile and probes that disagree with a curl HEALTHCHECK."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "fixtures/GL503/fail/curl-healthcheck", root)
    (workflow,) = (REPO / "fixtures/GL209/fail/no_fork_guard/.github/workflows").glob("*.yml")
    shutil.copy(workflow, root / ".github/workflows/gpu-ci.yml")
    shutil.copy(REPO / "fixtures/GL210/fail/tag_v3.yml", root / ".github/workflows/release.yml")
    shutil.copytree(REPO / "fixtures/GL111/fail/hf_token_env", root / "services/secret")
    (root / "services/smi").mkdir(parents=True)
    shutil.copy(REPO / "fixtures/GL105/fail/nvidia-smi.Dockerfile", root / "services/smi/Dockerfile")
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)
    return root


def _sarif(cli, repo: Path) -> dict:
    result = cli("check", ".", "--format", "sarif", cwd=repo)
    assert result.returncode == 1, result.stderr
    document = result.json()
    _validate_sarif(document)
    return document


def test_security_rules_and_precision(cli, repo: Path):
    from gpulint.rules.security import SECURITY

    run = _sarif(cli, repo)["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert SECURITY_RULES <= set(SECURITY)
    for rule_id, rule in rules.items():
        properties = rule["properties"]
        assert properties["precision"] in ("very-high", "high", "medium", "low")
        if rule_id in SECURITY:
            assert "security" in properties["tags"]
            score = float(properties["security-severity"])
            assert 0.0 < score <= 10.0 and properties["security-severity"] == f"{score:.1f}"
            assert "problem.severity" not in properties
            assert any(t.startswith("external/cwe/cwe-") for t in properties["tags"])
        else:
            assert "security" not in properties["tags"] and "security-severity" not in properties
            assert properties["problem.severity"] in ("error", "warning", "recommendation")
    # GitHub's bands: 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
    assert float(rules["GL209"]["properties"]["security-severity"]) >= 9.0
    assert 7.0 <= float(rules["GL111"]["properties"]["security-severity"]) < 9.0
    assert 4.0 <= float(rules["GL102"]["properties"]["security-severity"]) < 7.0
    assert rules["GL204"]["properties"]["precision"] == "low"  # runner hardware is decided outside the repository
    assert rules["GL003"]["properties"]["problem.severity"] == "recommendation"  # an info rule
    found = {r["ruleId"] for r in run["results"]}
    assert {"GL111", "GL209", "GL210", "GL105", "GL503"} <= found
    for result in run["results"]:
        assert result["properties"]["precision"] in ("high", "medium", "low")


def test_help_text_is_plain_and_markdown_is_the_documentation(cli, repo: Path):
    from gpulint.rules.base import load_rules

    run = _sarif(cli, repo)["runs"][0]
    docs = {rule.id: rule.documentation() for rule in load_rules().values()}
    for rule in run["tool"]["driver"]["rules"]:
        text, markdown = rule["help"]["text"], rule["help"]["markdown"]
        assert markdown == docs[rule["id"]]
        assert text and "```" not in text and "`" not in text and not re.search(r"^#", text, re.M)
        assert "What it does:" in text and "Use instead:" in text
        assert "`" not in rule["fullDescription"]["text"]
    gl104 = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "GL104")
    # Code keeps its lines, indented, continuation included.
    assert "    HEALTHCHECK --interval=30s --timeout=20s --start-period=60s --retries=3 \\\n" in gl104["help"]["text"]


def test_related_locations_are_linked_from_the_message(cli, repo: Path):
    run = _sarif(cli, repo)["runs"][0]
    probes = [r for r in run["results"] if r["ruleId"] == "GL503"]
    assert probes
    for result in probes:
        (related,) = result["relatedLocations"]
        assert related["id"] == 1
        location = related["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "Dockerfile" and location["region"]["startLine"] == 59
        assert related["message"]["text"] == "the HEALTHCHECK of Dockerfile"
        assert result["message"]["text"].endswith("See: [the HEALTHCHECK of Dockerfile](1)")
    assert all("relatedLocations" not in r for r in run["results"] if r["ruleId"] != "GL503")


def test_primary_location_line_hash_survives_edits_elsewhere(cli, repo: Path):
    def hashes() -> dict[tuple[str, str, int], str]:
        run = _sarif(cli, repo)["runs"][0]
        out = {}
        for r in run["results"]:
            location = r["locations"][0]["physicalLocation"]
            key = (r["ruleId"], location["artifactLocation"]["uri"], location["region"]["startLine"])
            line_hash = r["partialFingerprints"]["primaryLocationLineHash"]
            assert re.fullmatch(r"[0-9a-f]{16}:\d+", line_hash)
            out[key] = line_hash
        return out

    before = hashes()
    assert len(set(before.values())) == len(before)  # distinct alerts, distinct identities
    workflow = repo / ".github/workflows/gpu-ci.yml"
    workflow.write_text("# a comment added on top\n\n" + workflow.read_text())
    dockerfile = repo / "services/secret/Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "\nLABEL org.opencontainers.image.title=demo\n")
    after = hashes()
    moved = {(rule, path, line + 2 if path == ".github/workflows/gpu-ci.yml" else line): value
             for (rule, path, line), value in before.items()}
    assert after == moved  # lines moved by two in the workflow, nothing else changed: same identities


def test_sarif_paths_and_base_are_the_repository(cli, repo: Path):
    run = json.loads(cli("check", "../services", "--format", "sarif", cwd=repo / "k8s").stdout)["runs"][0]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"services/secret/Dockerfile", "services/smi/Dockerfile"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
