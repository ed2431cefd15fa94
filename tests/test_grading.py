"""`gpulint grade`: submission forms, output formats, rubrics, hidden and live criteria, batch, determinism."""

from __future__ import annotations

import csv
import json
import os
import shutil
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REPO

import gpulint
from gpulint.grading import RubricError, grade_path, load_rubric, parse_rubric

STATIC = ["dockerfile.multistage", "dockerfile.nonroot", "dockerfile.gpu-healthcheck", "workflow.build-test",
          "workflow.gpu-runner", "workflow.push-gated", "deployment.shape", "deployment.probes", "deployment.gpu",
          "deployment.rolling", "rollback.commands", "promotion.flow"]
LIVE = ["smoketest.healthy", "smoketest.negative"]
FINDING_FIELDS = {"rule", "name", "severity", "criterion", "path", "line", "column", "end_line", "end_column",
                  "message", "fix", "suppressed", "confidence", "related", "autofix"}
CRITERION_FIELDS = {"id", "title", "passed", "status", "points", "max_points", "feedback", "findings", "visibility"}
GRADE_FIELDS = ["score", "max_score", "rubric", "criteria", "status", "error", "gpulint_version", "rubric_hash",
                "submission_hash"]
REF = REPO / "reference"
DOCKERFILE = (REF / "Dockerfile").read_text()
USER_LINE = DOCKERFILE.split("\n").index("USER 10001:10001") + 1


def copy_reference(target: Path) -> Path:
    shutil.copytree(REF, target)
    return target


def answers_text(dockerfile: str = DOCKERFILE) -> str:
    def block(key: str, text: str) -> str:
        return f"{key}: |\n" + "".join(("  " + line if line.strip() else "") + "\n" for line in text.rstrip("\n").split("\n"))

    return (block("dockerfile", dockerfile) + block("workflow_yaml", (REF / ".github/workflows/gpu-ci.yml").read_text())
            + block("deployment_yaml", (REF / "k8s/deployment.yaml").read_text())
            + block("smoke_test_py", (REF / "smoke_test.py").read_text()) + (REF / "rollout.yaml").read_text())


def notebook(path: Path, dockerfile: str = DOCKERFILE, tagged: bool = False) -> Path:
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_markdown_cell("# GPU container lab")]
    files = {"Dockerfile": dockerfile, "smoke_test.py": (REF / "smoke_test.py").read_text(),
             ".github/workflows/gpu-ci.yml": (REF / ".github/workflows/gpu-ci.yml").read_text(),
             "k8s/deployment.yaml": (REF / "k8s/deployment.yaml").read_text(),
             "rollout.yaml": (REF / "rollout.yaml").read_text()}
    tags = {"Dockerfile": "dockerfile", "smoke_test.py": "smoke_test", ".github/workflows/gpu-ci.yml": "workflow",
            "k8s/deployment.yaml": "deployment", "rollout.yaml": "rollout"}
    for name, text in files.items():
        if tagged:
            cell = nbformat.v4.new_raw_cell(text)
            cell.metadata["tags"] = [tags[name]]
        else:
            cell = nbformat.v4.new_code_cell(f"%%writefile {name}\n{text}")
        cells.append(cell)
    nb.cells = cells
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def statuses(data: dict) -> dict[str, str]:
    return {c["id"]: c["status"] for c in data["criteria"]}


# ------------------------------------------------------------------------ submission forms


def test_repository_reference_passes_every_static_criterion(cli):
    result = cli("grade", "reference", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = result.json()
    assert statuses(data) == {**{c: "passed" for c in STATIC}, **{c: "skipped" for c in LIVE}}
    assert data["score"] == 85.0 and data["max_score"] == 100.0 and data["rubric"] == "lab"


def test_repository_missing_file_fails_its_criteria(tmp_path, cli):
    repo = copy_reference(tmp_path / "repo")
    shutil.rmtree(repo / ".github")
    data = cli("grade", repo, "--format", "json").json()
    failed = {c for c, s in statuses(data).items() if s == "failed"}
    assert failed == {"workflow.build-test", "workflow.gpu-runner", "workflow.push-gated"}
    (criterion,) = [c for c in data["criteria"] if c["id"] == "workflow.gpu-runner"]
    assert "workflow" in criterion["feedback"] and criterion["findings"][0]["rule"] == "GL004"


def test_submission_config_cannot_switch_rules_off(tmp_path, cli):
    repo = copy_reference(tmp_path / "repo")
    (repo / ".gpulint.yaml").write_text("ignore: [GL1]\n")
    (repo / "Dockerfile").write_text(DOCKERFILE.replace("USER 10001:10001", "USER root"))
    data = cli("grade", repo, "--format", "json").json()
    assert statuses(data)["dockerfile.nonroot"] == "failed"


def test_answers_yaml_and_feedback_quotes_the_line(tmp_path, cli):
    path = tmp_path / "answers.yaml"
    path.write_text(answers_text(DOCKERFILE.replace("USER 10001:10001", "USER root")))
    result = cli("grade", path, "--format", "json")
    assert result.returncode == 0
    data = result.json()
    assert [c for c, s in statuses(data).items() if s == "failed"] == ["dockerfile.nonroot"]
    (crit,) = [c for c in data["criteria"] if c["id"] == "dockerfile.nonroot"]
    (finding,) = crit["findings"]
    assert finding["path"] == "answers.yaml" and finding["line"] == USER_LINE + 1  # after "dockerfile: |"
    assert f"answers.yaml, line {USER_LINE + 1}: `USER root`" in crit["feedback"]
    assert "Expected:" in crit["feedback"] and "How to fix:" in crit["feedback"]
    assert set(finding) == FINDING_FIELDS


def test_answers_json(tmp_path, cli):
    rollout = yaml.safe_load((REF / "rollout.yaml").read_text())
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"dockerfile": DOCKERFILE, "workflow_yaml": (REF / ".github/workflows/gpu-ci.yml").read_text(),
                                "deployment_yaml": (REF / "k8s/deployment.yaml").read_text(),
                                "smoke_test_py": (REF / "smoke_test.py").read_text(), **rollout}))
    data = cli("grade", path, "--format", "json").json()
    assert {s for c, s in statuses(data).items() if c in STATIC} == {"passed"}


def test_answers_file_with_only_some_fields_fails_the_rest(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump({"dockerfile": DOCKERFILE, "smoke_test_py": (REF / "smoke_test.py").read_text()}))
    graded = grade_path(path, load_rubric("lab"))
    failed = {r.criterion.id for r in graded.criteria if r.status == "failed"}
    assert failed == set(STATIC) - {"dockerfile.multistage", "dockerfile.nonroot", "dockerfile.gpu-healthcheck"}


@pytest.mark.parametrize("tagged", [False, True], ids=["writefile", "tags"])
def test_notebook_findings_point_at_cell_and_line(tmp_path, cli, tagged):
    path = notebook(tmp_path / "lab.ipynb", DOCKERFILE.replace("USER 10001:10001", "USER root"), tagged=tagged)
    result = cli("grade", path, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = result.json()
    assert [c for c, s in statuses(data).items() if s == "failed"] == ["dockerfile.nonroot"]
    (crit,) = [c for c in data["criteria"] if c["id"] == "dockerfile.nonroot"]
    (finding,) = crit["findings"]
    line = USER_LINE + (0 if tagged else 1)  # the %%writefile line is line 1 of its cell
    assert (finding["path"], finding["cell"], finding["line"]) == ("lab.ipynb", 2, line)
    assert set(finding) == FINDING_FIELDS | {"cell"}
    assert f"lab.ipynb, cell 2, line {line}: `USER root`" in crit["feedback"]


def test_notebook_without_artifacts_or_broken_is_unreadable(tmp_path, cli):
    nbformat = pytest.importorskip("nbformat")
    empty = tmp_path / "empty.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('hello')")]
    empty.write_text(nbformat.writes(nb))
    result = cli("grade", empty)
    assert result.returncode == 2 and "%%writefile" in result.stderr
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ this is not json")
    result = cli("grade", broken)
    assert result.returncode == 2 and "not a readable Jupyter notebook" in result.stderr


def test_unreadable_submissions_exit_2(tmp_path, cli):
    assert cli("grade", tmp_path / "nope").returncode == 2
    binary = tmp_path / "answers.yaml"
    binary.write_bytes(b"\x00\x01\x02binary\x00")
    result = cli("grade", binary)
    assert result.returncode == 2 and "answers.yaml" in result.stderr
    garbage = tmp_path / "answers.json"
    garbage.write_text('{"dockerfile": "FROM x", "workflow_yaml": ')
    result = cli("grade", garbage)
    assert result.returncode == 2 and "nothing could be read" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("grade", empty).returncode == 2
    assert cli("grade", "reference", "--rubric", "nosuch").returncode == 2


# ------------------------------------------------------------------------ output formats


def test_json_contract_is_exact(cli):
    data = cli("grade", "fixtures/GL401/fail/answers_file/answers.yaml", "--format", "json").json()
    assert list(data) == GRADE_FIELDS
    assert isinstance(data["score"], float) and isinstance(data["max_score"], float)
    assert isinstance(data["rubric"], str)
    assert data["status"] == "graded" and data["error"] is None
    assert data["gpulint_version"] == gpulint.__version__
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", data["rubric_hash"])
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", data["submission_hash"])
    assert [c["id"] for c in data["criteria"]] == STATIC + LIVE
    for crit in data["criteria"]:
        assert set(crit) == CRITERION_FIELDS
        assert isinstance(crit["title"], str) and isinstance(crit["feedback"], str) and crit["feedback"]
        assert isinstance(crit["passed"], bool) and crit["passed"] == (crit["status"] == "passed")
        assert crit["status"] in ("passed", "failed", "skipped")
        assert crit["visibility"] == "visible"
        assert isinstance(crit["points"], float) and isinstance(crit["max_points"], float)
        assert crit["points"] == (crit["max_points"] if crit["passed"] else 0.0)
        for finding in crit["findings"]:
            assert set(finding) == FINDING_FIELDS
    assert data["score"] == sum(c["points"] for c in data["criteria"])
    assert statuses(data)["rollback.commands"] == "failed"


def test_live_criteria_skipped_and_text_says_so(cli):
    result = cli("grade", "reference")
    assert result.returncode == 0
    assert "Score: 85 / 100" in result.stdout
    assert "2 live criteria (15 points) not graded" in result.stdout
    assert "[SKIP] smoketest.healthy" in result.stdout and "[PASS] dockerfile.multistage" in result.stdout


def test_live_results_are_used_when_given(tmp_path, cli):
    live = tmp_path / "live.json"
    live.write_text(json.dumps({"smoketest.healthy": True, "smoketest.negative": {"passed": False, "output": "exit 0"}}))
    data = cli("grade", "reference", "--format", "json", "--live-results", live).json()
    assert statuses(data)["smoketest.healthy"] == "passed" and statuses(data)["smoketest.negative"] == "failed"
    assert data["score"] == 93.0
    (neg,) = [c for c in data["criteria"] if c["id"] == "smoketest.negative"]
    assert "exit 0" in neg["feedback"]


def test_markdown_format(cli):
    result = cli("grade", "fixtures/GL401/fail/answers_file/answers.yaml", "--format", "markdown")
    assert result.returncode == 0
    assert result.stdout.startswith("# Feedback: answers.yaml")
    assert "| ❌ | Rollback commands (`rollback.commands`) | 0 / 7 |" in result.stdout
    assert "## ❌ Rollback commands" in result.stdout


GRADESCOPE_TOP = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
                  "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
GRADESCOPE_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
                   "tags", "visibility", "extra_data"}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
OUTPUT_FORMATS = {"text", "html", "simple_format", "md", "ansi"}


def check_gradescope(data: dict) -> None:
    """results.json checked field by field against Gradescope's autograder specification."""
    assert set(data) <= GRADESCOPE_TOP
    assert isinstance(data["score"], float)
    if "execution_time" in data:  # optional: only with --execution-time, so that regrades are byte-identical
        assert isinstance(data["execution_time"], int) and data["execution_time"] >= 0
    assert isinstance(data["output"], str)
    assert data["output_format"] in OUTPUT_FORMATS
    assert data["visibility"] in VISIBILITY and data["stdout_visibility"] in VISIBILITY
    assert isinstance(data["tests"], list)
    for test in data["tests"]:
        assert set(test) <= GRADESCOPE_TEST
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["number"], str)
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert isinstance(test["output"], str) and test["output_format"] in OUTPUT_FORMATS
        assert isinstance(test["tags"], list) and all(isinstance(t, str) for t in test["tags"])
        assert test["visibility"] in VISIBILITY
    assert abs(sum(t["score"] for t in data["tests"]) - data["score"]) < 1e-9


def test_gradescope_format(tmp_path, cli):
    out = tmp_path / "results" / "results.json"
    result = cli("grade", "fixtures/GL401/fail/answers_file/answers.yaml", "--format", "gradescope", "--output", out)
    assert result.returncode == 0 and result.stdout == ""
    data = json.loads(out.read_text())
    check_gradescope(data)
    assert data["score"] == 78.0
    by_tag = {t["tags"][0]: t for t in data["tests"]}
    assert by_tag["rollback.commands"]["status"] == "failed" and by_tag["rollback.commands"]["score"] == 0.0
    assert by_tag["rollback.commands"]["max_score"] == 7.0
    assert "rollout history" in by_tag["rollback.commands"]["output"]
    assert by_tag["dockerfile.multistage"]["status"] == "passed" and by_tag["dockerfile.multistage"]["score"] == 7.0
    assert "needs live mode" in by_tag["smoketest.healthy"]["name"] and by_tag["smoketest.healthy"]["score"] == 0.0


def test_gradescope_unreadable_submission_still_writes_results(tmp_path, cli):
    out = tmp_path / "results.json"
    bad = tmp_path / "answers.yaml"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    result = cli("grade", bad, "--format", "gradescope", "--output", out)
    assert result.returncode == 2
    data = json.loads(out.read_text())
    check_gradescope(data)
    assert data["score"] == 0.0 and "could not be read" in data["output"]


def test_gradescope_run_autograder_script(tmp_path):
    root = tmp_path / "autograder"
    copy_reference(root / "submission")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GPULINT": f"{os.sys.executable} -m gpulint",
           "PYTHONPATH": str(REPO)}
    proc = subprocess.run(["bash", str(REPO / "examples/gradescope/run_autograder")], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((root / "results/results.json").read_text())
    check_gradescope(data)
    assert data["score"] == 85.0


# ------------------------------------------------------------------------ rubrics, hidden criteria


HIDDEN_RUBRIC = """
title: Custom
name: custom
criteria:
  - id: docker
    title: Dockerfile rules
    points: 10
    rules: [GL1]
    feedback: {pass: fine, fail: fix the Dockerfile}
  - id: secret-gpu
    title: GPU limits (hidden)
    points: 5
    rules: [gpu-limit]
    visibility: hidden
    feedback: {pass: ok, fail: no GPU limit}
  - id: deployment.rolling
    title: Rolling
    points: 5
    visibility: after_due_date
    feedback: {pass: ok, fail: fix the rolling update}
"""


def test_hidden_criteria(tmp_path, cli):
    rubric = tmp_path / "custom.yaml"
    rubric.write_text(HIDDEN_RUBRIC)
    repo = copy_reference(tmp_path / "repo")
    deployment = repo / "k8s/deployment.yaml"
    deployment.write_text(deployment.read_text().replace('nvidia.com/gpu: "1"', 'nvidia.com/gpu: "0"'))
    text = cli("grade", repo, "--rubric", rubric).stdout
    # As on Gradescope, a student who cannot see every criterion does not see the total either.
    assert "secret-gpu" not in text and "deployment.rolling" not in text
    assert "2 more criteria are graded but not shown yet" in text
    assert "Score on the criteria shown: 10 / 10" in text and "Score: 15 / 20" not in text
    after_due = cli("grade", repo, "--rubric", rubric, "--release", "after_due_date").stdout
    assert "deployment.rolling" in after_due and "secret-gpu" not in after_due
    assert "Score on the criteria shown: 15 / 15" in after_due and "1 more criterion is graded" in after_due
    shown = cli("grade", repo, "--rubric", rubric, "--show-hidden").stdout
    assert "secret-gpu" in shown and "Score: 15 / 20" in shown
    data = cli("grade", repo, "--rubric", rubric, "--format", "json").json()
    assert data["rubric"] == "custom" and statuses(data) == {"docker": "passed", "secret-gpu": "failed",
                                                             "deployment.rolling": "passed"}
    gradescope = cli("grade", repo, "--rubric", rubric, "--format", "gradescope").json()
    check_gradescope(gradescope)
    assert [t["visibility"] for t in gradescope["tests"]] == ["visible", "hidden", "after_due_date"]


@pytest.mark.parametrize("body, message", [
    ("title: x\ncriteria:\n  - {id: a, title: A, points: -1, rules: [GL1], feedback: {pass: p, fail: f}}\n",
     "less than the minimum"),
    ("title: x\ncriteria:\n  - {id: a, title: A, points: 1, rules: [GL999], feedback: {pass: p, fail: f}}\n",
     "matches no gpulint rule"),
    ("title: x\ncriteria:\n  - {id: made-up, title: A, points: 1, feedback: {pass: p, fail: f}}\n", "can never fail"),
    ("title: x\ncriteria:\n  - {id: a, title: A, points: 1, rules: [GL1], feedback: {pass: p, fail: f}, visibility: secret}\n",
     "is not one of"),
    ("title: x\ncriteria: []\n", "should be non-empty"),
    ("title: x\ncriteria:\n  - {id: a, title: A, points: 1, rules: [GL1], feedback: {pass: p}}\n", "'fail' is a required"),
])
def test_invalid_rubrics_are_rejected(tmp_path, cli, body, message):
    path = tmp_path / "bad.yaml"
    path.write_text(body)
    with pytest.raises(RubricError, match=message):
        load_rubric(path)
    result = cli("grade", "reference", "--rubric", path)
    assert result.returncode == 2 and message in result.stderr


def test_shipped_rubrics_and_schema():
    import jsonschema

    schema = json.loads((REPO / "rules/rubric.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    lab = load_rubric("lab")
    assert [c.id for c in lab.criteria] == STATIC + LIVE and lab.max_score == 100.0
    assert [c.id for c in lab.criteria if c.live] == LIVE
    production = load_rubric("production")
    assert production.max_score == 100.0 and production.honor_suppressions
    for rubric in (lab, production):
        jsonschema.validate(yaml.safe_load((REPO / f"rules/{rubric.name}.yaml").read_text()), schema)


def test_production_is_stricter_than_lab(tmp_path):
    repo = copy_reference(tmp_path / "repo")
    (repo / "Dockerfile").write_text(DOCKERFILE.replace('CMD ["python3", "/app/smoke_test.py"]\n\nCMD',
                                                        'CMD ["nvidia-smi"]\n\nCMD'))
    lab = {r.criterion.id: r.status for r in grade_path(repo, load_rubric("lab")).criteria}
    prod = {r.criterion.id: r.status for r in grade_path(repo, load_rubric("production")).criteria}
    assert lab["dockerfile.gpu-healthcheck"] == "passed"  # a warning: worth a look, costs no lab points
    assert prod["dockerfile.gpu-healthcheck"] == "failed"


def test_custom_rubric_by_prefix_and_name():
    rubric = parse_rubric("title: t\ncriteria:\n"
                          "  - {id: df, title: D, points: 2, rules: [GL10], feedback: {pass: p, fail: f}}\n"
                          "  - {id: k, title: K, points: 3, rules: [probes-missing], feedback: {pass: p, fail: f}}\n")
    assert rubric.criteria[0].selects("GL102", "dockerfile-nonroot")
    assert not rubric.criteria[0].selects("GL301", "deployment-shape")
    assert rubric.criteria[1].selects("GL304", "probes-missing")
    graded = grade_path(REPO / "fixtures/GL401/fail/answers_file/answers.yaml", rubric)
    assert graded.score == 5.0


# ------------------------------------------------------------------------ classroom


def test_classroom_command_exit_status(tmp_path, cli):
    repo = copy_reference(tmp_path / "repo")
    (repo / "Dockerfile").write_text(DOCKERFILE.replace("USER 10001:10001", "USER root"))
    passed = cli("grade", repo, "--criterion", "dockerfile.multistage", "--fail-under", "max")
    assert passed.returncode == 0 and "[PASS] dockerfile.multistage" in passed.stdout
    failed = cli("grade", repo, "--criterion", "dockerfile.nonroot", "--fail-under", "max")
    assert failed.returncode == 1 and f"Dockerfile, line {USER_LINE}: `USER root`" in failed.stdout
    assert cli("grade", repo).returncode == 0  # without --fail-under any score exits 0
    assert cli("grade", repo, "--fail-under", "90").returncode == 1
    assert cli("grade", repo, "--fail-under", "50").returncode == 0
    assert cli("grade", repo, "--criterion", "nosuch").returncode == 2


def test_classroom_examples_match_the_lab_rubric():
    lab = {c.id: c.points for c in load_rubric("lab").criteria}
    tests = json.loads((REPO / "examples/classroom/autograding.json").read_text())["tests"]
    assert {t["name"]: t["points"] for t in tests} == {c: lab[c] for c in STATIC}
    for test in tests:
        assert test["run"] == f"gpulint grade . --criterion {test['name']} --fail-under max"
    workflow = yaml.safe_load((REPO / "examples/classroom/classroom.yml.example").read_text())
    graders = [s["with"] for s in workflow["jobs"]["grade"]["steps"] if "autograding-command-grader" in s.get("uses", "")]
    assert {g["test-name"]: g["max-score"] for g in graders} == {c: lab[c] for c in STATIC}


# ------------------------------------------------------------------------ batch and determinism


def make_batch(folder: Path) -> Path:
    folder.mkdir()
    copy_reference(folder / "alice")
    (folder / "bob.yaml").write_text(answers_text(DOCKERFILE.replace("USER 10001:10001", "USER root")))
    notebook(folder / "carol.ipynb")
    (folder / "dave.json").write_text('{"dockerfile": "FROM x", "workflow_yaml": ')  # broken
    (folder / "erin").mkdir()  # empty
    (folder / "notes.txt").write_text("not a submission")
    return folder


def test_batch_with_a_broken_submission(tmp_path, cli):
    folder = make_batch(tmp_path / "subs")
    out = tmp_path / "grades"
    result = cli("grade", folder, "--batch", "--output", out, "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert "graded 5 submissions" in result.stdout
    rows = list(csv.DictReader((out / "gradebook.csv").open()))
    assert [r["submission"] for r in rows] == ["alice", "bob.yaml", "carol.ipynb", "dave.json", "erin"]
    header = list(rows[0])
    assert header == ["submission", "form", *STATIC, *LIVE, "total", "max_score", "error", "status", "failed_rules",
                      "submission_hash", "gpulint_version", "rubric_hash"]
    by_name = {r["submission"]: r for r in rows}
    assert by_name["alice"]["total"] == "85" and by_name["alice"]["error"] == "" and by_name["alice"]["form"] == "repository"
    assert by_name["bob.yaml"]["total"] == "78" and by_name["bob.yaml"]["dockerfile.nonroot"] == "0"
    assert by_name["carol.ipynb"]["total"] == "85" and by_name["carol.ipynb"]["form"] == "notebook"
    assert by_name["alice"]["smoketest.healthy"] == ""  # skipped, not graded
    for broken in ("dave.json", "erin"):
        assert by_name[broken]["total"] == "0" and by_name[broken]["error"]
        assert all(by_name[broken][c] == "0" for c in STATIC)
        assert by_name[broken]["submission_hash"] == ""
    assert by_name["dave.json"]["status"] == "ungraded: unreadable" and by_name["erin"]["status"] == "ungraded: empty"
    assert {by_name[n]["status"] for n in ("alice", "bob.yaml", "carol.ipynb")} == {"graded"}
    assert by_name["bob.yaml"]["failed_rules"] == "dockerfile.nonroot:GL102" and by_name["alice"]["failed_rules"] == ""
    assert len({r["rubric_hash"] for r in rows}) == 1 and rows[0]["gpulint_version"] == gpulint.__version__
    feedback = sorted(p.name for p in (out / "feedback").iterdir())
    assert feedback == ["alice.md", "bob.yaml.md", "carol.ipynb.md", "dave.json.md", "erin.md"]
    assert "USER root" in (out / "feedback/bob.yaml.md").read_text()
    assert "could not be read" in (out / "feedback/dave.json.md").read_text()


def test_batch_output_is_the_same_serial_and_parallel(tmp_path):
    from gpulint.grading.batch import run_batch

    folder = make_batch(tmp_path / "subs")
    rubric = load_rubric("lab")
    run_batch(folder, rubric, tmp_path / "one", jobs=1, progress=False)
    run_batch(folder, rubric, tmp_path / "two", jobs=2, progress=False)
    for name in ["gradebook.csv", *[f"feedback/{p.name}" for p in (tmp_path / "one/feedback").iterdir()]]:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_batch_usage_errors(tmp_path, cli):
    assert cli("grade", "reference/Dockerfile", "--batch").returncode == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("grade", empty, "--batch", "--output", tmp_path / "o").returncode == 2


@pytest.mark.parametrize("form", ["repository", "answers", "notebook"])
def test_json_is_byte_identical_across_runs(tmp_path, cli, form):
    if form == "repository":
        path = copy_reference(tmp_path / "repo")
        (path / "Dockerfile").write_text(DOCKERFILE.replace("USER 10001:10001", "USER root"))
    elif form == "answers":
        path = tmp_path / "answers.yaml"
        path.write_text(answers_text(DOCKERFILE.replace("USER 10001:10001", "USER root")))
    else:
        path = notebook(tmp_path / "lab.ipynb", DOCKERFILE.replace("USER 10001:10001", "USER root"))
    first = cli("grade", path.resolve(), "--format", "json", env={"PYTHONHASHSEED": "1"}).stdout
    second = cli("grade", path.resolve(), "--format", "json", cwd=tmp_path,
                 env={"PYTHONHASHSEED": "2", "PYTHONPATH": str(REPO)}).stdout
    copy = tmp_path / "elsewhere" / path.name  # another place on another machine
    copy.parent.mkdir()
    (shutil.copytree if path.is_dir() else shutil.copy)(path, copy)
    third = cli("grade", copy, "--format", "json").stdout
    assert first == second == third
    assert str(tmp_path) not in first
    assert json.loads(first)["score"] == 78.0
