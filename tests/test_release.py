"""A release is one version everywhere: `gpulint --version`, the changelog's newest release, the
git tag `v<version>` (when HEAD is tagged) and the revisions the README tells users to pin."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from conftest import REPO

from gpulint import __version__

README = (REPO / "README.md").read_text(encoding="utf-8")
CHANGELOG = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")


def test_version_is_semantic_and_printed(cli):
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    assert cli("--version").stdout == f"gpulint {__version__}\n"


def test_changelog_newest_release_is_this_version():
    releases = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?", CHANGELOG, re.M)
    assert releases[0] == ("Unreleased", "")  # keep-a-changelog: an Unreleased section on top
    version, date = releases[1]
    assert version == __version__ and date
    dates = [d for _, d in releases[1:]]
    assert dates == sorted(dates, reverse=True)  # newest first
    assert f"[{__version__}]: https://github.com/gpulint/gpulint/releases/tag/v{__version__}" in CHANGELOG
    assert f"[Unreleased]: https://github.com/gpulint/gpulint/compare/v{__version__}...HEAD" in CHANGELOG
    for heading in re.findall(r"^### (.+)$", CHANGELOG, re.M):
        assert heading in ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")


def test_readme_pins_revisions_that_exist():
    revs = re.findall(r"^\s*rev: (\S+)", README, re.M)
    assert revs and set(revs) == {f"v{__version__}"}
    uses = re.findall(r"uses: gpulint/gpulint@(\S+)", README)
    assert uses and set(uses) == {f"v{__version__}"}


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_tagged_head_is_tagged_with_this_version():
    tags = subprocess.run(["git", "tag", "--points-at", "HEAD", "--list", "v*"], cwd=REPO, capture_output=True,
                          text=True)
    if tags.returncode != 0:
        pytest.skip("not a git checkout")
    for tag in tags.stdout.split():
        assert tag == f"v{__version__}", f"HEAD is tagged {tag} but gpulint is {__version__}"


def test_examples_install_this_release_not_an_unpublished_package():
    """gpulint is not on PyPI: the autograder examples install the release tag from its repository."""
    spec = f"git+https://github.com/gpulint/gpulint@v{__version__}"
    for rel in ("examples/classroom/classroom.yml.example", "examples/classroom/autograding.json",
                "examples/gradescope/setup.sh"):
        text = (REPO / rel).read_text(encoding="utf-8")
        assert spec in text, rel
        assert not re.search(r"pip install ['\"]?gpulint(\[[a-z]+\])?['\"]?\s*$", text, re.M), rel
    assert spec in README
