from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def write_repository(root: Path, files: dict[str, str]) -> None:
    """Write files (path -> text) under ``root`` and make it a repository of its own (`.git`)."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / ".git").mkdir(exist_ok=True)


def findings_of(root: Path, rule: str, profile: str = "production") -> list:
    """The findings of one rule on a tree, checked with a profile (the library API, no CLI)."""
    from gpulint.engine.run import run
    from gpulint.project.config import Config

    return [f for f in run([root], config=Config(profile=profile)).findings if f.rule == rule]


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
