"""The command line as users run it: exit codes, the JSON contract, rules and explain."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

FINDING_FIELDS = {"rule", "name", "severity", "criterion", "path", "line", "column", "end_line", "end_column",
                  "message", "fix", "suppressed", "confidence", "related", "autofix"}


def test_reference_passes_every_rule(cli):
    result = cli("check", "reference/", "--format", "json")
    assert result.returncode == 0, result.stdout
    data = result.json()
    assert data["findings"] == []
    assert data["summary"]["errors"] == 0
    assert data["summary"]["files"] >= 5


def test_version(cli):
    result = cli("--version")
    assert result.returncode == 0
    assert re.fullmatch(r"gpulint \d+\.\d+\.\d+\S*\n", result.stdout)


def test_json_contract_on_a_failing_dockerfile(cli):
    result = cli("check", "fixtures/GL102/fail/no-user.Dockerfile", "--format", "json")
    assert result.returncode == 1
    data = result.json()
    assert set(data) == {"version", "findings", "summary"}
    assert isinstance(data["version"], str)
    (finding,) = data["findings"]
    assert set(finding) == FINDING_FIELDS
    assert finding["rule"] == "GL102"
    assert finding["name"] == "dockerfile-nonroot"
    assert finding["severity"] == "error"
    assert finding["criterion"] == "dockerfile.nonroot"
    assert finding["path"] == "fixtures/GL102/fail/no-user.Dockerfile"  # relative to the repository root
    assert (finding["line"], finding["column"]) == (4, 1)
    assert finding["end_line"] >= finding["line"]
    assert finding["suppressed"] is False
    assert finding["fix"]


def test_text_output_groups_by_file_and_shows_fix(cli):
    result = cli("check", "fixtures/GL104/fail/curl-healthz")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "fixtures/GL104/fail/curl-healthz/Dockerfile"
    assert re.match(r"  fixtures/GL104/fail/curl-healthz/Dockerfile:8:\d+: error\s+GL104 healthcheck-not-gpu-aware: ",
                    lines[1])
    assert lines[2].strip().startswith("fix: ")
    assert "2 errors" in lines[-1]  # and GL113: curl is not installed in the CUDA runtime image


def test_fail_on_threshold(cli):
    case = "fixtures/GL105/fail/nvidia-smi.Dockerfile"  # a warning only
    assert cli("check", case).returncode == 0
    assert cli("check", case, "--fail-on", "warning").returncode == 1
    assert cli("check", "fixtures/GL102/fail/no-user.Dockerfile", "--fail-on", "none").returncode == 0


def test_select_and_ignore(cli):
    case = "fixtures/GL102/fail/no-user.Dockerfile"
    assert cli("check", case, "--ignore", "GL102").returncode == 0
    assert cli("check", case, "--ignore", "dockerfile-nonroot").returncode == 0
    assert cli("check", case, "--select", "GL1").returncode == 1
    assert cli("check", case, "--select", "GL3").returncode == 0


def test_usage_errors_exit_2(cli):
    assert cli("check", "does/not/exist").returncode == 2
    assert cli("check", ".", "--format", "yaml").returncode == 2
    assert cli("explain", "GL999").returncode == 2
    assert cli().returncode == 2


def test_rules_lists_every_rule(cli):
    result = cli("rules", "--format", "json")
    rules = result.json()
    ids = [r["id"] for r in rules]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    for rule in rules:
        assert set(rule) == {"id", "name", "severity", "kind", "criterion", "covers", "summary", "fix_availability",
                             "fix_applicability"}
        assert rule["fix_availability"] in ("always", "sometimes", "never")
        assert (rule["fix_availability"] == "never") == (rule["fix_applicability"] == [])
    text = cli("rules").stdout
    assert all(r["id"] in text for r in rules)


def test_explain_prints_documentation(cli):
    result = cli("explain", "GL104")
    assert result.returncode == 0
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix"):
        assert heading in result.stdout
    assert cli("explain", "healthcheck-not-gpu-aware").stdout == result.stdout


def test_config_unknown_key_is_a_usage_error_with_location(cli, tmp_path: Path):
    (tmp_path / ".gpulint.yaml").write_text("select: [GL1]\nfail_on: warning\n")
    for name in ("Dockerfile", "smoke_test.py"):
        (tmp_path / name).write_text((REPO / "reference" / name).read_text())
    result = cli("check", tmp_path, "--format", "json")
    assert result.returncode == 2 and result.stdout == ""
    assert ".gpulint.yaml:2:1: unknown config key 'fail_on'; did you mean 'fail-on'?" in result.stderr


def test_config_in_pyproject(cli, tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.gpulint]\nignore = ["GL102"]\n')
    (tmp_path / "Dockerfile").write_text((REPO / "fixtures/GL102/fail/no-user.Dockerfile").read_text())
    assert cli("check", tmp_path).returncode == 0


def test_inline_suppression_marks_finding(cli, tmp_path: Path):
    text = (REPO / "fixtures/GL102/fail/user-root-after-app.Dockerfile").read_text()
    text = text.replace("USER 0:0", "# gpulint: ignore=GL102\nUSER 0:0")
    (tmp_path / "Dockerfile").write_text(text)
    result = cli("check", tmp_path, "--format", "json")
    assert result.returncode == 0
    (finding,) = result.json()["findings"]
    assert finding["rule"] == "GL102" and finding["suppressed"] is True


def test_ignore_file_suppression(cli, tmp_path: Path):
    text = "# gpulint: ignore-file\n" + (REPO / "fixtures/GL102/fail/no-user.Dockerfile").read_text()
    (tmp_path / "Dockerfile").write_text(text)
    assert cli("check", tmp_path).returncode == 0


def test_several_paths(cli):
    result = cli("check", "fixtures/GL102/fail/no-user.Dockerfile", "fixtures/GL101/fail", "--format", "json")
    paths = {f["path"] for f in result.json()["findings"]}
    assert "fixtures/GL102/fail/no-user.Dockerfile" in paths
    assert any(p.startswith("fixtures/GL101/fail/") for p in paths)


# --------------------------------------------------------------------------- missing dependencies

_WITHOUT = ("import sys\n"
            "sys.modules[{name!r}] = None  # as if the package were not installed: `import` raises ImportError\n"
            "from gpulint.cli import main\n"
            "sys.exit(main({argv!r}))\n")


@pytest.mark.parametrize("argv", [["check", "reference/"], ["check", "reference/", "--format", "json"],
                                  ["grade", "reference/"]])
def test_missing_shell_parser_is_a_run_error_not_findings(argv: list[str]) -> None:
    """Without bashlex every shell script would look empty (no build, no test, no push): that is an
    install problem, reported once with exit 2, never as findings."""
    proc = subprocess.run([sys.executable, "-c", _WITHOUT.format(name="bashlex", argv=argv)], cwd=REPO,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert line.startswith("gpulint: error: the required package 'bashlex' is missing or broken (ModuleNotFoundError: ")
    assert "pip install bashlex" in line
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("module, package", [("yaml", "pyyaml"), ("pathspec", "pathspec"), ("jsonschema", "jsonschema"),
                                             ("msgspec", "msgspec")])
def test_other_missing_packages_are_named(module: str, package: str, tmp_path: Path) -> None:
    # A configuration that is not plainly valid is explained by jsonschema (a valid one needs no jsonschema).
    (tmp_path / ".gpulint.yaml").write_text("select: [GL1]\n" if module != "jsonschema" else "selct: [GL1]\n")
    (tmp_path / ".gitignore").write_text("build/\n")  # read with pathspec
    (tmp_path / "Dockerfile").write_text("FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n")
    proc = subprocess.run([sys.executable, "-c", _WITHOUT.format(name=module, argv=["check", str(tmp_path)])],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    (line,) = proc.stderr.splitlines()
    assert f"the required package '{package}' is missing or broken" in line
