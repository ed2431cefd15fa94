"""`check --fix`, `--unsafe-fixes`, `--diff`, fixes in JSON and SARIF, and `gpulint rules`, as users run them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO
from test_reporters import _validate_sarif

FIXTURES = REPO / "fixtures"


def _project(tmp_path: Path) -> Path:
    """A small project with a safe fix (GL306, GL307 missing knobs) and unsafe ones (GL102, GL304)."""
    root = tmp_path / "proj"
    (root / "k8s").mkdir(parents=True)
    shutil.copy(FIXTURES / "GL306" / "fail" / "requests-only.yaml", root / "k8s" / "deployment.yaml")
    shutil.copy(FIXTURES / "GL102" / "fail" / "no-user.Dockerfile", root / "Dockerfile")
    return root


def test_fix_applies_safe_fixes_only_and_reports_what_is_left(cli, tmp_path: Path):
    root = _project(tmp_path)
    dockerfile = (root / "Dockerfile").read_bytes()
    result = cli("check", root, "--fix", "--format", "json")
    data = result.json()
    assert data["fixes"]["by_rule"] == {"GL306": 1}
    assert data["fixes"]["files"] == ["k8s/deployment.yaml"]
    assert "gpulint: fixed 1 finding (GL306 1) in 1 file" in result.stderr
    assert "more with --unsafe-fixes" in result.stderr
    assert (root / "Dockerfile").read_bytes() == dockerfile  # GL102's fix is unsafe: not applied
    assert "limits:\n              nvidia.com/gpu: 1\n" in (root / "k8s" / "deployment.yaml").read_text()
    remaining = {f["rule"] for f in data["findings"]}
    assert "GL306" not in remaining and "GL102" in remaining
    assert result.returncode == 1  # GL102 is still an error


def test_unsafe_fixes_apply_the_rest(cli, tmp_path: Path):
    root = _project(tmp_path)
    before = sorted(f["rule"] for f in cli("check", root, "--format", "json").json()["findings"])
    result = cli("check", root, "--fix", "--unsafe-fixes", "--format", "json")
    after = sorted(f["rule"] for f in result.json()["findings"])
    assert "GL102 1" in result.stderr and "GL306 1" in result.stderr
    # The project's other problems (no smoke test in the image, no memory limit...) remain: no fix
    # takes them away, none adds one.
    assert after == [rule for rule in before if rule not in ("GL102", "GL306")]
    assert result.returncode == 1
    assert "USER 10001" in (root / "Dockerfile").read_text()
    again = cli("check", root, "--fix", "--unsafe-fixes", "--format", "json")
    assert again.json()["fixes"] == {"applied": 0, "by_rule": {}, "files": []}


def test_diff_prints_the_change_and_touches_nothing(cli, tmp_path: Path):
    root = _project(tmp_path)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    result = cli("check", root, "--diff", "--unsafe-fixes")
    assert result.returncode == 1
    assert result.stdout.startswith("--- a/")
    assert "+++ b/Dockerfile" in result.stdout and "+++ b/k8s/deployment.yaml" in result.stdout
    assert "+USER 10001" in result.stdout
    assert "would fix" in result.stderr
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before
    clean = cli("check", REPO / "reference", "--diff")
    assert clean.returncode == 0 and clean.stdout == ""


def test_the_diff_is_what_fix_writes(cli, tmp_path: Path):
    import subprocess

    root = _project(tmp_path)
    diff = cli("check", root, "--diff", "--unsafe-fixes").stdout
    patched = tmp_path / "patched"
    shutil.copytree(root, patched)
    subprocess.run(["patch", "-p1", "-s", "-d", str(patched)], input=diff, text=True, check=True)
    cli("check", root, "--fix", "--unsafe-fixes")
    for path in root.rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (patched / path.relative_to(root)).read_bytes(), path


@pytest.mark.parametrize("flag", ["--fix", "--diff"])
def test_fix_refuses_stdin_and_notebooks(cli, tmp_path: Path, flag: str):
    result = cli("check", "-", flag)
    assert result.returncode == 2 and "standard input" in result.stderr
    notebook = tmp_path / "lab.ipynb"
    shutil.copyfile(REPO / "tests/adversarial/nb-dockerfile-from-function/lab.ipynb", notebook)
    before = notebook.read_bytes()
    result = cli("check", notebook, flag)
    assert result.returncode == 2 and "notebook" in result.stderr and not result.stdout
    assert notebook.read_bytes() == before


def test_text_output_marks_fixable_findings(cli, tmp_path: Path):
    root = _project(tmp_path)
    text = cli("check", root).stdout
    assert "[--fix]" in text and "[--fix --unsafe-fixes]" in text
    assert "1 fixable with `gpulint check --fix`" in text


def test_json_findings_carry_their_edits(cli, tmp_path: Path):
    root = _project(tmp_path)
    findings = cli("check", root, "--format", "json").json()["findings"]
    gl306 = next(f for f in findings if f["rule"] == "GL306")
    assert gl306["autofix"]["applicability"] == "safe"
    (edit,) = gl306["autofix"]["edits"]
    assert edit["path"] == "k8s/deployment.yaml"
    assert (edit["line"], edit["column"]) == (30, 1) == (edit["end_line"], edit["end_column"])
    assert edit["content"] == "            limits:\n              nvidia.com/gpu: 1\n"
    assert all(f["autofix"] is None for f in findings if f["rule"] not in ("GL102", "GL306", "GL304", "GL307"))


def _apply_sarif(text: str, replacements: list[dict]) -> str:
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    def where(r: dict) -> tuple:
        region = r["deletedRegion"]
        return region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]

    for replacement in sorted(replacements, key=where, reverse=True):  # a replacement before an insertion at its start
        region = replacement["deletedRegion"]
        start = offset(region["startLine"], region["startColumn"])
        end = offset(region["endLine"], region["endColumn"])
        text = text[:start] + replacement.get("insertedContent", {}).get("text", "") + text[end:]
    return text


def test_sarif_fixes_validate_and_reproduce_the_fix(cli, tmp_path: Path):
    root = _project(tmp_path)
    document = cli("check", ".", "--format", "sarif", cwd=root).json()
    _validate_sarif(document)
    results = document["runs"][0]["results"]
    with_fixes = [r for r in results if "fixes" in r]
    assert {r["ruleId"] for r in with_fixes} >= {"GL102", "GL306"}
    by_rule = {r["ruleId"]: r for r in with_fixes}
    for rule, path in (("GL306", "k8s/deployment.yaml"), ("GL102", "Dockerfile")):
        (fix,) = by_rule[rule]["fixes"]
        (change,) = fix["artifactChanges"]
        assert change["artifactLocation"] == {"uri": path, "uriBaseId": "%SRCROOT%"}
        assert fix["properties"]["applicability"] in ("safe", "unsafe") and fix["description"]["text"]
        fixed = _apply_sarif((root / path).read_text(), change["replacements"])
        solo = tmp_path / f"solo-{rule}"
        shutil.copytree(root, solo)
        cli("check", solo, "--fix", "--unsafe-fixes", "--select", rule)
        assert fixed == (solo / path).read_text()


def test_sarif_fixes_of_an_answers_file_point_into_its_strings(cli):
    document = cli("check", "fixtures/GL304/fail/answers-json", "--format", "sarif").json()
    _validate_sarif(document)
    fixes = [fix for r in document["runs"][0]["results"] for fix in r.get("fixes", [])]
    assert fixes
    for fix in fixes:
        for change in fix["artifactChanges"]:
            assert change["artifactLocation"]["uri"].endswith("answers.json")
            for replacement in change["replacements"]:
                assert replacement["deletedRegion"]["startLine"] == 4  # the deployment_yaml string's line
                assert "\n" not in replacement["insertedContent"]["text"]  # escaped as \\n in the JSON string


def test_rules_show_which_rules_fix(cli):
    rules = {r["id"]: r for r in cli("rules", "--format", "json").json()}
    assert rules["GL306"]["fix_availability"] == "sometimes"
    assert set(rules["GL306"]["fix_applicability"]) == {"safe", "unsafe"}
    assert rules["GL308"]["fix_availability"] == "always"
    assert rules["GL101"]["fix_availability"] == "never" and rules["GL101"]["fix_applicability"] == []
    text = cli("rules").stdout
    line = next(line for line in text.splitlines() if line.strip().startswith("GL102"))
    assert " ~! " in line
    assert "fix: * always" in text
    assert "automatic fix: sometimes (unsafe)" in cli("explain", "GL102").stdout


@pytest.mark.parametrize("base, creates, user", [
    ("alpine:3.20", "RUN adduser -D -u 10001 app", "USER 10001"),
    ("ubuntu:24.04", "RUN useradd --uid 10001", "USER 10001"),
    ("gcr.io/distroless/python3-debian12", None, "USER 10001:10001"),
])
def test_the_non_root_fix_reads_the_base_through_its_build_argument(cli, tmp_path: Path, base, creates, user):
    """`FROM ${BASE}` is the image its ARG default names: the user is made with that image's tool
    (BusyBox adduser, useradd) or, on an image without a shell, only named."""
    (tmp_path / "Dockerfile").write_text(f"ARG BASE={base}\nFROM ${{BASE}}\nCOPY app.py /app.py\n"
                                         "CMD [\"python3\", \"/app.py\"]\n")
    diff = cli("check", tmp_path, "--isolated", "--select", "GL102", "--diff", "--unsafe-fixes").stdout
    added = [line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert added[-1] == user, diff
    if creates is None:
        assert not any(line.startswith("RUN") for line in added), diff
    else:
        assert any(line.startswith(creates) for line in added), diff
