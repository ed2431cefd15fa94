"""Bad input gets a clear finding with a location, never a traceback, and the run goes on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import REPO

ROLLOUT = (REPO / "reference" / "rollout.yaml").read_text()


def _check(cli, root: Path, *extra: str):
    result = cli("check", root, "--format", "json", *extra, timeout=60)
    assert result.returncode in (0, 1), result.stderr
    return result.json()["findings"]


def _by_path(findings, path):
    return [f for f in findings if f["path"] == path]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A good rollout plan beside whatever bad file a test adds: it must still be linted."""
    (tmp_path / "rollout.yaml").write_text(ROLLOUT)
    (tmp_path / "broken").mkdir()
    return tmp_path


def _assert_good_file_still_linted(findings) -> None:
    assert _by_path(findings, "rollout.yaml") == []


def test_malformed_yaml(cli, tree: Path):
    (tree / "broken" / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nspec: [a, b\n")
    findings = _check(cli, tree)
    (f,) = _by_path(findings, "broken/deploy.yaml")
    assert f["rule"] == "GL001" and f["line"] >= 3 and "invalid YAML" in f["message"]


def test_tabs_in_yaml(cli, tree: Path):
    (tree / "broken" / "deploy.yaml").write_text("apiVersion: v1\nkind: Pod\nspec:\n\tcontainers: []\n")
    (f,) = _by_path(_check(cli, tree), "broken/deploy.yaml")
    assert f["rule"] == "GL001" and f["line"] == 4


def test_binary_file(cli, tree: Path):
    (tree / "broken" / "Dockerfile").write_bytes(b"FROM x\n\x00\x01\x02\xff")
    (f,) = _by_path(_check(cli, tree), "broken/Dockerfile")
    assert f["rule"] == "GL001" and "binary" in f["message"] and f["line"] == 2


def test_huge_file(cli, tree: Path):
    big = tree / "broken" / "huge.yaml"
    with big.open("wb") as handle:
        handle.write(b"apiVersion: v1\nkind: ConfigMap\ndata:\n")
        handle.write(b"  k: " + b"x" * (50 * 1024 * 1024) + b"\n")
    (f,) = _by_path(_check(cli, tree), "broken/huge.yaml")
    assert f["rule"] == "GL001" and "limit" in f["message"] and (f["line"], f["column"]) == (1, 1)


def test_invalid_utf8(cli, tree: Path):
    (tree / "broken" / "rollout.yaml").write_bytes(b"rollback_commands:\n  - kubectl \xff\xfe rollout\n")
    (f,) = _by_path(_check(cli, tree), "broken/rollout.yaml")
    assert f["rule"] == "GL001" and "UTF-8" in f["message"] and f["line"] == 2 and f["column"] == 13


def test_utf16_with_bom_is_read(cli, tree: Path):
    (tree / "broken" / "plan.yaml").write_bytes(ROLLOUT.encode("utf-16"))
    assert _by_path(_check(cli, tree), "broken/plan.yaml") == []


def test_crlf_and_bom_yaml_is_read(cli, tree: Path):
    (tree / "broken" / "plan.yaml").write_bytes(b"\xef\xbb\xbf" + ROLLOUT.replace("\n", "\r\n").encode())
    assert _by_path(_check(cli, tree), "broken/plan.yaml") == []


def test_yaml_alias_bomb(cli, tree: Path):
    lines = ['apiVersion: v1', 'kind: ConfigMap', 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    (tree / "broken" / "bomb.yaml").write_text("\n".join(lines) + "\n")
    (f,) = _by_path(_check(cli, tree), "broken/bomb.yaml")
    assert f["rule"] == "GL001" and "alias" in f["message"]


def test_deep_nesting(cli, tree: Path):
    (tree / "broken" / "deep.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata: " + "[" * 100_000 + "\n")
    (f,) = _by_path(_check(cli, tree), "broken/deep.yaml")
    assert f["rule"] == "GL001"


def test_symlink_loop(cli, tree: Path):
    os.symlink("loop-b.yaml", tree / "broken" / "loop-a.yaml")
    os.symlink("loop-a.yaml", tree / "broken" / "loop-b.yaml")
    os.symlink("..", tree / "broken" / "parent")  # a directory loop
    findings = _check(cli, tree)
    _assert_good_file_still_linted(findings)
    assert {f["path"] for f in findings if f["rule"] == "GL001"} == {"broken/loop-a.yaml", "broken/loop-b.yaml"}


def test_symlink_out_of_tree(cli, tree: Path, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "Dockerfile").write_text("FROM ubuntu\n")
    os.symlink(outside / "Dockerfile", tree / "broken" / "Dockerfile")
    os.symlink(outside, tree / "broken" / "elsewhere")
    findings = _check(cli, tree)
    _assert_good_file_still_linted(findings)
    messages = {f["path"]: f["message"] for f in findings}
    assert "outside the scanned tree" in messages["broken/Dockerfile"]
    assert "outside the scanned tree" in messages["broken/elsewhere"]
    assert not any(f["rule"] == "GL101" for f in findings)  # the target was never read


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file(cli, tree: Path):
    path = tree / "broken" / "Dockerfile"
    path.write_text("FROM x\n")
    path.chmod(0)
    (f,) = _by_path(_check(cli, tree), "broken/Dockerfile")
    assert f["rule"] == "GL001"


def test_empty_files(cli, tree: Path):
    (tree / "broken" / "Dockerfile").write_text("")
    (tree / "broken" / "empty.yaml").write_text("")
    findings = _check(cli, tree)
    _assert_good_file_still_linted(findings)
    assert {f["rule"] for f in _by_path(findings, "broken/Dockerfile")} == {"GL101"}


def test_dockerfile_unterminated_continuation_and_heredoc(cli, tree: Path):
    (tree / "broken" / "Dockerfile").write_text("FROM a AS b\nRUN <<EOF\necho hi\n")
    (tree / "broken" / "Containerfile").write_text("FROM a\nRUN echo \\")
    findings = _check(cli, tree)
    assert any(f["path"] == "broken/Containerfile" and f["rule"] == "GL001" for f in findings)


def test_helm_template_is_info_not_error(cli, tree: Path):
    (tree / "broken" / "deployment.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
        "spec:\n  replicas: {{ .Values.replicas }}\n  {{- with .Values.strategy }}\n  strategy: x\n  {{- end }}\n")
    findings = _by_path(_check(cli, tree), "broken/deployment.yaml")
    assert findings and all(f["severity"] == "info" for f in findings)


def test_odd_paths(cli, tree: Path):
    weird = tree / "dir with spaces" / "ünïcödé"
    weird.mkdir(parents=True)
    (weird / "Dockerfile").write_text("FROM a\n")
    findings = _check(cli, tree)
    assert any(f["path"] == "dir with spaces/ünïcödé/Dockerfile" for f in findings)


def test_python_garbage_named_smoke_test(cli, tree: Path):
    (tree / "broken" / "smoke_test.py").write_text("def (:\n")
    (f,) = _by_path(_check(cli, tree), "broken/smoke_test.py")
    assert f["rule"] == "GL001" and f["line"] == 1


def test_gitignored_and_vendor_dirs_are_skipped(cli, tree: Path):
    (tree / ".gitignore").write_text("generated/\n")
    for folder in ("generated", "node_modules", ".venv", ".git"):
        (tree / folder).mkdir(exist_ok=True)
        (tree / folder / "Dockerfile").write_text("FROM a\n")
    findings = _check(cli, tree)
    assert not any("Dockerfile" in f["path"] for f in findings)


def test_recursive_alias(cli, tree: Path):
    (tree / "broken" / "loop.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata: &a {x: [*a]}\n")
    (f,) = _by_path(_check(cli, tree), "broken/loop.yaml")
    assert f["rule"] == "GL001" and "alias" in f["message"]
