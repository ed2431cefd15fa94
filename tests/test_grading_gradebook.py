"""Gradebook semantics: visibility in every student-facing format, hidden findings, provenance and
byte-identical regrades, `--compare`, and a status for each submission that could not be graded."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO
from gradebook_class import make_class
from html_tree import parse

from gpulint.grading import load_rubric, parse_rubric
from gpulint.grading.provenance import rubric_hash
from gpulint.grading.submission import SubmissionError, load_submission

REF = REPO / "reference"

VISIBILITY_RUBRIC = """
title: Visibility
name: visibility
criteria:
  - id: docker
    title: Dockerfile rules
    points: 10
    rules: [GL1]
    feedback: {pass: fine, fail: fix the Dockerfile}
  - id: secret-gpu
    title: GPU limits
    points: 5
    rules: [gpu-limit]
    visibility: hidden
    feedback: {pass: ok, fail: no GPU limit}
  - id: deployment.rolling
    title: Rolling
    points: 5
    visibility: after_due_date
    feedback: {pass: ok, fail: fix the rolling update}
  - id: rollback.commands
    title: Rollback
    points: 5
    visibility: after_published
    feedback: {pass: ok, fail: fix the rollback commands}
"""
SHOWN = {"visible": ["docker"], "after_due_date": ["docker", "deployment.rolling"],
         "after_published": ["docker", "deployment.rolling", "rollback.commands"]}
ALL = ["docker", "secret-gpu", "deployment.rolling", "rollback.commands"]


def defective_repo(target: Path) -> Path:
    """The reference with `USER root` (fails GL102) and a zero GPU limit (fails GL306)."""
    shutil.copytree(REF, target)
    dockerfile = target / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("USER 10001:10001", "USER root"))
    deployment = target / "k8s/deployment.yaml"
    deployment.write_text(deployment.read_text().replace('nvidia.com/gpu: "1"', 'nvidia.com/gpu: "0"'))
    return target


def criteria_in_text(text: str) -> list[str]:
    return [cid for cid in ALL if f"] {cid}:" in text]


def criteria_in_markdown(text: str) -> list[str]:
    return [cid for cid in ALL if f"(`{cid}`)" in text]


@pytest.fixture
def vis(tmp_path):
    rubric = tmp_path / "visibility.yaml"
    rubric.write_text(VISIBILITY_RUBRIC)
    return rubric, defective_repo(tmp_path / "repo")


@pytest.mark.parametrize("release", ["visible", "after_due_date", "after_published"])
def test_visibility_in_text_and_markdown(vis, cli, release):
    rubric, repo = vis
    text = cli("grade", repo, "--rubric", rubric, "--release", release).stdout
    assert criteria_in_text(text) == SHOWN[release]
    withheld = 4 - len(SHOWN[release])
    assert f"{withheld} more criteri" in text and "Score: " not in text  # no total while criteria are withheld
    markdown = cli("grade", repo, "--rubric", rubric, "--release", release, "--format", "markdown").stdout
    assert criteria_in_markdown(markdown) == SHOWN[release]
    assert "secret-gpu" not in text + markdown and "no GPU limit" not in text + markdown
    instructor = cli("grade", repo, "--rubric", rubric, "--release", release, "--show-hidden").stdout
    assert criteria_in_text(instructor) == ALL and "Score: 10 / 25" in instructor


def test_visibility_in_gradescope_and_json(vis, cli):
    rubric, repo = vis
    data = cli("grade", repo, "--rubric", rubric, "--format", "gradescope").json()
    assert [t["visibility"] for t in data["tests"]] == ["visible", "hidden", "after_due_date", "after_published"]
    assert data["visibility"] == "visible" and data["stdout_visibility"] == "hidden"
    assert data["score"] == 10.0 and "execution_time" not in data
    assert data["extra_data"]["rubric_hash"] == rubric_hash(load_rubric(rubric))
    timed = cli("grade", repo, "--rubric", rubric, "--format", "gradescope", "--execution-time").json()
    assert isinstance(timed["execution_time"], int)
    graded = cli("grade", repo, "--rubric", rubric, "--format", "json").json()  # for instructors: everything
    assert [c["id"] for c in graded["criteria"]] == ALL
    assert [c["visibility"] for c in graded["criteria"]] == ["visible", "hidden", "after_due_date", "after_published"]


def test_rubric_default_visibility(tmp_path, cli):
    body = VISIBILITY_RUBRIC.replace("name: visibility\n", "name: visibility\nvisibility: after_due_date\n")
    body = body.replace("    visibility: hidden\n", "")  # secret-gpu now takes the rubric's default
    rubric = parse_rubric(body)
    assert [c.visibility for c in rubric.criteria] == ["after_due_date", "after_due_date", "after_due_date",
                                                      "after_published"]
    path = tmp_path / "r.yaml"
    path.write_text(body)
    data = cli("grade", "reference", "--rubric", path, "--format", "gradescope").json()
    assert data["visibility"] == "after_due_date"
    assert [t["visibility"] for t in data["tests"]] == ["after_due_date"] * 3 + ["after_published"]
    path.write_text(body.replace("visibility: after_due_date\n", "visibility: later\n", 1))
    result = cli("grade", "reference", "--rubric", path)
    assert result.returncode == 2 and "is not one of" in result.stderr


def test_visibility_in_the_html_sections(vis, tmp_path, cli):
    rubric, repo = vis
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.move(repo, folder / "alice")
    for release in ("visible", "after_due_date"):
        out = tmp_path / f"{release}.html"
        assert cli("grade", folder, "--batch", "--rubric", rubric, "--format", "html", "-o", out,
                   "--release", release).returncode == 0
        doc = parse(out.read_text())
        section = doc.find("section", id="student-0")
        codes = [c.text() for c in section.find_all("code")]
        assert codes == SHOWN[release]
        assert "Score on the criteria shown: " in section.text()
        # The instructor's charts still show every criterion, hidden ones marked.
        bars = doc.find("figure", id="pass-rates").find_all("rect", cls="bar")
        assert [b.attrs["data-criterion"] for b in bars] == ALL
        assert "secret-gpu (hidden)" in doc.find("figure", id="pass-rates").text()


@pytest.mark.parametrize("how", ["flag", "rubric"])
def test_hide_findings(vis, tmp_path, cli, how):
    rubric, repo = vis
    args = ["--hide-findings"] if how == "flag" else []
    if how == "rubric":
        rubric.write_text(VISIBILITY_RUBRIC.replace("name: visibility\n", "name: visibility\nhide_findings: true\n"))
    for fmt in ("text", "markdown"):
        out = cli("grade", repo, "--rubric", rubric, "--format", fmt, *args).stdout
        assert "fix the Dockerfile" in out and "the details are not shown" in out
        assert "USER root" not in out and "line " not in out
    results = tmp_path / "results.json"
    proc = cli("grade", repo, "--rubric", rubric, "--format", "gradescope", "-o", results, *args)
    tests = json.loads(results.read_text())["tests"]
    assert "USER root" not in tests[0]["output"] and "1 problem" in tests[0]["output"]
    # Gradescope shows the autograder's standard output to the staff only: the full report goes there.
    assert "`USER root`" in proc.stdout and "secret-gpu" in proc.stdout
    data = cli("grade", repo, "--rubric", rubric, "--format", "json", *args).json()  # instructors see everything
    assert data["criteria"][0]["findings"][0]["rule"] == "GL102" and "USER root" in data["criteria"][0]["feedback"]
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copytree(repo, folder / "alice")
    report = tmp_path / "report.html"
    cli("grade", folder, "--batch", "--rubric", rubric, "--format", "html", "-o", report, *args)
    doc = parse(report.read_text())
    assert "USER root" not in doc.find("section", id="student-0").text()
    assert doc.find("table", id="findings-table").find("a").text() == "GL102"  # the class view keeps them


def test_rubric_hash_is_canonical(tmp_path):
    base = parse_rubric(VISIBILITY_RUBRIC)
    reordered = parse_rubric("# a comment\n" + VISIBILITY_RUBRIC.replace("title: Visibility\nname: visibility",
                                                                         "name: visibility\ntitle: 'Visibility'")
                             .replace("    points: 10\n", "    points: 10.0\n    visibility: visible\n"))
    assert rubric_hash(base) == rubric_hash(reordered)
    assert rubric_hash(base) != rubric_hash(parse_rubric(VISIBILITY_RUBRIC.replace("points: 10", "points: 11")))
    assert rubric_hash(base) != rubric_hash(parse_rubric(VISIBILITY_RUBRIC.replace("fix the Dockerfile", "fix it")))
    assert rubric_hash(base) != rubric_hash(base.only(["docker"]))
    assert rubric_hash(load_rubric("lab")) == rubric_hash(load_rubric(REPO / "rules/lab.yaml"))


def test_regrade_is_byte_identical(tmp_path, cli):
    folder = tmp_path / "class"
    make_class(folder, 12, seed=3)
    runs = []
    for index, (seed, jobs) in enumerate([("1", "1"), ("2", "2")]):
        out = tmp_path / f"run{index}"
        env = {"PYTHONHASHSEED": seed}
        assert cli("grade", folder, "--batch", "--format", "json", "-o", out, "-j", jobs, env=env).returncode == 0
        assert cli("grade", folder, "--batch", "--format", "html", "-o", out / "report.html", "-j", jobs,
                   env=env).returncode == 0
        runs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert runs[0] == runs[1] and len(runs[0]) == 12 + 2
    graded = json.loads(runs[0][Path("feedback/student-000.json")])
    assert graded["rubric_hash"] == rubric_hash(load_rubric("lab")) and graded["status"] == "graded"
    assert json.loads(runs[0][Path("feedback/zz-empty.json")])["status"] == "ungraded: empty"


def gradebook(path: Path) -> dict[str, dict]:
    return {r["submission"]: r for r in csv.DictReader(path.open(encoding="utf-8"))}


def test_compare_lists_who_changed_and_why(tmp_path, cli):
    folder = tmp_path / "class"
    make_class(folder, 10, seed=5)
    changed, emptied, removed = "perfect-a", "perfect-b", "perfect-c"
    for name in (changed, emptied, removed):
        shutil.copytree(REF, folder / name)
    old = tmp_path / "old"
    assert cli("grade", folder, "--batch", "-o", old).returncode == 0
    (folder / changed / "Dockerfile").write_text((REF / "Dockerfile").read_text().replace("USER 10001:10001",
                                                                                          "USER root"))
    shutil.rmtree(folder / emptied)
    (folder / emptied).mkdir()
    shutil.rmtree(folder / removed)
    shutil.copytree(REF, folder / "newcomer")
    result = cli("grade", folder, "--batch", "-o", tmp_path / "new", "--compare", old / "gradebook.csv")
    assert result.returncode == 0, result.stderr
    report = result.stdout[result.stdout.index("compared with"):]
    lines = report.splitlines()
    assert lines[0].endswith("2 changed, 1 new, 1 no longer present, 10 unchanged")
    at = lines.index(f"  {changed}: 85 → 78 (the submission changed)")
    assert lines[at + 1] == "    dockerfile.nonroot: 7 → 0, now fails: GL102 dockerfile-nonroot"
    at = lines.index(f"  {emptied}: 85 → ungraded: empty")
    assert not lines[at + 1].startswith("    ")  # not graded: no criterion-by-criterion noise
    assert "  newcomer: new submission, 85" in lines
    assert f"  {removed}: no longer in the batch (was 85)" in lines
    # The same comparison in the HTML gradebook.
    html = tmp_path / "report.html"
    cli("grade", folder, "--batch", "--format", "html", "-o", html, "--compare", old / "gradebook.csv")
    changes = parse(html.read_text()).find("section", id="changes")
    assert len(changes.find_all("li")) == 4 and "perfect-a: 85 → 78" in changes.text()


def test_compare_names_a_rubric_change(tmp_path, cli):
    folder = tmp_path / "class"
    folder.mkdir()
    defective_repo(folder / "alice")
    shutil.copytree(REF, folder / "bob")
    old = tmp_path / "old"
    cli("grade", folder, "--batch", "-o", old)
    lab = (REPO / "rules/lab.yaml").read_text()
    stricter = tmp_path / "lab.yaml"
    stricter.write_text(lab.replace("    points: 7\n    rules: [GL102]", "    points: 10\n    rules: [GL102]"))
    result = cli("grade", folder, "--batch", "-o", tmp_path / "new", "--rubric", stricter, "--compare",
                 old / "gradebook.csv")
    assert "  bob: 85 → 88 (same submission; the rubric changed)" in result.stdout
    assert "    dockerfile.nonroot: 7 → 10, passes now" in result.stdout
    # An old gradebook without the provenance columns still compares by points.
    rows = list(csv.reader((old / "gradebook.csv").open()))
    legacy = tmp_path / "legacy.csv"
    keep = rows[0].index("error") + 1  # the columns of a gradebook written before the provenance ones
    with legacy.open("w", newline="") as handle:
        csv.writer(handle).writerows(row[:keep] for row in rows)
    result = cli("grade", folder, "--batch", "-o", tmp_path / "again", "--rubric", stricter, "--compare", legacy)
    assert "  bob: 85 → 88 (the old gradebook does not record the submission's hash)" in result.stdout


def test_compare_rejects_what_is_not_a_gradebook(tmp_path, cli):
    bogus = tmp_path / "old.csv"
    bogus.write_text("name,score\nalice,3\n")
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copytree(REF, folder / "alice")
    result = cli("grade", folder, "--batch", "-o", tmp_path / "out", "--compare", bogus)
    assert result.returncode == 2 and "not a gpulint gradebook" in result.stderr
    assert not (tmp_path / "out").exists()  # refused before grading anything
    assert cli("grade", "reference", "--compare", bogus).returncode == 2  # only with --batch


def test_time_limit_marks_submissions_ungraded(tmp_path, cli):
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("alice", "bob"):
        shutil.copytree(REF, folder / name)
    result = cli("grade", folder, "--batch", "-o", tmp_path / "out", "--timeout", "0.001")
    assert result.returncode == 0 and "0 graded; 2 could not be graded" in result.stdout
    rows = gradebook(tmp_path / "out/gradebook.csv")
    assert {r["status"] for r in rows.values()} == {"ungraded: timed out"}
    assert "0.001 s time limit" in rows["alice"]["error"]
    single = cli("grade", folder / "alice", "--timeout", "0.001")
    assert single.returncode == 2 and "time limit" in single.stderr
    results = tmp_path / "results.json"
    cli("grade", folder / "alice", "--timeout", "0.001", "--format", "gradescope", "-o", results)
    data = json.loads(results.read_text())
    assert data["extra_data"]["status"] == "ungraded: timed out" and "could not be graded" in data["output"]
    assert cli("grade", folder / "alice", "--timeout", "0").returncode == 0  # 0: no limit


@pytest.mark.parametrize("make, reason", [
    (lambda p: p.mkdir(), "empty"),
    (lambda p: (p.mkdir(), (p / ".hidden").mkdir()), "empty"),
    (lambda p: (p.mkdir(), (p / "README.md").write_text("hi\n")), "unrecognised"),
    (lambda p: p.with_suffix(".yaml").write_text("  \n\n"), "empty"),
    (lambda p: p.with_suffix(".yaml").write_text("title: my notes\n"), "unrecognised"),
    (lambda p: p.with_suffix(".yaml").write_bytes(b"dockerfile: \xff\xfe\n"), "unreadable"),
    (lambda p: p.with_suffix(".json").write_text('{"dockerfile": "FROM x", "workflow_yaml": '), "unreadable"),
    (lambda p: p.with_suffix(".ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, '
                                                  '"nbformat_minor": 5}'), "empty"),
], ids=["empty-folder", "only-empty-folders", "readme-only", "blank-file", "other-yaml", "bad-utf8",
        "broken-json", "empty-notebook"])
def test_ungraded_reasons(tmp_path, make, reason):
    target = tmp_path / "sub"
    make(target)
    (path,) = [p for p in tmp_path.iterdir()]
    with pytest.raises(SubmissionError) as failure:
        load_submission(path, load_rubric("lab"))
    assert failure.value.reason == reason, str(failure.value)
