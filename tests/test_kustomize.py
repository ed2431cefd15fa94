"""Manifests that a kustomization builds are judged as kustomize deploys them: an image its
`images:` entry rewrites (GL309) and a selector its labels add (GL301)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpulint.engine.run import run
from gpulint.project.config import Config

MANAGER = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: controller-manager
spec:
{selector}  template:
    metadata:
      labels:
        control-plane: controller-manager
    spec:
      containers:
      - name: manager
        image: controller:latest
"""
SELECTOR = "  selector:\n    matchLabels:\n      control-plane: controller-manager\n"


def _findings(root: Path, files: dict[str, str], rule: str) -> list:
    (root / ".git").mkdir()
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return [f for f in run([root], config=Config(profile="production")).findings if f.rule == rule]


@pytest.mark.parametrize("override", ["newTag: v0.14.2", "digest: sha256:" + "a" * 64,
                                      "newName: ghcr.io/acme/controller\n  newTag: v0.14.2"])
def test_image_set_by_the_kustomization_is_judged(tmp_path: Path, override: str) -> None:
    kustomization = f"resources:\n- manager.yaml\nimages:\n- name: controller\n  {override}\n"
    files = {"config/manager/manager.yaml": MANAGER.format(selector=SELECTOR),
             "config/manager/kustomization.yaml": kustomization}
    assert _findings(tmp_path, files, "GL309") == []


def test_image_set_to_a_moving_tag_names_the_kustomization(tmp_path: Path) -> None:
    files = {"config/manager/manager.yaml": MANAGER.format(selector=SELECTOR),
             "config/manager/kustomization.yaml": "resources:\n- manager.yaml\nimages:\n- name: controller\n"
                                                  "  newName: ghcr.io/acme/controller\n  newTag: main\n"}
    found = _findings(tmp_path, files, "GL309")
    assert [(f.path, f.line) for f in found] == [("config/manager/manager.yaml", 16)]
    assert "ghcr.io/acme/controller:main" in found[0].message
    assert "config/manager/kustomization.yaml" in found[0].message


@pytest.mark.parametrize("files", [
    {"kustomization.yaml": "resources:\n- other.yaml\nimages:\n- name: controller\n  newTag: v1\n"},  # not listed
    {"kustomization.yaml": "resources:\n- manager.yaml\nimages:\n- name: manager\n  newTag: v1\n"},  # other image
])
def test_other_kustomizations_change_nothing(tmp_path: Path, files: dict[str, str]) -> None:
    files = {"manager.yaml": MANAGER.format(selector=SELECTOR), **files}
    assert len(_findings(tmp_path, files, "GL309")) == 1


@pytest.mark.parametrize("labels", [
    "labels:\n- pairs:\n    control-plane: controller-manager\n  includeSelectors: true\n",
    "commonLabels:\n  control-plane: controller-manager\n",
])
def test_selector_written_by_an_overlay(tmp_path: Path, labels: str) -> None:
    files = {"config/manager/manager.yaml": MANAGER.format(selector=""),
             "config/manager/kustomization.yaml": "resources:\n- manager.yaml\n",
             "config/default/kustomization.yaml": labels + "resources:\n- ../manager\n"}
    assert _findings(tmp_path, files, "GL301") == []


@pytest.mark.parametrize("labels", [
    "labels:\n- pairs:\n    control-plane: controller-manager\n",  # includeSelectors defaults to false
    "",
])
def test_missing_selector_without_selector_labels(tmp_path: Path, labels: str) -> None:
    files = {"config/manager/manager.yaml": MANAGER.format(selector=""),
             "config/default/kustomization.yaml": labels + "resources:\n- ../manager/manager.yaml\n"}
    assert [f.line for f in _findings(tmp_path, files, "GL301")] == [5]


def test_lab_asks_for_the_selector_as_written(tmp_path: Path) -> None:
    files = {"config/manager/manager.yaml": MANAGER.format(selector=""),
             "config/default/kustomization.yaml": "commonLabels:\n  control-plane: controller-manager\n"
                                                  "resources:\n- ../manager/manager.yaml\n"}
    (tmp_path / ".git").mkdir()
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = [f for f in run([tmp_path], config=Config(profile="lab")).findings if f.rule == "GL301"]
    assert [f.line for f in found] == [5]

