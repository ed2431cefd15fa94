from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


class CliResult:
    def __init__(self, proc: subprocess.CompletedProcess):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def json(self) -> dict:
        return json.loads(self.stdout)


@pytest.fixture
def cli():
    """Run the real command line in a subprocess, as a user would."""

    # This checkout is importable from any working directory (PYTHONPATH may be relative).
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)

    def invoke(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 120) -> CliResult:
        environment = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": path, **(env or {})}
        proc = subprocess.run([sys.executable, "-m", "gpulint", *map(str, args)], capture_output=True,
                              text=True, cwd=cwd or REPO, env=environment, timeout=timeout)
        assert "Traceback" not in proc.stderr, proc.stderr
        return CliResult(proc)

    return invoke
