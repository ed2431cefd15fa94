"""GL503's advice points at the weak side: when the image's HEALTHCHECK is not a GPU check, the
probes are never told to copy it."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import REPO

from gpulint.engine.run import run

CASE = REPO / "fixtures/GL503/fail/curl-healthcheck"


def _gl503(root: Path):
    return [f for f in run([root]).findings if f.rule == "GL503"]


def test_a_curl_healthcheck_is_what_changes_not_the_probes():
    findings = _gl503(CASE)
    assert [f.line for f in findings] == [73, 81]
    for finding in findings:
        assert "curl" not in finding.fix
        assert finding.fix == "make the HEALTHCHECK run the probe's check: CMD [\"python3\", \"/app/smoke_test.py\"]"
        assert "does not prove the GPU works" in finding.message
        (related,) = finding.related
        assert (related.path, related.line) == ("Dockerfile", 59)


def test_neither_check_proves_the_gpu(tmp_path: Path):
    root = tmp_path / "case"
    shutil.copytree(CASE, root)
    manifest = root / "k8s/deployment.yaml"
    manifest.write_text(manifest.read_text().replace('command: ["python3", "/app/smoke_test.py"]',
                                                     'command: ["cat", "/tmp/ready"]'))
    findings = _gl503(root)
    assert findings and all("neither check proves the GPU works" in f.message for f in findings)
    assert all("smoke_test.py" in f.fix and "curl" not in f.fix for f in findings)


def test_a_gpu_healthcheck_is_still_the_one_to_copy():
    findings = _gl503(REPO / "fixtures/GL503/fail/nvidia-smi-liveness")
    assert findings
    assert all(f.fix.startswith("exec the same check as the HEALTHCHECK: ") for f in findings)
    assert all(f.related and f.related[0].path.endswith("Dockerfile") for f in findings)
