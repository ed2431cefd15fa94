"""Where a check stands, in real git repositories: configuration found per file as ruff finds it,
paths relative to the repository root in every format, and a file checked alone judged in its
place in the repository (pre-commit passes changed files one by one)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

FILES = (".github/workflows/gpu-ci.yml", "k8s/deployment.yaml", "Dockerfile", "services/api/Dockerfile",
         "smoke_test.py", "rollout.yaml")


def _git_init(folder: Path) -> None:
    subprocess.run(["git", "init", "-q", str(folder)], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The reference solution as a repository, with a workflow that runs fork pull requests on the
    self-hosted runner (GL209, judged only under .github/workflows/), a Deployment whose image no
    workflow pushes (GL521: needs the workflows to judge) and a service Dockerfile running as root."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "reference", root)
    (workflow,) = (REPO / "fixtures/GL209/fail/no_fork_guard/.github/workflows").glob("*.yml")
    shutil.copy(workflow, root / ".github/workflows/gpu-ci.yml")
    deployment = root / "k8s/deployment.yaml"
    deployment.write_text(deployment.read_text().replace("image: ghcr.io/", "image: docker.io/"))
    (root / "services/api").mkdir(parents=True)
    shutil.copy(REPO / "fixtures/GL102/fail/no-user.Dockerfile", root / "services/api/Dockerfile")
    _git_init(root)
    return root


def _findings(result) -> list[tuple]:
    assert result.returncode in (0, 1), result.stderr
    return [(f["rule"], f["path"], f["line"], f["column"], f["message"]) for f in result.json()["findings"]]


def test_a_file_checked_alone_gets_the_findings_of_the_whole_tree(cli, repo: Path):
    whole = _findings(cli("check", ".", "--format", "json", cwd=repo))
    rules = {(rule, path) for rule, path, *_ in whole}
    assert {("GL209", ".github/workflows/gpu-ci.yml"), ("GL521", "k8s/deployment.yaml"),
            ("GL102", "services/api/Dockerfile")} <= rules
    for name in FILES:
        alone = _findings(cli("check", name, "--format", "json", cwd=repo))
        assert alone == [f for f in whole if f[1] == name], name
    # From a subfolder, with a path relative to it: the same findings, the same repository paths.
    nested = _findings(cli("check", "workflows/gpu-ci.yml", "--format", "json", cwd=repo / ".github"))
    assert nested == [f for f in whole if f[1] == ".github/workflows/gpu-ci.yml"]
    # Several changed files at once, as pre-commit passes them.
    several = _findings(cli("check", "k8s/deployment.yaml", "services/api/Dockerfile", "--format", "json",
                            cwd=repo))
    assert several == [f for f in whole if f[1] in ("k8s/deployment.yaml", "services/api/Dockerfile")]


def test_outside_a_repository_a_workflow_alone_is_not_in_its_place(cli, repo: Path):
    shutil.rmtree(repo / ".git")
    alone = _findings(cli("check", ".github/workflows/gpu-ci.yml", "--format", "json", cwd=repo))
    assert {f[1] for f in alone} == {".github/workflows/gpu-ci.yml"}  # relative to the working directory


def test_every_format_names_the_file_by_its_repository_path(cli, repo: Path, tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    args = ["check", "../services/api", "-f", "text", "-o", out / "r.txt", "-f", "json", "-o", out / "r.json",
            "-f", "github", "-o", out / "r.gh", "-f", "sarif", "-o", out / "r.sarif", "-f", "junit",
            "-o", out / "r.xml"]
    result = cli(*args, cwd=repo / "k8s")
    assert result.returncode == 1, result.stderr
    want = "services/api/Dockerfile"
    assert f"  {want}:4:1: error" in (out / "r.txt").read_text()
    assert [f["path"] for f in json.loads((out / "r.json").read_text())["findings"]] == [want]
    assert f"::error file={want},line=4," in (out / "r.gh").read_text()
    sarif = json.loads((out / "r.sarif").read_text())["runs"][0]
    assert sarif["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    (entry,) = sarif["results"]
    assert entry["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == want
    suites = ET.parse(out / "r.xml").getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == [want]


# --------------------------------------------------------------------------- configuration


def test_each_file_uses_the_nearest_configuration(cli, repo: Path):
    (repo / ".gpulint.yaml").write_text("ignore: [GL209]\nfail-on: warning\n")
    (repo / "services/api/.gpulint.yaml").write_text("severity: {GL102: warning}\nprofile: lab\n")
    result = cli("check", ".", "--format", "json", cwd=repo)
    found = {(f["rule"], f["path"]): f["severity"] for f in result.json()["findings"]}
    assert ("GL209", ".github/workflows/gpu-ci.yml") not in found  # the root configuration ignores it
    assert found[("GL102", "services/api/Dockerfile")] == "warning"  # the service's own configuration
    assert found[("GL521", "k8s/deployment.yaml")] == "error"  # the root's severity (none set)
    assert result.returncode == 1  # fail-on is the run's: the root configuration's `warning`
    # The service's file checked alone: its own configuration still, the run's settings from its folder.
    alone = cli("check", "services/api/Dockerfile", "--format", "json", cwd=repo)
    assert [(f["rule"], f["severity"]) for f in alone.json()["findings"]] == [("GL102", "warning")]
    assert alone.returncode == 0  # services/api/.gpulint.yaml sets no fail-on: error


def test_pyproject_without_a_gpulint_table_is_skipped(cli, repo: Path):
    (repo / ".gpulint.yaml").write_text("ignore: [GL102]\n")
    (repo / "services/api/pyproject.toml").write_text("[project]\nname = 'api'\n")
    assert cli("check", "services/api/Dockerfile", cwd=repo).returncode == 0  # the root file applies
    (repo / "services/api/pyproject.toml").write_text("[project]\nname = 'api'\n\n[tool.gpulint]\nselect = ['GL1']\n")
    assert cli("check", "services/api/Dockerfile", cwd=repo).returncode == 1  # the nearest file wins whole


def test_configuration_above_the_repository_is_not_read(cli, repo: Path, tmp_path: Path):
    (tmp_path / ".gpulint.yaml").write_text("ignore: [GL102]\n")  # the folder holding the repository
    assert cli("check", "services/api/Dockerfile", cwd=repo).returncode == 1
    shutil.rmtree(repo / ".git")  # outside a repository the search goes up to the filesystem root, as ruff's
    assert cli("check", "services/api/Dockerfile", cwd=repo).returncode == 0


def test_config_flag_and_isolated(cli, repo: Path, tmp_path: Path):
    (repo / "services/api/.gpulint.yaml").write_text("ignore: [GL102]\n")
    assert cli("check", "services", cwd=repo).returncode == 0
    assert cli("check", "services", "--isolated", cwd=repo).returncode == 1
    shared = tmp_path / "shared.yaml"
    shared.write_text("select: [GL3]\nexclude: ['k8s/*']\n")  # --config: exclude relative to the working directory
    result = cli("check", ".", "--config", shared, "--format", "json", cwd=repo)
    assert result.json()["findings"] == []  # GL3xx only, and k8s/ excluded
    assert cli("check", ".", "--config", shared, "--select", "GL1", cwd=repo).returncode == 1  # flags win


def test_exclude_is_relative_to_its_file_and_named_files_are_read(cli, repo: Path):
    (repo / "services/.gpulint.yaml").write_text("exclude: [api]\n")
    whole = {f[1] for f in _findings(cli("check", ".", "--format", "json", cwd=repo))}
    assert "services/api/Dockerfile" not in whole
    assert cli("check", "services/api/Dockerfile", cwd=repo).returncode == 1  # named: read, as ruff does
    result = cli("check", "services/api/Dockerfile", "--force-exclude", "--allow-empty", cwd=repo)
    assert result.returncode == 0 and "0 files" in result.stdout


def test_config_command_says_where_each_setting_comes_from(cli, repo: Path):
    (repo / ".gpulint.yaml").write_text("select: [GL1, GL3]\nfail-on: warning\n")
    (repo / "services/api/.gpulint.yaml").write_text("# the service\nprofile: lab\nignore: [GL102]\n")
    data = cli("config", "../services/api/Dockerfile", "--format", "json", cwd=repo / "k8s").json()
    assert data["path"] == "services/api/Dockerfile" and data["repository_root"] == str(repo.resolve())
    assert data["config_file"] == "services/api/.gpulint.yaml"
    settings = data["settings"]
    assert settings["profile"] == {"value": "lab", "scope": "file", "source": "file",
                                   "file": "services/api/.gpulint.yaml", "line": 2}
    assert settings["ignore"]["value"] == ["GL102"] and settings["ignore"]["line"] == 3
    assert settings["select"] == {"value": [], "scope": "file", "source": "default"}  # nearest file wins whole
    assert settings["fail-on"]["scope"] == "run"
    root = cli("config", "--format", "json", cwd=repo).json()
    assert root["config_file"] == ".gpulint.yaml" and root["settings"]["fail-on"]["value"] == "warning"
    text = cli("config", "services/api", cwd=repo).stdout
    assert "configuration:   services/api/.gpulint.yaml (the nearest above the path)" in text
    assert any(line.split()[:3] == ["profile", "lab", "services/api/.gpulint.yaml:2"] for line in text.splitlines())
    isolated = cli("config", "services/api", "--isolated", "--format", "json", cwd=repo).json()
    assert isolated["config_file"] is None and isolated["settings"]["profile"]["source"] == "default"


# --------------------------------------------------------------------------- errors with a suggestion


@pytest.mark.parametrize(("args", "message"), [
    (["--select", "GL999"], "--select: no rule 'GL999'"),
    (["--select", "dockerfile-nonrot"], "--select: no rule 'dockerfile-nonrot'; did you mean 'dockerfile-nonroot'?"),
    (["--ignore", "GL1,healthcheck-missng"],
     "--ignore: no rule 'healthcheck-missng'; did you mean 'healthcheck-missing'?"),
    (["--select", "GL9"], "--select: no rule 'GL9'"),
    (["--require", "kubernetis"], "--require: unknown artifact kind 'kubernetis'; did you mean 'kubernetes'?"),
])
def test_unknown_selectors_are_usage_errors(cli, repo: Path, args: list[str], message: str):
    result = cli("check", ".", *args, cwd=repo)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"gpulint: error: {message}")


def test_merged_rule_ids_and_names_are_valid_selectors(cli, repo: Path):
    for ref in ("GL601", "gitlab-no-build", "GL6", "GL20", "healthcheck-missing"):
        assert cli("check", "Dockerfile", "--select", ref, cwd=repo).returncode == 0, ref


@pytest.mark.parametrize(("config", "where", "message"), [
    ("select: [GL1, dockerfile-nonrot]\n", ".gpulint.yaml:1:15",
     "'select': no rule 'dockerfile-nonrot'; did you mean 'dockerfile-nonroot'?"),
    ("severity:\n  GL1: warning\n", ".gpulint.yaml:2:3", "'severity': no rule 'GL1'"),
    ("ignore: [GL209]\nprofil: lab\n", ".gpulint.yaml:2:1", "unknown config key 'profil'; did you mean 'profile'?"),
    ("select: [GL1\n", ".gpulint.yaml:2:1", "invalid YAML in config"),
    ("fail-on: sometimes\n", ".gpulint.yaml:1:10", "invalid value for 'fail-on'"),
])
def test_a_bad_configuration_is_a_usage_error(cli, repo: Path, config: str, where: str, message: str):
    (repo / ".gpulint.yaml").write_text(config)
    result = cli("check", "services/api/Dockerfile", cwd=repo)
    assert result.returncode == 2 and result.stdout == ""
    assert f"{where}: {message}" in result.stderr


def test_a_bad_configuration_in_a_subfolder_is_found_on_the_walk(cli, repo: Path):
    (repo / "services/api/pyproject.toml").write_text("[tool.gpulint]\nignore = ['GL10Z']\n")
    result = cli("check", ".", cwd=repo)
    assert result.returncode == 2
    assert "services/api/pyproject.toml" in result.stderr and "GL10Z" in result.stderr


def test_an_inline_suppression_of_no_rule_is_reported(cli, repo: Path):
    dockerfile = repo / "services/api/Dockerfile"
    final = "FROM nvidia/cuda:12.4.1-runtime"
    dockerfile.write_text(dockerfile.read_text().replace(final, f"# gpulint: ignore=GL102,dockerfile-nonrot\n{final}"))
    findings = cli("check", "services/api", "--format", "json", cwd=repo).json()["findings"]
    (gl003,) = [f for f in findings if f["rule"] == "GL003"]
    assert "'dockerfile-nonrot'; did you mean 'dockerfile-nonroot'?" in gl003["message"]
    assert [f["suppressed"] for f in findings if f["rule"] == "GL102"] == [True]  # the known id still works


def test_nothing_to_check_is_a_usage_error(cli, repo: Path):
    (repo / "docs").mkdir()
    (repo / "docs/Dockerfile.txt").write_text("FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n")
    (repo / "docs/notes.yaml").write_text("title: notes\n")
    result = cli("check", "docs", cwd=repo)
    assert result.returncode == 2 and result.stdout == ""
    assert "no artifact found in docs" in result.stderr
    assert "did you mean 'docs/Dockerfile.txt' as 'Dockerfile'?" in result.stderr
    assert "--allow-empty" in result.stderr
    allowed = cli("check", "docs", "--allow-empty", "--format", "json", cwd=repo)
    assert allowed.returncode == 0 and allowed.json()["findings"] == []
    (repo / ".gpulint.yaml").write_text("exclude: [services]\n")
    excluded = cli("check", ".", "--select", "GL102", cwd=repo)  # the only GL102 is excluded: not an error
    assert excluded.returncode == 0
    (repo / ".gpulint.yaml").write_text("exclude: ['*']\n")
    assert "left out by `exclude`" in cli("check", ".", cwd=repo).stderr


def test_profile_is_per_file(cli, repo: Path):
    """A single-stage Dockerfile of a CPU tool: info under the production profile (the default for
    check: not a GPU serving image), an error under the lab profile of the folder that asks for it."""
    single = "FROM gcr.io/distroless/base:nonroot\nCOPY server /server\nUSER 65532\nCMD [\"/server\"]\n"
    for folder in ("tools/prod", "tools/lab"):
        (repo / folder).mkdir(parents=True)
        (repo / folder / "Dockerfile").write_text(single)
    (repo / "tools/lab/.gpulint.yaml").write_text("profile: lab\n")
    findings = cli("check", "tools", "--select", "GL101", "--format", "json", cwd=repo).json()["findings"]
    assert {(f["path"], f["severity"]) for f in findings} == {("tools/prod/Dockerfile", "info"),
                                                              ("tools/lab/Dockerfile", "error")}


def test_standard_input_is_judged_where_it_would_be(cli, repo: Path):
    (repo / ".gpulint.yaml").write_text("severity: {GL209: warning}\n")
    text = (repo / ".github/workflows/gpu-ci.yml").read_text()
    proc = subprocess.run([sys.executable, "-m", "gpulint", "check", "-", "--stdin-filename", "workflows/new.yml",
                           "--format", "json"], input=text, capture_output=True, text=True, cwd=repo / ".github",
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(
                              p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)})
    findings = json.loads(proc.stdout)["findings"]
    assert {(f["rule"], f["path"], f["severity"]) for f in findings} == {
        ("GL209", ".github/workflows/new.yml", "warning")}  # a workflow by its place; the root's configuration
