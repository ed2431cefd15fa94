"""The adversarial suite: submissions crafted to pass without doing the work, and honest ones
written unusually. Each case under tests/adversarial/<case>/ holds one submission (a folder, an
answers file or a notebook) and expected.yaml: what a careful human grader decides for each
criterion (`fail`, or `any` where reasonable graders differ); every criterion not listed must pass,
and the live criteria are skipped unless listed. `xfail: <reason>` marks a case of push-gate scenarios
the grader does not derive yet: it must fail (a strict xfail), so a fix shows up as an unexpected pass."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gpulint.grading import grade_path, load_rubric

HERE = Path(__file__).resolve().parent / "adversarial"
CASES = sorted(p for p in HERE.iterdir() if (p / "expected.yaml").is_file())
STATUS = {"pass": "passed", "fail": "failed", "skip": "skipped"}


def test_suite_is_large_enough():
    assert len(CASES) >= 130
    honest = [c for c in CASES if not yaml.safe_load((c / "expected.yaml").read_text())["expect"]]
    crafted = [c for c in CASES if c not in honest]
    assert len(honest) >= 40 and len(crafted) >= 80


def _meta(case: Path) -> dict:
    return yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))


def _params(cases: list[Path]) -> list:
    """Each case, a strict xfail where expected.yaml says `xfail: <reason>`."""
    out = []
    for case in cases:
        reason = _meta(case).get("xfail")
        marks = [pytest.mark.xfail(reason=str(reason), strict=True)] if reason else []
        out.append(pytest.param(case, id=case.name, marks=marks))
    return out


def test_xfail_only_for_push_gates():
    for case in CASES:
        meta = _meta(case)
        if meta.get("xfail"):
            assert set(meta["expect"]) <= {"workflow.push-gated"} or not meta["expect"], case.name
            assert isinstance(meta["xfail"], str) and meta["xfail"].strip(), case.name


@pytest.mark.parametrize("case", _params(CASES))
def test_adversarial_case(case: Path):
    meta = _meta(case)
    rubric = load_rubric("lab")
    graded = grade_path(case / meta["submission"], rubric)
    expected = {c.id: ("skipped" if c.live else "passed") for c in rubric.criteria}
    for criterion, verdict in (meta.get("expect") or {}).items():
        assert criterion in expected, f"unknown criterion {criterion} in {case.name}/expected.yaml"
        expected[criterion] = None if verdict == "any" else STATUS[verdict]
    actual = {r.criterion.id: r.status for r in graded.criteria}
    wrong = {k: (actual[k], v) for k, v in expected.items() if v is not None and actual[k] != v}
    details = {r.criterion.id: r.feedback for r in graded.criteria if r.criterion.id in wrong}
    assert not wrong, f"{meta['description']}: (got, expected) {wrong}\n{details}"
    for result in graded.criteria:  # a failure always explains itself
        if result.status == "failed":
            assert "What gpulint found:" in result.feedback and "- " in result.feedback


def _lab_check_params() -> list:
    """Every case that `gpulint check --profile lab` reads as `grade` does: not those whose submission
    carries its own configuration (check honours it; grading ignores it)."""
    out = []
    for case in CASES:
        meta = _meta(case)
        submission = case / meta["submission"]
        if submission.is_dir() and any(submission.glob(".gpulint.y*ml")):
            continue
        marks = [pytest.mark.xfail(reason=str(meta["xfail"]), strict=True)] if meta.get("xfail") else []
        out.append(pytest.param(case, id=case.name, marks=marks))
    return out


@pytest.mark.parametrize("case", _lab_check_params())
def test_lab_profile_check_agrees(case: Path, capsys):
    """`gpulint check --profile lab` on the same submission: a failed criterion has an error finding of
    the criterion (its id, or one of its rules), a passing one has none. Suppressed findings count, as
    the lab rubric ignores suppressions."""
    import json

    from gpulint.cli import main

    meta = _meta(case)
    rubric = load_rubric("lab")
    code = main(["check", str(case / meta["submission"]), "--profile", "lab", "--format", "json",
                 "--require", ",".join(rubric.require)])
    output = capsys.readouterr().out
    assert code in (0, 1), f"{case.name}: check exited {code}"
    errors = [f for f in json.loads(output)["findings"] if f["severity"] == "error"]
    expected = {c.id: ("skipped" if c.live else "passed") for c in rubric.criteria}
    for criterion, verdict in (meta.get("expect") or {}).items():
        expected[criterion] = None if verdict == "any" else STATUS[verdict]
    wrong = {}
    for criterion in rubric.criteria:
        want = expected[criterion.id]
        if want is None:
            continue
        about = [f for f in errors if f["criterion"] == criterion.id or criterion.selects(f["rule"], f["name"])]
        if (want == "failed") != bool(about):
            wrong[criterion.id] = (want, [f"{f['rule']} {f['path']}:{f['line']} {f['message'][:80]}" for f in about])
    assert not wrong, f"{meta['description']}: {wrong}"
    assert code == (1 if any(not f["suppressed"] for f in errors) else 0)
