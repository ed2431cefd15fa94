"""A generated class for the gradebook tests: copies of the reference solution with known defects
injected, a few submissions that cannot be graded, and a few whose names and contents are hostile
HTML. Each defect fails exactly one set of criteria, so the expected class statistics follow from
the generator alone, not from gpulint's output."""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "reference"
PAYLOAD = "<script>alert(1)</script>"


def _replace(rel: str, old: str, new: str, count: int = -1):
    def apply(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    return apply


def _both(*steps):
    def apply(root: Path) -> None:
        for step in steps:
            step(root)

    return apply


def _remove_workflows(root: Path) -> None:
    shutil.rmtree(root / ".github")


# defect -> (how to inject it, the criteria it fails)
DEFECTS = {
    "root-user": (_replace("Dockerfile", "USER 10001:10001", "USER root"), ("dockerfile.nonroot",)),
    "http-healthcheck": (_replace("Dockerfile", 'CMD ["python3", "/app/smoke_test.py"]\n\nCMD',
                                  f'CMD curl -f "http://localhost:8000/healthz?{PAYLOAD}"\n\nCMD'),
                         ("dockerfile.gpu-healthcheck",)),
    "hosted-runner": (_replace(".github/workflows/gpu-ci.yml", "runs-on: [self-hosted, gpu]",
                               "runs-on: ubuntu-latest"), ("workflow.gpu-runner",)),
    "no-workflow": (_remove_workflows, ("workflow.build-test", "workflow.gpu-runner", "workflow.push-gated")),
    "no-gpu-limit": (_replace("k8s/deployment.yaml", 'nvidia.com/gpu: "1"', 'nvidia.com/gpu: "0"'),
                     ("deployment.gpu",)),
    "no-undo": (_both(*(_replace("rollout.yaml", f"  - kubectl -n ml rollout undo deployment/gpu-inference{tail}\n", "")
                        for tail in ("", " --to-revision=2"))),
                ("rollback.commands",)),
}
# Defects that touch the same lines are not combined.
EXCLUSIVE = {frozenset({"hosted-runner", "no-workflow"})}


@dataclass
class Student:
    name: str
    defects: tuple[str, ...] = ()
    ungraded: str | None = None  # the expected reason, for a submission that cannot be graded
    failed: set[str] = field(default_factory=set)


def make_class(root: Path, count: int = 200, seed: int = 7) -> list[Student]:
    """``count`` submissions under ``root``; returns what each one should score."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    students: list[Student] = []
    names = list(DEFECTS)
    regular = count - 5
    for index in range(regular):
        chosen: list[str] = []
        for name in rng.sample(names, rng.choice([0, 0, 1, 1, 1, 2, 2, 3])):
            if not any(pair <= {name, *chosen} for pair in EXCLUSIVE):
                chosen.append(name)
        student = Student(f"student-{index:03d}", tuple(sorted(chosen)))
        _submission(root / student.name, student)
        students.append(student)
    # Hostile names (a file name cannot hold "/", so no closing tag) with a defect quoting the payload.
    for name in ('<img src=x onerror=alert(1)>', '"><svg onload=alert(2)>'):
        student = Student(name, ("http-healthcheck",))
        _submission(root / name, student)
        students.append(student)
    empty = root / "zz-empty"
    empty.mkdir()
    students.append(Student(empty.name, ungraded="empty"))
    (root / "zz-binary.yaml").write_bytes(b"\x00\x01\x02\xff binary \x00")
    students.append(Student("zz-binary.yaml", ungraded="unreadable"))
    notes = root / "zz-notes"
    notes.mkdir()
    (notes / "README.md").write_text("I did not finish the lab.\n")
    students.append(Student(notes.name, ungraded="unrecognised"))
    return students


def _submission(folder: Path, student: Student) -> None:
    shutil.copytree(REFERENCE, folder)
    for defect in student.defects:
        inject, criteria = DEFECTS[defect]
        inject(folder)
        student.failed.update(criteria)
