"""Local reusable workflows (`jobs.<id>.uses: ./.github/workflows/x.yml`) and local composite
actions (`uses: ./path/to/action`) are followed within the repository."""

from __future__ import annotations

from pathlib import Path

from gpulint.engine.run import run
from gpulint.project.config import Config

CI_HEAD = """name: ci
on:
  push:
    branches: [main]
  pull_request:
env:
  IMAGE: ghcr.io/acme/app
jobs:
"""
GUARD = "    if: github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository\n"
BUILD_TEST = """  build:
    runs-on: [self-hosted, gpu]
""" + GUARD + """    steps:
      - run: docker build -t "$IMAGE:${{ github.sha }}" .
  gpu-test:
    needs: build
    runs-on: [self-hosted, gpu]
""" + GUARD + """    steps:
      - run: docker run --rm --gpus all "$IMAGE:${{ github.sha }}" python3 /app/smoke_test.py
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _findings(root: Path) -> list[tuple[str, str, int, str]]:
    result = run([root])
    return sorted((f.rule, f.path, f.line, f.message) for f in result.findings if not f.suppressed)


def _callee(push_if: str = "", test_needed: bool = True) -> str:
    return ("name: release\non:\n  workflow_call:\n    inputs:\n      tag:\n        type: string\n"
            "        default: latest\njobs:\n  publish:\n    runs-on: [self-hosted, gpu]\n"
            + (f"    if: {push_if}\n" if push_if else "")
            + "    steps:\n      - name: Push\n        run: docker push \"ghcr.io/acme/app:${{ inputs.tag }}\"\n")


def test_called_workflow_push_reported_at_caller(tmp_path: Path) -> None:
    ci = CI_HEAD + BUILD_TEST + "  release:\n    needs: gpu-test\n    uses: ./.github/workflows/release.yml\n"
    root = _write(tmp_path, {".github/workflows/ci.yml": ci, ".github/workflows/release.yml": _callee()})
    found = _findings(root)
    assert [(r, p) for r, p, _, _ in found] == [("GL206", ".github/workflows/ci.yml")]
    assert "step 'Push' of job 'publish'" in found[0][3] and "release.yml" in found[0][3]
    assert found[0][2] == ci.splitlines().index("    uses: ./.github/workflows/release.yml") + 1


def test_caller_if_gates_called_push(tmp_path: Path) -> None:
    ci = CI_HEAD + BUILD_TEST + ("  release:\n    needs: gpu-test\n"
                                "    if: github.event_name == 'push' && github.ref == 'refs/heads/main'\n"
                                "    uses: ./.github/workflows/release.yml@main\n")
    root = _write(tmp_path, {".github/workflows/ci.yml": ci, ".github/workflows/release.yml": _callee()})
    assert _findings(root) == []


def test_callee_if_sees_caller_context(tmp_path: Path) -> None:
    ci = CI_HEAD + BUILD_TEST + "  release:\n    needs: gpu-test\n    uses: ./.github/workflows/release.yml\n"
    callee = _callee("github.event_name == 'push' && github.ref == 'refs/heads/main'")
    root = _write(tmp_path, {".github/workflows/ci.yml": ci, ".github/workflows/release.yml": callee})
    assert _findings(root) == []


def test_caller_without_needs_is_gl207(tmp_path: Path) -> None:
    ci = CI_HEAD + BUILD_TEST + ("  release:\n    if: github.event_name == 'push' && github.ref == 'refs/heads/main'\n"
                                "    uses: ./.github/workflows/release.yml\n")
    root = _write(tmp_path, {".github/workflows/ci.yml": ci, ".github/workflows/release.yml": _callee()})
    assert [(r, p) for r, p, _, _ in _findings(root)] == [("GL207", ".github/workflows/ci.yml")]


def test_uncalled_reusable_workflow_is_cannot_tell(tmp_path: Path) -> None:
    """Its callers decide its events; they are not in the scanned files: an info, not an error."""
    ci = CI_HEAD + BUILD_TEST
    root = _write(tmp_path, {".github/workflows/ci.yml": ci, ".github/workflows/release.yml": _callee()})
    result = run([root], config=Config(profile="production"))
    (finding,) = [f for f in result.findings if f.rule == "GL206"]
    assert finding.path == ".github/workflows/release.yml"
    assert finding.severity.value == "info" and finding.confidence == "low"
    assert "cannot check that the push happens only for main" in finding.message


def test_remote_reusable_workflow_not_followed(tmp_path: Path) -> None:
    ci = CI_HEAD + BUILD_TEST + ("  release:\n    needs: gpu-test\n"
                                "    uses: acme/shared/.github/workflows/release.yml@0123456789abcdef0123456789abcdef01234567\n"
                                "  push:\n    needs: gpu-test\n"
                                "    if: github.event_name == 'push' && github.ref == 'refs/heads/main'\n"
                                "    runs-on: [self-hosted, gpu]\n    steps:\n"
                                "      - run: docker push \"$IMAGE:${{ github.sha }}\"\n")
    root = _write(tmp_path, {".github/workflows/ci.yml": ci})
    assert _findings(root) == []


ACTION = """name: publish
description: push the image
inputs:
  push:
    default: "true"
runs:
  using: composite
  steps:
    - name: Smoke
      if: ${{ inputs.smoke == 'yes' }}
      shell: bash
      run: echo "docker push is not run here"
    - name: Push it
      shell: bash
      run: docker push "ghcr.io/acme/app:latest"
"""


def _composite_ci(job_if: str = "") -> str:
    return (CI_HEAD + BUILD_TEST + "  push:\n    needs: gpu-test\n    runs-on: [self-hosted, gpu]\n"
            + (f"    if: {job_if}\n" if job_if else GUARD)
            + "    steps:\n      - uses: ./.github/actions/publish\n")


def test_composite_push_reported_at_calling_step(tmp_path: Path) -> None:
    ci = _composite_ci()
    root = _write(tmp_path, {".github/workflows/ci.yml": ci, ".github/actions/publish/action.yml": ACTION})
    found = _findings(root)
    assert [(r, p, line) for r, p, line, _ in found] == [
        ("GL206", ".github/workflows/ci.yml", ci.splitlines().index("      - uses: ./.github/actions/publish") + 1)]
    assert "step 'Push it' of composite action .github/actions/publish/action.yml" in found[0][3]


def test_composite_push_gated(tmp_path: Path) -> None:
    ci = _composite_ci("github.event_name == 'push' && github.ref == 'refs/heads/main'")
    root = _write(tmp_path, {".github/workflows/ci.yml": ci, ".github/actions/publish/action.yaml": ACTION})
    assert _findings(root) == []


def test_composite_step_if_gates(tmp_path: Path) -> None:
    action = ACTION.replace("    - name: Push it\n",
                            "    - name: Push it\n      if: github.event_name == 'push' && github.ref == 'refs/heads/main'\n")
    root = _write(tmp_path, {".github/workflows/ci.yml": _composite_ci(),
                             ".github/actions/publish/action.yml": action})
    assert _findings(root) == []


def test_non_composite_or_odd_action_ignored(tmp_path: Path) -> None:
    ci = _composite_ci()
    for text in ("runs:\n  using: node20\n  main: index.js\n", "- just\n- a list\n", "runs: [1, 2]\n", ": : :\n"):
        root = _write(tmp_path / str(abs(hash(text))), {".github/workflows/ci.yml": ci,
                                                        ".github/actions/publish/action.yml": text})
        rules = {r for r, *_ in _findings(root)}
        assert "GL206" not in rules  # nothing visible pushes


def _scheduled_callee() -> str:
    """A workflow that runs on a schedule, by hand, and when another workflow calls it."""
    return ("name: images\non:\n  schedule:\n    - cron: '0 1 * * *'\n  workflow_dispatch:\n  workflow_call:\n"
            "jobs:\n  publish:\n    runs-on: [self-hosted, gpu]\n    steps:\n"
            "      - name: Push\n        run: docker push ghcr.io/acme/app:nightly\n")


def test_calls_from_scanned_callers_are_judged_there(tmp_path: Path) -> None:
    # Its own triggers are deliberate publishing; its only caller calls it on a push to main.
    caller = ("name: main\non:\n  push:\n    branches: [main]\njobs:\n  images:\n"
              "    uses: ./.github/workflows/images.yml\n")
    root = _write(tmp_path, {".github/workflows/main.yml": caller, ".github/workflows/images.yml": _scheduled_callee()})
    result = run([root], config=Config(profile="production"))
    assert [f for f in result.findings if f.rule == "GL206"] == []


def test_calls_from_elsewhere_cannot_be_told(tmp_path: Path) -> None:
    root = _write(tmp_path, {".github/workflows/images.yml": _scheduled_callee()})
    result = run([root], config=Config(profile="production"))
    gl206 = [f for f in result.findings if f.rule == "GL206"]
    assert [(f.severity.value, f.line) for f in gl206] == [("info", 12)]
    assert "can also be called by workflows that are not among the scanned files" in gl206[0].message


def test_calls_from_elsewhere_do_not_hide_an_ungated_trigger(tmp_path: Path) -> None:
    text = _scheduled_callee().replace("  workflow_dispatch:\n", "  pull_request:\n")
    root = _write(tmp_path, {".github/workflows/images.yml": text})
    gl206 = [f for f in run([root], config=Config(profile="production")).findings if f.rule == "GL206"]
    assert [f.severity.value for f in gl206] == ["error"]
    assert "pull_request to main" in gl206[0].message and "called" not in gl206[0].message
