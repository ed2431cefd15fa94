"""The Action's `suggestions: true`: fixes posted as pull-request review suggestions.

The real GitHub API cannot be reached from the test machines, so the step talks to a fake API
on 127.0.0.1 (``GITHUB_API_URL``, as a runner sets it) that serves the pull request's files and
earlier comments and records every request; the test checks what a reviewer would get: one
review on the head commit with a ```suggestion block per fix, on lines of the diff, that turns
the file into exactly what ``gpulint check --fix --unsafe-fixes`` writes.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from conftest import REPO
from test_action import _run_action

TOKEN = "ghs_test-token"


class FakeGitHub:
    """GET /repos/R/pulls/N/files and /comments, POST /repos/R/pulls/N/reviews; records requests."""

    def __init__(self, files: list[dict], comments: list[dict] | None = None, status: int = 200):
        self.files, self.comments, self.status = files, comments or [], status
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, code: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _record(self) -> dict:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                entry = {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                fake.requests.append(entry)
                return entry

            def do_GET(self) -> None:  # noqa: N802 - http.server's names
                self._record()
                query = parse_qs(urlparse(self.path).query)
                page = int(query.get("page", ["1"])[0])
                if "/pulls/7/files" in self.path:
                    return self._reply(200, fake.files if page == 1 else [])
                if "/pulls/7/comments" in self.path:
                    return self._reply(200, fake.comments if page == 1 else [])
                return self._reply(404, {"message": "Not Found"})

            def do_POST(self) -> None:  # noqa: N802
                self._record()
                if self.path.endswith("/pulls/7/reviews") and fake.status == 200:
                    return self._reply(200, {"id": 1})
                return self._reply(fake.status, {"message": "Resource not accessible by integration"})

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGitHub:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reviews(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST"]


def _whole_file_patch(path: Path) -> str:
    count = len(path.read_text().splitlines())
    return f"@@ -0,0 +1,{count} @@\n" + "".join(f"+{line}\n" for line in path.read_text().splitlines())


def _workspace(tmp_path: Path) -> Path:
    workspace = tmp_path / "ws"
    (workspace / "k8s").mkdir(parents=True)
    shutil.copy(REPO / "fixtures/GL102/fail/no-user.Dockerfile", workspace / "Dockerfile")
    shutil.copy(REPO / "fixtures/GL306/fail/requests-only.yaml", workspace / "k8s" / "deployment.yaml")
    return workspace


def _event(tmp_path: Path) -> Path:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "head": {"sha": "a" * 40}}}))
    return event


def _env(fake: FakeGitHub, event: Path) -> dict:
    return {"GITHUB_API_URL": fake.url, "GITHUB_REPOSITORY": "acme/gpu-app", "GITHUB_EVENT_PATH": str(event),
            "GITHUB_EVENT_NAME": "pull_request"}


def _apply(text: str, comment: dict) -> str:
    lines = text.splitlines(keepends=True)
    start = comment.get("start_line", comment["line"])
    block = re.search(r"```suggestion\n(.*?)```", comment["body"], re.S).group(1)
    return "".join(lines[:start - 1]) + block + "".join(lines[comment["line"]:])


def test_suggestions_are_posted_as_one_review_on_the_diff(tmp_path: Path, monkeypatch):
    workspace = _workspace(tmp_path)
    files = [{"filename": "Dockerfile", "patch": _whole_file_patch(workspace / "Dockerfile")},
             {"filename": "k8s/deployment.yaml", "patch": _whole_file_patch(workspace / "k8s/deployment.yaml")}]
    with FakeGitHub(files) as fake:
        for key, value in _env(fake, _event(tmp_path)).items():
            monkeypatch.setenv(key, value)
        proc, _, _, _ = _run_action(workspace, tmp_path, suggestions="true", **{"github-token": TOKEN})
    assert proc.returncode == 1  # the findings still fail the step
    assert "suggestion(s) posted" in proc.stdout, proc.stdout + proc.stderr
    (review,) = fake.reviews()
    assert review["path"] == "/repos/acme/gpu-app/pulls/7/reviews"
    headers = {key.lower(): value for key, value in review["headers"].items()}
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["x-github-api-version"] == "2022-11-28"
    body = review["body"]
    assert body["commit_id"] == "a" * 40 and body["event"] == "COMMENT"
    comments = {c["path"]: c for c in body["comments"]}
    assert set(comments) == {"Dockerfile", "k8s/deployment.yaml"}
    assert all(c["side"] == "RIGHT" and "```suggestion\n" in c["body"] for c in comments.values())
    assert "needs your judgment" in comments["Dockerfile"]["body"]  # GL102's fix is unsafe
    assert "needs your judgment" not in comments["k8s/deployment.yaml"]["body"]
    # Accepting every suggestion gives what --fix writes.
    fixed = tmp_path / "fixed"
    shutil.copytree(workspace, fixed, ignore=shutil.ignore_patterns("*.sarif"))
    subprocess.run([sys.executable, "-m", "gpulint", "check", str(fixed), "--fix", "--unsafe-fixes"],
                   capture_output=True, cwd=REPO)
    for path, comment in comments.items():
        assert _apply((workspace / path).read_text(), comment) == (fixed / path).read_text()


def test_suggestions_outside_the_diff_and_already_posted_are_not_posted(tmp_path: Path, monkeypatch):
    workspace = _workspace(tmp_path)
    # The pull request changed only the first line of the Dockerfile and nothing of the manifest.
    files = [{"filename": "Dockerfile", "patch": "@@ -1,1 +1,1 @@\n-FROM a\n+FROM b\n"}]
    with FakeGitHub(files) as fake:
        for key, value in _env(fake, _event(tmp_path)).items():
            monkeypatch.setenv(key, value)
        _run_action(workspace, tmp_path, suggestions="true", **{"github-token": TOKEN})
    (review,) = fake.reviews()
    assert review["body"]["comments"] == []
    assert "2 more are on lines this pull request does not change" in review["body"]["body"]

    files = [{"filename": "Dockerfile", "patch": _whole_file_patch(workspace / "Dockerfile")}]
    with FakeGitHub(files) as first:
        for key, value in _env(first, _event(tmp_path)).items():
            monkeypatch.setenv(key, value)
        _run_action(workspace, tmp_path, suggestions="true", **{"github-token": TOKEN})
    posted = [c["body"] for r in first.reviews() for c in r["body"]["comments"]]
    with FakeGitHub(files, comments=[{"body": b} for b in posted]) as second:
        for key, value in _env(second, _event(tmp_path)).items():
            monkeypatch.setenv(key, value)
        proc, _, _, _ = _run_action(workspace, tmp_path, suggestions="true", **{"github-token": TOKEN})
    assert [r["body"]["comments"] for r in second.reviews()] == [[]]  # the manifest's one: outside the diff
    assert "1 already posted" in proc.stdout


def test_a_read_only_token_is_a_warning_not_a_failure(tmp_path: Path, monkeypatch):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    shutil.copy(REPO / "fixtures/GL306/fail/requests-only.yaml", workspace / "deployment.yaml")
    files = [{"filename": "deployment.yaml", "patch": _whole_file_patch(workspace / "deployment.yaml")}]
    with FakeGitHub(files, status=403) as fake:
        for key, value in _env(fake, _event(tmp_path)).items():
            monkeypatch.setenv(key, value)
        proc, _, _, _ = _run_action(workspace, tmp_path, suggestions="true", **{"github-token": TOKEN})
    assert len(fake.reviews()) == 1
    assert "::warning title=gpulint::could not post suggestions: HTTP 403" in proc.stdout
    assert proc.returncode == 1  # gpulint's own status (the GL306 error), not the API's


@pytest.mark.parametrize("suggestions", ["false", "true"])
def test_no_request_without_suggestions_or_outside_a_pull_request(tmp_path: Path, monkeypatch, suggestions):
    workspace = _workspace(tmp_path)
    event = tmp_path / "push.json"
    event.write_text(json.dumps({"ref": "refs/heads/main"}))
    with FakeGitHub([]) as fake:
        for key, value in _env(fake, event).items():
            monkeypatch.setenv(key, value)
        proc, _, _, _ = _run_action(workspace, tmp_path, suggestions=suggestions, **{"github-token": TOKEN})
    assert fake.requests == []
    assert ("pull requests only" in proc.stdout) == (suggestions == "true")
