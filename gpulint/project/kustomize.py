"""What the project's kustomizations do to the manifests they build.

A manifest listed (directly, or through a folder it lists) in a ``kustomization.yaml`` is a base:
what the API server receives is kustomize's output, not the file. Only what changes a verdict
is read:

* ``images:`` rewrites a container image by name (``newName``, ``newTag``, ``digest``): an
  ``image: controller:latest`` in the base is a placeholder for the tag the kustomization sets;
* ``commonLabels`` and ``labels`` with ``includeSelectors: true`` add labels to every object's
  selector and pod template, so a base without ``spec.selector`` builds a valid Deployment.

Kustomizations are read as data (``resources``, ``bases`` and ``components`` name files and
folders); remote resources (URLs) are not followed.
"""

from __future__ import annotations

import posixpath
from functools import cached_property
from typing import Any, NamedTuple

from gpulint.core.source import Source
from gpulint.project.yaml_files import first_mappings
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.yamlnode import Node

NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_LISTS = ("resources", "bases", "components")


class ImageOverride(NamedTuple):
    """An ``images:`` entry of a kustomization that builds the manifest."""

    kustomization: str  # its path
    name: str
    new_name: str | None
    new_tag: str | None
    digest: str | None


class _Kustomization(NamedTuple):
    path: str
    listed: tuple[str, ...]  # the files and folders it builds, root-relative
    images: dict[str, ImageOverride]
    selector_labels: bool


class KustomizeFacts:
    """The project's kustomizations, read once (``project.facts(KustomizeFacts)``)."""

    def __init__(self, project: Any) -> None:
        self.project = project

    @cached_property
    def _by_folder(self) -> dict[str, _Kustomization]:
        found: dict[str, _Kustomization] = {}
        for rel, root in first_mappings(self.project, NAMES.__contains__):
            found.setdefault(posixpath.dirname(rel), _parse(root, rel))
        return found

    @cached_property
    def _builders(self) -> dict[str, list[_Kustomization]]:
        """For each file a kustomization lists (directly or through a listed folder's kustomization,
        or a folder without one: all its YAML files), the kustomizations that build it."""
        out: dict[str, list[_Kustomization]] = {}
        for kustomization in self._by_folder.values():
            for rel in self._built_files(kustomization, set()):
                out.setdefault(rel, []).append(kustomization)
        return out

    def _built_files(self, kustomization: _Kustomization, seen: set[str]) -> list[str]:
        if kustomization.path in seen:
            return []
        seen.add(kustomization.path)
        files = self.project.files
        out: list[str] = []
        for item in kustomization.listed:
            inner = self._by_folder.get(item)
            if inner is not None:
                out.extend(self._built_files(inner, seen))
            elif files.is_file(item):
                out.append(item)
            elif files.is_dir(item):
                out.extend(f for f in files.files_under(item) if f.endswith((".yaml", ".yml")))
        return out

    def builders(self, source: Source) -> list[_Kustomization]:
        rel = self.project.files.rel(source.path) if source.path is not None else None
        return self._builders.get(rel, []) if rel is not None else []

    def image_override(self, source: Source, image: str) -> ImageOverride | None:
        """The ``images:`` entry that rewrites ``image`` (matched by name, without tag or digest)
        in a kustomization that builds the file."""
        name = _image_name(image)
        for kustomization in self.builders(source):
            found = kustomization.images.get(name)
            if found is not None:
                return found
        return None

    def adds_selector_labels(self, source: Source) -> _Kustomization | None:
        """A kustomization that builds the file and adds labels to selectors and pod templates."""
        return next((k for k in self.builders(source) if k.selector_labels), None)


def _image_name(image: str) -> str:
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return name[:len(name) - len(last)] + last.split(":", 1)[0] if ":" in last else name


def _parse(root: Node, rel: str) -> _Kustomization:
    folder = posixpath.dirname(rel)
    listed: list[str] = []
    for key in _LISTS:
        for item in Y.items(Y.get(root, key)):
            text = Y.text(item)
            if text and "://" not in text and not text.startswith(("git@", "github.com/")):
                listed.append(posixpath.normpath(posixpath.join(folder, text)))
    images: dict[str, ImageOverride] = {}
    for entry in Y.items(Y.get(root, "images")):
        name = Y.text(Y.get(entry, "name")) if Y.is_map(entry) else None
        if name:
            images.setdefault(name, ImageOverride(rel, name, Y.text(Y.get(entry, "newName")),
                                                  Y.text(Y.get(entry, "newTag")), Y.text(Y.get(entry, "digest"))))
    common = Y.get(root, "commonLabels")
    selector_labels = Y.is_map(common) and bool(Y.pairs(common)) or any(
        Y.is_map(entry) and Y.scalar(Y.get(entry, "includeSelectors")) is True and Y.pairs(Y.get(entry, "pairs"))
        for entry in Y.items(Y.get(root, "labels")))
    return _Kustomization(rel, tuple(listed), images, bool(selector_labels))
