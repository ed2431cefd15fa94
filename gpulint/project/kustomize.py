"""What the project's kustomizations do to the manifests they build.

A manifest listed (directly, or through a folder it lists) in a ``kustomization.yaml`` is a base:
what the API server receives is kustomize's output, not the file. Only what changes a verdict
is read:

* ``images:`` rewrites a container image by name (``newName``, ``newTag``, ``digest``): an
  ``image: controller:latest`` in the base is a placeholder for the tag the kustomization sets;
* ``commonLabels`` and ``labels`` with ``includeSelectors: true`` add labels to every object's
  selector and pod template, so a base without ``spec.selector`` builds a valid Deployment;
* ``replacements:`` copy a value (often from a ConfigMap) into fields of the objects it builds:
  a container ``image`` it targets is whatever that value is, decided outside the manifest;
* ``patches``, ``patchesStrategicMerge`` and ``patchesJson6902`` name files merged into what the
  kustomization builds: an object in such a file is partial (a Deployment patch that only sets a
  nodeSelector has no selector and no containers of its own).

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
    patches: tuple[str, ...] = ()  # the patch files it applies, root-relative
    # (kind, container) of each container image a `replacements:` target sets; None = any
    replaced_images: tuple[tuple[str | None, str | None], ...] = ()


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

    @cached_property
    def _patch_files(self) -> frozenset[str]:
        return frozenset(rel for k in self._by_folder.values() for rel in k.patches)

    def is_patch(self, source: Source) -> bool:
        """Whether a kustomization applies the file as a patch (its objects are partial)."""
        rel = self.project.files.rel(source.path) if source.path is not None else None
        return rel is not None and rel in self._patch_files

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

    def replaced_image(self, source: Source, kind: str | None, container: str | None) -> _Kustomization | None:
        """A kustomization that builds the file and sets the image of this container (of an
        object of this kind) through ``replacements:``."""
        for kustomization in self.builders(source):
            for target_kind, target_container in kustomization.replaced_images:
                if target_kind in (None, kind) and target_container in (None, container):
                    return kustomization
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
    patches: list[str] = []
    for key in ("patches", "patchesStrategicMerge", "patchesJson6902"):
        for entry in Y.items(Y.get(root, key)):
            text = Y.text(Y.get(entry, "path")) if Y.is_map(entry) else Y.text(entry)
            if text and "\n" not in text and "://" not in text:  # a path, not an inline patch
                patches.append(posixpath.normpath(posixpath.join(folder, text)))
    replaced_images: list[tuple[str | None, str | None]] = []
    for replacement in Y.items(Y.get(root, "replacements")):
        for target in Y.items(Y.get(replacement, "targets")) if Y.is_map(replacement) else ():
            if not Y.is_map(target):
                continue
            kind = Y.text(Y.get_path(target, "select", "kind")) or None
            for field_path in Y.items(Y.get(target, "fieldPaths")):
                container = _replaced_container(Y.text(field_path) or "")
                if container is not False:
                    replaced_images.append((kind, container))
    common = Y.get(root, "commonLabels")
    selector_labels = Y.is_map(common) and bool(Y.pairs(common)) or any(
        Y.is_map(entry) and Y.scalar(Y.get(entry, "includeSelectors")) is True and Y.pairs(Y.get(entry, "pairs"))
        for entry in Y.items(Y.get(root, "labels")))
    return _Kustomization(rel, tuple(listed), images, bool(selector_labels), tuple(patches),
                          tuple(replaced_images))


def _replaced_container(field_path: str) -> str | None | bool:
    """The container whose image a `replacements:` field path sets (``spec.template.spec.containers
    .[name=server].image`` -> "server"; an index or ``*`` -> None, any container), or False when
    the path sets no container image."""
    parts = field_path.split(".")
    if len(parts) < 3 or parts[-1] != "image" or parts[-3] not in ("containers", "initContainers"):
        return False
    selector = parts[-2]
    if selector.startswith("[name=") and selector.endswith("]"):
        return selector[len("[name="):-1]
    return None


def is_partial(obj: Any, project: Any) -> bool:
    """An object that is not a whole manifest: a fragment by its shape (``is_fragment``) or any
    object of a file a kustomization of the project applies as a patch."""
    from gpulint.artifacts.kubernetes.workloads import is_fragment

    return is_fragment(obj) or project.facts(KustomizeFacts).is_patch(obj.source)


def patches_a_whole_object(obj: Any, project: Any) -> bool:
    """A partial object (``is_partial``: a kustomize overlay's patch) of a kind and name that a
    whole object of the project also declares: the patch changes that object, which is judged
    itself. The lab judges a patch only when no whole object stands behind it."""
    if not is_partial(obj, project):
        return False

    def compute() -> set[tuple[str, str]]:
        return {(o.kind, o.name) for manifests in project.of_kind("kubernetes") for o in manifests.objects
                if isinstance(o.name, str) and not is_partial(o, project)}
    return (obj.kind, obj.name) in project.memo("kustomize-whole-objects", compute)
