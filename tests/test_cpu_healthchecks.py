"""A health check that never touches the GPU is not judged as the GPU smoke test."""

from __future__ import annotations

import json

import pytest

from gpulint.cli import main

CHECKS = {
    "cpu": "import sys, urllib.request\nsys.exit(0 if urllib.request.urlopen('http://localhost:8888/api').status == 200 else 1)\n",
    "gpu": "import sys, torch\nif not torch.cuda.is_available():\n    sys.exit(3)\nsys.exit(0)\n",
}


def _lint(tmp_path, capsys, base: str, check: str) -> set[str]:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(
        "on: {push: {branches: [main]}}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: docker build -t ghcr.io/acme/app:${{ github.sha }} .\n")
    (tmp_path / "health.py").write_text(CHECKS[check])
    (tmp_path / "Dockerfile").write_text(
        f"FROM {base}\nCOPY health.py /etc/health.py\nUSER 1000\n"
        "HEALTHCHECK --interval=3s --timeout=1s --start-period=3s CMD [\"python3\", \"/etc/health.py\"]\n"
        "CMD [\"python3\", \"-m\", \"http.server\", \"8888\"]\n")
    main(["check", str(tmp_path), "--isolated", "--format", "json", "--select", "GL511,GL507,GL508",
          "--profile", "production"])
    return {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"] if f["severity"] != "info"}


@pytest.mark.parametrize("base,check,expected", [
    ("python:3.12-slim", "cpu", set()),  # a CPU image's HTTP check: neither too slow nor a smoke test
    ("nvidia/cuda:12.4.1-runtime-ubuntu22.04", "gpu", {"GL511", "GL507", "GL508"}),  # CUDA start-up needs time
])
def test_health_checks_are_judged_as_gpu_checks_only_when_they_are(tmp_path, capsys, base, check, expected):
    assert _lint(tmp_path, capsys, base, check) == expected
