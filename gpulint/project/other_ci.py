"""CI systems a repository uses that gpulint does not read (Jenkins, Buildkite, CircleCI, ...).

Many GPU projects run their GPU tests where GPU machines are: Jenkins or Buildkite agents, while
a few GitHub workflows do the rest. What such a pipeline does cannot be seen, so "no pipeline of
the project runs the GPU test" cannot be said of that repository: the rules that ask it say
"cannot tell" there instead, naming the file. Systems that offer no GPU machines (Travis CI,
AppVeyor) are left out: a GPU test cannot hide there.
"""

from __future__ import annotations

import posixpath
from typing import Any

from gpulint.core.records import Record


class OtherCi(Record):
    system: str  # "Jenkins"
    path: str  # the configuration file, relative to the scanned root


# (system, folder names whose files configure it)
_FOLDERS = ((".buildkite", "Buildkite"), (".circleci", "CircleCI"), (".azure-pipelines", "Azure Pipelines"),
            (".azuredevops", "Azure Pipelines"), (".woodpecker", "Woodpecker CI"), (".teamcity", "TeamCity"),
            (".semaphore", "Semaphore"), (".harness", "Harness"), (".prow", "Prow"), (".jenkins", "Jenkins"))
_NAMES = {".drone.yml": "Drone", ".drone.yaml": "Drone", ".drone.jsonnet": "Drone", ".drone.star": "Drone",
          ".woodpecker.yml": "Woodpecker CI", ".woodpecker.yaml": "Woodpecker CI", ".prow.yaml": "Prow",
          "bitbucket-pipelines.yml": "Bitbucket Pipelines", ".gocd.yaml": "GoCD", "codefresh.yml": "Codefresh",
          "buildspec.yml": "AWS CodeBuild", "buildspec.yaml": "AWS CodeBuild"}
_CONFIG_SUFFIXES = (".yml", ".yaml", ".json", ".sh", ".groovy", ".kts", ".jsonnet", ".star", ".py")


def ci_system(rel: str) -> str | None:
    """The CI system a file configures, for systems gpulint does not read (None otherwise)."""
    parts = rel.split("/")
    name = parts[-1]
    lower = name.lower()
    if lower.endswith((".md", ".rst", ".txt", ".adoc", ".html")):
        return None  # documentation about the pipeline
    if name == "Jenkinsfile" or name.startswith(("Jenkinsfile.", "Jenkinsfile-", "Jenkinsfile_")) \
            or lower.endswith(".jenkinsfile"):
        return "Jenkins"
    if lower.startswith("azure-pipelines") and lower.endswith((".yml", ".yaml")):
        return "Azure Pipelines"
    found = _NAMES.get(name)
    if found is not None:
        return found
    for folder, system in _FOLDERS:
        if folder in parts[:-1] and lower.endswith(_CONFIG_SUFFIXES):
            return system
    return None


def _by_repository(files: Any) -> dict[str, list[OtherCi]]:
    """The unread CI configuration files of each repository of the scanned tree."""
    found: dict[str, list[OtherCi]] = {}
    for rel in files.files_under(""):
        system = ci_system(rel)
        if system is not None:
            found.setdefault(files.repository_of(rel), []).append(OtherCi(system, rel))
    return found


def other_ci(project: Any, path: str) -> list[OtherCi]:
    """The unread CI configurations of the repository a file belongs to (the tree is scanned
    once per run, not once per project)."""
    files = project.files
    return files.listing_index("other-ci", _by_repository).get(files.repository_of(path), [])


def describe(found: list[OtherCi]) -> str:
    """"Jenkins (Jenkinsfile) and Buildkite (.buildkite/pipeline.yml)": one file per system."""
    first: dict[str, str] = {}
    for item in found:
        first.setdefault(item.system, item.path)
    parts = [f"{system} ({posixpath.normpath(path)})" for system, path in first.items()]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
