"""The hostile corpus (tests/hostile/): every input yields findings with a location inside the
file, the run goes on to the end, and it stays within bounded time and memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import REPO

HOSTILE = REPO / "tests" / "hostile"
sys.path.insert(0, str(HOSTILE))
import generate  # noqa: E402

EXPECTED = yaml.safe_load((HOSTILE / "expected.yaml").read_text(encoding="utf-8"))
TIME_LIMIT_S = 60
MEMORY_LIMIT_MB = 600


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "corpus"
    generate.build(root)
    yield root
    generate.cleanup(root)


def _run(root: Path, *extra: str) -> tuple[int, dict, str, float, float]:
    """gpulint check on ``root``: (status, JSON report, stderr, seconds, peak RSS in MB)."""
    out, err = root.parent / "out.json", root.parent / "err.txt"
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    started = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "gpulint", "check", str(root), "--format", "json", *extra],
                                stdout=stdout, stderr=stderr, env=env, cwd=REPO)
        try:
            proc.wait(timeout=TIME_LIMIT_S * 2)
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail(f"gpulint hung on the hostile corpus (> {TIME_LIMIT_S * 2} s)")
    elapsed = time.monotonic() - started
    report = json.loads(out.read_text(encoding="utf-8")) if proc.returncode in (0, 1) else {}
    return proc.returncode, report, err.read_text(encoding="utf-8", errors="replace"), elapsed, 0.0


def _peak_rss_mb(root: Path) -> float:
    """Peak resident memory of one gpulint run, measured by a parent that runs nothing else."""
    code = ("import resource, subprocess, sys\n"
            "subprocess.run([sys.executable, '-m', 'gpulint', 'check', sys.argv[1], '--format', 'json'],"
            " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=REPO, timeout=TIME_LIMIT_S * 2)
    return int(out.stdout.strip()) / 1024


def _lines(path: Path) -> list[str]:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        text = data.decode("utf-8", errors="replace")
    return text.lstrip("\ufeff").split("\n")  # gpulint counts lines by LF (a CRLF ends one line)


@pytest.fixture(scope="module")
def result(corpus: Path):
    return _run(corpus)


def test_no_traceback_and_normal_exit(result):
    status, report, stderr, elapsed, _ = result
    assert status in (0, 1), stderr
    assert "Traceback" not in stderr and stderr.strip() == "", stderr
    assert elapsed < TIME_LIMIT_S
    assert report["findings"]


def test_bounded_memory(corpus: Path):
    assert _peak_rss_mb(corpus) < MEMORY_LIMIT_MB


def test_every_location_is_inside_its_file(corpus: Path, result):
    _, report, _, _, _ = result
    for finding in report["findings"]:
        path = corpus / finding["path"]
        assert path.exists() or path.is_symlink(), finding
        line, column = finding["line"], finding["column"]
        assert line >= 1 and column >= 1, finding
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 10 * 1024 * 1024 \
                or not os.access(path, os.R_OK):
            assert (line, column) == (1, 1), finding
            continue
        lines = _lines(path)
        assert line <= len(lines), finding
        assert column <= len(lines[line - 1]) + 1, finding


def test_each_broken_file_gets_a_parse_error(result):
    _, report, _, _, _ = result
    parse_errors = {f["path"] for f in report["findings"] if f["rule"] == "GL001"}
    missing = set(EXPECTED["parse-error"]) - parse_errors
    assert not missing, f"no GL001 for {sorted(missing)}"


def test_odd_but_valid_files_are_read(result):
    _, report, _, _, _ = result
    parse_errors = {f["path"] for f in report["findings"] if f["rule"] == "GL001"}
    wrongly = set(EXPECTED["clean"]) & parse_errors
    assert not wrongly, f"GL001 on readable files {sorted(wrongly)}"
    seen = {f["path"] for f in report["findings"]} | set(report.get("files", []))
    assert "dir with spaces/ünïcödé/Dockerfile" in seen


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_files_are_reported(result):
    _, report, _, _, _ = result
    parse_errors = {f["path"] for f in report["findings"] if f["rule"] == "GL001"}
    assert set(EXPECTED["unreadable"]) <= parse_errors


def test_corpus_covers_the_issue():
    names = {Path(p).parts[0] if not p.startswith("generated/") else Path(p).parts[1]
             for group in EXPECTED.values() for p in group}
    for needed in ("yaml-malformed", "yaml-truncated", "yaml-tabs", "yaml-billion-laughs", "deep-flow",
                   "huge-yaml", "huge-binary", "yaml-nul", "yaml-invalid-utf8", "yaml-utf16-bom",
                   "yaml-crlf-bom", "yaml-mixed-eol", "dockerfile-heredoc-ok", "dockerfile-unterminated",
                   "dockerfile-empty", "yaml-json-instead", "yaml-helm", "symlinks", "unreadable",
                   "dir with spaces", "many-documents"):
        assert needed in names, needed


def test_timeout_stops_and_names_the_files_left_out(corpus: Path):
    status, report, stderr, elapsed, _ = _run(corpus, "--timeout", "0.001")
    assert status == 1, stderr
    (finding,) = [f for f in report["findings"] if "time limit" in f["message"]]
    assert finding["rule"] == "GL001" and (finding["line"], finding["column"]) == (1, 1)
    assert "were not linted" in finding["message"]


def test_limits_are_configurable(tmp_path: Path):
    (tmp_path / ".gpulint.yaml").write_text(
        "limits: {max-file-size: 200, max-depth: 3, max-documents: 2, max-alias-expansion: 50}\n")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "big.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata: {k: '" + "x" * 300 + "'}\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "deep.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata: [[[[1]]]]\n")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "docs.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n---\n" * 4)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "alias.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\na: &a [1, 2, 3, 4, 5, 6, 7, 8]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n")
    status, report, stderr, _, _ = _run(tmp_path)
    assert status == 1, stderr
    messages = {f["path"]: f["message"] for f in report["findings"] if f["rule"] == "GL001"}
    assert "max-file-size" in messages["a/big.yaml"]
    assert "nesting deeper than 3" in messages["b/deep.yaml"]
    assert "more than 2 YAML documents" in messages["c/docs.yaml"]
    assert "alias" in messages["d/alias.yaml"]


def test_timeout_in_config(tmp_path: Path):
    (tmp_path / ".gpulint.yaml").write_text("timeout: 0.000001\n")
    (tmp_path / "Dockerfile").write_text("FROM a\n")
    status, report, stderr, _, _ = _run(tmp_path)
    assert status == 1 and any("time limit" in f["message"] for f in report["findings"]), stderr
