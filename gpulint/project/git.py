"""What a repository's own git files say, read as files (git never runs): the `origin` remote
(the owner and name of the repository) and the checked-out commit. `gpulint init` names the
project from them; rules learn which actions and images are the repository owner's own."""

from __future__ import annotations

import re
from pathlib import Path

from gpulint.core.records import Record


class Remote(Record):
    host: str | None = None
    owner: str | None = None  # user, organisation or GitLab group path
    repo: str | None = None


def read_remote(repo: Path) -> Remote:
    """The `origin` remote of the repository's git configuration (read as a file, git never runs)."""
    import configparser  # only where a rule asks for the remote

    try:
        folder = git_dir(repo)
        config = folder / "config" if folder is not None else None
        if config is None or not config.is_file():
            return Remote()
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read(config, encoding="utf-8")
    except (OSError, UnicodeDecodeError, configparser.Error):  # an unreadable or broken config: no remote
        return Remote()
    url = parser.get('remote "origin"', "url", fallback=None)
    return parse_remote(url) if url else Remote()


def parse_remote(url: str) -> Remote:
    url = url.strip()
    match = re.match(r"^(?:[a-z+]+://)?(?:[^@/]+@)?([^:/]+)(?::\d+)?[:/](.+?)(?:\.git)?/?$", url)
    if not match:
        return Remote()
    host, path = match.group(1).lower(), match.group(2).strip("/")
    parts = [p for p in path.split("/") if p]
    if len(parts) < 2:
        return Remote(host, None, parts[0] if parts else None)
    return Remote(host, "/".join(parts[:-1]), parts[-1])


def git_dir(repo: Path) -> Path | None:
    dot = repo / ".git"
    if dot.is_dir():
        return dot
    if dot.is_file():  # a worktree or submodule: "gitdir: <path>"
        text = dot.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text.split(":", 1)[1].strip())
            target = target if target.is_absolute() else (repo / target)
            common = target / "commondir"
            if common.is_file():  # a worktree's config lives in the main repository
                shared = Path(common.read_text().strip())
                return (shared if shared.is_absolute() else target / shared).resolve()
            return target.resolve()
    return None


def head_commit(repo: Path) -> str | None:
    """The checked-out commit (HEAD), read from the repository's files."""
    dot = repo / ".git"
    own = dot if dot.is_dir() else None
    if dot.is_file():
        text = dot.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text.split(":", 1)[1].strip())
            own = target if target.is_absolute() else repo / target
    if own is None or not (own / "HEAD").is_file():
        return None
    head = (own / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
    if re.fullmatch(r"[0-9a-f]{40}", head):
        return head
    if not head.startswith("ref:"):
        return None
    ref = head[4:].strip()
    common = git_dir(repo) or own
    for base in (own, common):
        path = base / ref
        if path.is_file():
            sha = path.read_text(encoding="utf-8", errors="replace").strip()
            return sha if re.fullmatch(r"[0-9a-f]{40}", sha) else None
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="utf-8", errors="replace").splitlines():
            sha, _, name = line.partition(" ")
            if name.strip() == ref and re.fullmatch(r"[0-9a-f]{40}", sha):
                return sha
    return None


def find_git_root(folder: Path) -> Path | None:
    """The nearest folder at or above ``folder`` holding a `.git` (as git looks for it)."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None
