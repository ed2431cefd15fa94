"""``sh -c TEXT`` read once (``syntax.shell.command_string``), the way POSIX shells and bash read
their options, by every rule that follows a command into a shell: HEALTHCHECKs, probes, CI steps,
the process an image runs and the packages its RUN instructions install."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpulint.engine.run import run
from gpulint.syntax.shell import command_string, script_file

REFERENCE = Path(__file__).resolve().parent.parent / "reference"


@pytest.mark.parametrize("argv, index, errexit, pipefail", [
    (["sh", "-c", "x"], 2, False, False),
    (["/bin/sh", "-c", "x", "name", "arg"], 2, False, False),  # later operands are $0, $1
    (["bash", "-lc", "x"], 2, False, False),
    (["bash", "-ec", "x"], 2, True, False),
    (["/bin/bash", "-euo", "pipefail", "-c", "x"], 4, True, True),  # -o in a cluster takes the next word
    (["bash", "-o", "pipefail", "-o", "errexit", "-c", "x"], 6, True, True),
    (["sh", "-e", "-c", "x"], 3, True, False),
    (["bash", "-c", "-e", "x"], 3, True, False),  # options anywhere before the first operand
    (["bash", "--login", "--norc", "-c", "x"], 4, False, False),
    (["bash", "--rcfile", "rc", "-c", "x"], 4, False, False),
    (["sh", "-e", "+e", "-c", "x"], 4, False, False),
    (["zsh", "-c", "x"], 2, False, False),
])
def test_command_string(argv: list[str], index: int, errexit: bool, pipefail: bool) -> None:
    found = command_string(argv)
    assert found is not None
    assert (found.index, found.text, found.errexit, found.pipefail) == (index, "x", errexit, pipefail)


@pytest.mark.parametrize("argv, script", [
    (["sh", "-c"], None),  # no command string: the shell refuses
    (["bash", "run.sh", "-c", "x"], "run.sh"),  # runs a file; -c after it is the script's argument
    (["bash", "-x", "run.sh"], "run.sh"),
    (["sh", "-eu", "run.sh"], "run.sh"),
    (["python", "-c", "x"], None),
    (["sh"], None),
    (["bash", "--", "run.sh"], "run.sh"),
])
def test_not_a_command_string(argv: list[str], script: str | None) -> None:
    assert command_string(argv) is None
    assert script_file(argv) == script


def _project(tmp_path: Path, healthcheck: str) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "smoke_test.py").write_text((REFERENCE / "smoke_test.py").read_text())
    (tmp_path / "Dockerfile").write_text(
        "FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04 AS build\n"
        "RUN python3 -m venv /venv && /venv/bin/pip install torch==2.3.0\n"
        "FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04\n"
        "COPY --from=build /venv /venv\n"
        "COPY smoke_test.py /app/smoke_test.py\n"
        "USER 10001\n"
        f"HEALTHCHECK --interval=30s --timeout=10s --start-period=60s CMD {healthcheck}\n"
        'CMD ["/venv/bin/python", "-m", "vllm.entrypoints.openai.api_server"]\n')
    return tmp_path


@pytest.mark.parametrize("healthcheck", [
    '["/bin/bash", "-euo", "pipefail", "-c", "/venv/bin/python /app/smoke_test.py"]',
    '["/bin/sh", "-e", "-c", "/venv/bin/python /app/smoke_test.py"]',
    '["bash", "--noprofile", "-c", "/venv/bin/python /app/smoke_test.py"]',
    '/bin/sh -c "/venv/bin/python /app/smoke_test.py"',
])
def test_healthcheck_through_a_shell_is_followed(tmp_path: Path, healthcheck: str) -> None:
    findings = run([_project(tmp_path, healthcheck)]).findings
    assert [f.rule for f in findings if f.rule.startswith("GL10")] == []


def test_healthcheck_command_string_operands_are_not_commands(tmp_path: Path) -> None:
    # `sh -c python3 /app/smoke_test.py` runs `python3` alone ($0 is the script name): no GPU check.
    findings = run([_project(tmp_path, '["/bin/sh", "-c", "/venv/bin/python", "/app/smoke_test.py"]')]).findings
    assert any(f.rule == "GL104" for f in findings)
