"""`gpulint check` over the real-world corpus (../shared/realworld) against a reviewed golden file.

Regenerate after reviewing every changed finding by hand:
    PYTHONPATH=. python tests/test_realworld.py --update      (or GPULINT_UPDATE_GOLDEN=1 pytest ...)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "realworld"
GOLDEN = REPO / "tests" / "data" / "realworld.golden.json"
KEYS = ("rule", "path", "line", "column", "severity", "message")


def _run() -> tuple[subprocess.CompletedProcess, list[dict]]:
    env = dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1")
    proc = subprocess.run([sys.executable, "-m", "gpulint", "check", str(CORPUS), "--format", "json"],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    findings = json.loads(proc.stdout)["findings"] if proc.stdout.strip() else []
    return proc, [{k: f.get(k) for k in KEYS} for f in findings]


def _update() -> None:
    _, findings = _run()
    GOLDEN.write_text(json.dumps(findings, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(findings)} findings to {GOLDEN.relative_to(REPO)}")


@pytest.fixture(scope="module")
def outcome():
    if not CORPUS.is_dir():
        pytest.skip("../shared/realworld is absent")
    return _run()


def test_no_traceback(outcome):
    proc, _ = outcome
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_every_finding_inside_its_file(outcome):
    _, findings = outcome
    for f in findings:
        lines = (CORPUS / f["path"]).read_text(encoding="utf-8", errors="replace").splitlines() or [""]
        assert 1 <= f["line"] <= len(lines), f
        assert 1 <= f["column"] <= len(lines[f["line"] - 1]) + 1, f


def test_output_equals_reviewed_golden(outcome):
    if os.environ.get("GPULINT_UPDATE_GOLDEN"):
        _update()
    _, findings = outcome
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert findings == golden, "the findings on the real-world corpus changed: review them, then run " \
                               "`python tests/test_realworld.py --update`"


if __name__ == "__main__":
    if "--update" in sys.argv[1:]:
        _update()
    else:
        print(__doc__)
