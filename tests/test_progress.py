"""The progress bar of a long check: drawn (by rich) on a terminal only, never into a pipe, a CI
log or a machine-readable format. A terminal is a real pseudo-terminal here (the pty module)."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs pseudo-terminals")

BAR_TEXT = ("gpulint: reading files", "gpulint: running rules")
DELAY = 1.0  # gpulint.reporters.progress.DELAY_SECONDS


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory) -> tuple[Path, int]:
    """(tree, files): copies of the reference solution, added until a check takes over twice the
    bar's one-second delay on this machine, however fast it is."""
    import json

    root = tmp_path_factory.mktemp("big")
    copies = 0
    for _ in range(6):
        target = max(40, copies * 2)
        while copies < target:
            shutil.copytree(REPO / "reference", root / f"p{copies:05d}")
            copies += 1
        proc = subprocess.run([sys.executable, "-m", "gpulint", "check", ".", "--format", "json"], cwd=root,
                              capture_output=True, text=True, env=_env(), timeout=600)
        summary = json.loads(proc.stdout)["summary"]
        if summary["elapsed_seconds"] > 2 * DELAY:
            return root, summary["files"]
    pytest.skip(f"{copies} copies of the reference still check in under {2 * DELAY} s")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS", "NO_COLOR")}
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return {**env, "PYTHONPATH": path, "TERM": "xterm-256color", "COLUMNS": "120", **extra}


def _on_terminal(args: list[str], cwd: Path, **env: str) -> tuple[int, str]:
    """Run gpulint with standard output and error on one pseudo-terminal; (exit status, everything shown)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "gpulint", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=slave, stderr=slave, env=_env(**env))
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=300), b"".join(chunks).decode("utf-8", errors="replace")


def test_the_delay_is_one_second():
    from gpulint.reporters.progress import DELAY_SECONDS

    assert DELAY_SECONDS == DELAY


def test_a_slow_check_shows_progress_on_a_terminal(big_tree: tuple[Path, int]):
    tree, files = big_tree
    status, shown = _on_terminal(["check", "."], tree)
    assert status == 0, shown[-2000:]
    assert any(text in shown for text in BAR_TEXT), shown[-2000:]
    assert "━" in shown  # rich's bar
    # The bar is erased before the report: the last line is the summary.
    assert f"0 errors, 0 warnings, 0 info in {files} files" in shown.rstrip().splitlines()[-1]


@pytest.mark.parametrize("args, env", [
    (["check", ".", "--format", "json"], {}),  # a machine format on the terminal
    (["check", ".", "-f", "text", "-f", "sarif", "-o", os.devnull], {}),  # any machine format in the run
    (["check", "."], {"CI": "true"}),  # a CI log, even one that looks like a terminal
])
def test_no_progress_in_machine_formats_or_ci(big_tree: tuple[Path, int], args: list[str], env: dict[str, str]):
    status, shown = _on_terminal(args, big_tree[0], **env)
    assert status == 0, shown[-2000:]
    assert not any(text in shown for text in BAR_TEXT) and "━" not in shown


def test_no_progress_into_pipes(big_tree: tuple[Path, int]):
    tree = big_tree[0]
    proc = subprocess.run([sys.executable, "-m", "gpulint", "check", "."], cwd=tree, capture_output=True,
                          text=True, env=_env(), timeout=300)
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert not any(text in proc.stdout for text in BAR_TEXT)
    # Standard output a terminal, standard error a pipe (or the other way round): no bar either.
    master, slave = pty.openpty()
    proc = subprocess.run([sys.executable, "-m", "gpulint", "check", "."], cwd=tree, stdout=slave,
                          stderr=subprocess.PIPE, env=_env(), timeout=300)
    os.close(slave)
    os.close(master)
    assert proc.returncode == 0 and proc.stderr == b""
