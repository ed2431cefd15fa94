"""Fixes as pull-request review suggestions (the GitHub Action's ``suggestions: true``).

Reads a ``gpulint check --format json`` report, turns each finding's automatic fix into a
```` ```suggestion ```` block on the lines it changes, and posts them as one review through the
GitHub REST API (``POST /repos/{owner}/{repo}/pulls/{number}/reviews``) with the job's token.
GitHub accepts review comments only on lines of the pull request's diff, so the diff's hunks are
read first (``GET .../pulls/{number}/files``); fixes elsewhere are counted in the review's body.
Suggestions already posted (found by a marker in earlier review comments) are not posted again.
A failure to post is a warning: the lint's own exit status stands.

    python -m gpulint.reporters.review REPORT.json --root PATH
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import posixpath
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path

from gpulint.core.records import Record
from gpulint.core.source import Source, decode

API_VERSION = "2022-11-28"
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
MARKER = "<!-- gpulint-suggestion {key} -->"


class Suggestion(Record):
    path: str  # relative to the repository root
    start_line: int
    end_line: int
    text: str  # the new content of lines start_line..end_line
    rule: str
    name: str
    message: str
    description: str
    applicability: str

    @property
    def key(self) -> str:
        digest = hashlib.sha256(f"{self.path}\0{self.start_line}\0{self.end_line}\0{self.text}".encode())
        return f"{self.rule}:{digest.hexdigest()[:16]}"

    def comment(self) -> dict:
        review = "" if self.applicability == "safe" else \
            "\n\n_This fix needs your judgment (`--unsafe-fixes`): check it before you commit it._"
        body = (f"**{self.rule}** `{self.name}`: {self.message}\n\nFix: {self.description}{review}\n\n"
                f"```suggestion\n{self.text}```\n{MARKER.format(key=self.key)}")
        entry = {"path": self.path, "body": body, "line": self.end_line, "side": "RIGHT"}
        if self.start_line < self.end_line:
            entry.update(start_line=self.start_line, start_side="RIGHT")
        return entry


def suggestion_for(finding: dict, workspace: Path, prefix: str) -> Suggestion | None:
    """The lines a finding's fix changes and what they become (None when its edits span files)."""
    fix = finding.get("autofix")
    if not fix or finding.get("suppressed"):
        return None
    paths = {edit["path"] for edit in fix["edits"]}
    if len(paths) != 1:
        return None
    rel = posixpath.normpath(posixpath.join(prefix, paths.pop()))
    try:
        text, _ = decode((workspace / rel).read_bytes())
    except OSError:
        return None
    if text is None:
        return None
    source = Source(text, rel)  # finding positions are 1-based lines and columns of this text
    edits = sorted(((source.offset(e["line"], e["column"]), source.offset(e["end_line"], e["end_column"]),
                     e["content"]) for e in fix["edits"]), reverse=True)
    lo = min(start for start, _, _ in edits)
    hi = max(end for _, end, _ in edits)
    first = source.position(lo).line
    last = source.position(max(lo, hi - 1)).line if hi > lo else first
    if hi == lo and lo == source.offset(first, 1) and first > 1:
        first = last = first - 1  # lines inserted before a line: suggest on the line above
    region_start = source.offset(first, 1)
    region_end = source.offset(last + 1, 1) if last < source.line_count else len(text)
    new = text
    for start, end, content in edits:
        new = new[:start] + content + new[end:]
    delta = len(new) - len(text)
    replacement = new[region_start:region_end + delta]
    if replacement and not replacement.endswith("\n"):
        replacement += "\n"  # the last line of the file, which had no line break
    return Suggestion(rel, first, last, replacement, finding["rule"], finding["name"], finding["message"],
                      fix["message"], fix["applicability"])


def diff_lines(patch: str | None) -> set[int]:
    """Lines of the new file that a pull request's patch shows (its hunks' new-side ranges)."""
    lines: set[int] = set()
    for row in (patch or "").splitlines():
        hunk = _HUNK.match(row)
        if hunk:
            start, count = int(hunk.group(1)), int(hunk.group(2) or 1)
            lines.update(range(start, start + count))
    return lines


class GitHub:
    def __init__(self, api: str, token: str, repository: str):
        self.api = api.rstrip("/")
        self.token = token
        self.repository = repository

    def request(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.api}/repos/{self.repository}{path}", data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("X-GitHub-Api-Version", API_VERSION)
        request.add_header("User-Agent", "gpulint-action")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the API URL the runner gives
            payload = response.read()
        return json.loads(payload) if payload else None

    def pages(self, path: str) -> list:
        items: list = []
        for page in range(1, 31):
            batch = self.request("GET", f"{path}{'&' if '?' in path else '?'}per_page=100&page={page}") or []
            items.extend(batch)
            if len(batch) < 100:
                break
        return items


def post_suggestions(report: dict, workspace: Path, prefix: str, github: GitHub, number: int,
                     head_sha: str) -> dict:
    """Post one review with the report's fixes as suggestions; returns what was done."""
    suggestions = [s for s in (suggestion_for(f, workspace, prefix) for f in report.get("findings", [])) if s]
    if not suggestions:
        return {"posted": 0, "outside_diff": 0, "already_posted": 0}
    shown = {f["filename"]: diff_lines(f.get("patch")) for f in github.pages(f"/pulls/{number}/files")}
    earlier = " ".join(c.get("body") or "" for c in github.pages(f"/pulls/{number}/comments"))
    comments, outside, repeated = [], 0, 0
    for suggestion in suggestions:
        lines = shown.get(suggestion.path, set())
        if MARKER.format(key=suggestion.key) in earlier:
            repeated += 1
        elif all(line in lines for line in range(suggestion.start_line, suggestion.end_line + 1)):
            comments.append(suggestion.comment())
        else:
            outside += 1
    if not comments and not outside:
        return {"posted": 0, "outside_diff": 0, "already_posted": repeated}
    body = f"gpulint suggests {len(comments)} fix{'es' if len(comments) != 1 else ''}."
    if outside:
        body += (f" {outside} more {'are' if outside != 1 else 'is'} on lines this pull request does not change: "
                 "run `gpulint check --fix` (and `--unsafe-fixes` to review the rest) locally.")
    github.request("POST", f"/pulls/{number}/reviews",
                   {"commit_id": head_sha, "event": "COMMENT", "body": body, "comments": comments})
    return {"posted": len(comments), "outside_diff": outside, "already_posted": repeated}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gpulint.reporters.review")
    parser.add_argument("report", type=Path, help="gpulint check --format json output")
    parser.add_argument("--root", default=".", help="the path that was linted, relative to the workspace")
    args = parser.parse_args(argv)
    env = os.environ
    event_path, token, repository = env.get("GITHUB_EVENT_PATH"), env.get("GITHUB_TOKEN"), env.get("GITHUB_REPOSITORY")
    if not (event_path and token and repository):
        print("::warning title=gpulint::suggestions need GITHUB_EVENT_PATH, GITHUB_REPOSITORY and a token; skipped")
        return 0
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
        report = json.loads(args.report.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"::warning title=gpulint::cannot read the event or the report for suggestions: {error}")
        return 0
    pull = event.get("pull_request") or {}
    if not pull.get("number"):
        print("::notice title=gpulint::suggestions are posted on pull requests only; skipped")
        return 0
    workspace = Path(env.get("GITHUB_WORKSPACE") or ".")
    root = args.root
    prefix = posixpath.dirname(root) if (workspace / root).is_file() else root
    github = GitHub(env.get("GITHUB_API_URL") or "https://api.github.com", token, repository)
    try:
        done = post_suggestions(report, workspace, posixpath.normpath(prefix), github, int(pull["number"]),
                                (pull.get("head") or {}).get("sha", ""))
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", errors="replace")[:300]
        print(f"::warning title=gpulint::could not post suggestions: HTTP {error.code} {detail} "
              "(the job needs `permissions: pull-requests: write`; a fork's pull request gets a read-only token)")
        return 0
    except (urllib.error.URLError, OSError) as error:
        print(f"::warning title=gpulint::could not post suggestions: {error}")
        return 0
    print(f"gpulint: {done['posted']} suggestion(s) posted, {done['outside_diff']} outside the diff, "
          f"{done['already_posted']} already posted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
