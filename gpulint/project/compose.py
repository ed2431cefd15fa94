"""How the project's Compose files run the images its Dockerfiles build.

A Compose service with ``build:`` runs the image of a Dockerfile (``context`` and ``dockerfile``
relative to the Compose file); what it sets there is how Compose users get the container: its
``user:`` and its ``healthcheck:`` (``disable: true`` turns the image's off). ``extends:`` (in
the same file or another) is followed one level. Only what changes a verdict is read. The
Dockerfile rules import this module when they have something to say, so a Dockerfile alone
loads no YAML.
"""

from __future__ import annotations

import posixpath
import re
from functools import cached_property
from typing import Any, NamedTuple

from gpulint.core.source import Source
from gpulint.project.yaml_files import first_mappings
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.shell import split_words
from gpulint.syntax.yamlnode import Node

_NAME = re.compile(r"^(?:docker-)?compose(?:[._-][\w.-]+)?\.ya?ml$", re.IGNORECASE)


class Service(NamedTuple):
    """A Compose service that builds one of the project's Dockerfiles."""

    path: str  # the Compose file
    name: str
    dockerfile: str  # root-relative path of the Dockerfile it builds
    target: str | None  # `build.target`
    user: str | None  # `user:` as written
    healthcheck: bool | None  # True: declares one; False: `disable: true`; None: says nothing
    gpu: bool  # reserves GPUs (`deploy.resources.reservations.devices`, `gpus:`, `runtime: nvidia`)
    ports: bool  # publishes or exposes ports: something connects to it
    command: tuple[str, ...] | None = None  # `entrypoint:` + `command:` words, when the service sets either


class ComposeFacts:
    """The Compose services of the project, by the Dockerfile they build (``project.facts``)."""

    def __init__(self, project: Any) -> None:
        self.project = project

    @cached_property
    def _files(self) -> dict[str, Node]:
        return {rel: root for rel, root in first_mappings(self.project, _NAME.match)
                if Y.is_map(Y.get(root, "services"))}

    @cached_property
    def _by_dockerfile(self) -> dict[str, list[Service]]:
        out: dict[str, list[Service]] = {}
        for path, root in self._files.items():
            for key, node in Y.pairs(Y.get(root, "services")):
                service = self._service(path, Y.key_text(key) or "", node, 0)
                if service is not None:
                    out.setdefault(service.dockerfile, []).append(service)
        return out

    def _service(self, path: str, name: str, node: Node, depth: int) -> Service | None:
        if not Y.is_map(node):
            return None
        base = self._extended(path, node, depth)
        build = Y.get(node, "build")
        folder = posixpath.dirname(path)
        if Y.is_scalar(build) and Y.text(build):
            context, dockerfile, target = Y.text(build), "Dockerfile", None
        elif Y.is_map(build):
            context = Y.text(Y.get(build, "context")) or "."
            dockerfile = Y.text(Y.get(build, "dockerfile")) or "Dockerfile"
            target = Y.text(Y.get(build, "target"))
        elif base is not None:
            context, dockerfile, target = None, base.dockerfile, base.target
        else:
            return None
        if context is not None:
            if "://" in context or "$" in context or "$" in dockerfile:
                return None
            dockerfile = posixpath.normpath(posixpath.join(folder, context, dockerfile))
        user = Y.text(Y.get(node, "user")) if Y.get(node, "user") is not None else (base.user if base else None)
        check = Y.get(node, "healthcheck")
        if Y.is_map(check):
            test = Y.get(check, "test")
            first = Y.text(Y.items(test)[0]) if Y.is_seq(test) and Y.items(test) else Y.text(test)
            healthcheck: bool | None = Y.scalar(Y.get(check, "disable")) is not True and first != "NONE"
        else:
            healthcheck = base.healthcheck if base is not None else None
        gpu = _reserves_gpus(node) or (base.gpu if base is not None else False)
        ports = bool(Y.items(Y.get(node, "ports")) or Y.items(Y.get(node, "expose"))) or (
            base.ports if base is not None else False)
        command = _words(Y.get(node, "entrypoint")) + _words(Y.get(node, "command"))
        return Service(path, name, dockerfile, target, user, healthcheck, gpu, ports,
                       tuple(command) if command else (base.command if base is not None else None))

    def _extended(self, path: str, node: Node, depth: int) -> Service | None:
        """The service ``extends:`` names (one level), with what it builds and sets."""
        extends = Y.get(node, "extends")
        if depth > 0 or extends is None:
            return None
        other, file = (Y.text(extends), path) if Y.is_scalar(extends) else (
            Y.text(Y.get(extends, "service")),
            posixpath.normpath(posixpath.join(posixpath.dirname(path), Y.text(Y.get(extends, "file")) or ""))
            if Y.get(extends, "file") is not None else path)
        root = self._files.get(file)
        target = Y.get(Y.get(root, "services"), other or "") if root is not None else None
        return self._service(file, other or "", target, depth + 1) if target is not None else None

    def services(self, source: Source) -> list[Service]:
        """The Compose services that build the Dockerfile of ``source``."""
        rel = self.project.files.rel(source.path) if source.path is not None else None
        return self._by_dockerfile.get(rel, []) if rel is not None else []


def _words(node: Node | None) -> list[str]:
    """A Compose `command:`/`entrypoint:` as words (a string is split as a shell would)."""
    if Y.is_seq(node):
        return [Y.text(item) or "" for item in Y.items(node)]
    text = Y.text(node) if Y.is_scalar(node) else None
    return split_words(text) if text else []


def _reserves_gpus(node: Node) -> bool:
    if Y.get(node, "gpus") is not None or (Y.text(Y.get(node, "runtime")) or "").lower() == "nvidia":
        return True
    for device in Y.items(Y.get_path(node, "deploy", "resources", "reservations", "devices")):
        driver = (Y.text(Y.get(device, "driver")) or "").lower()
        capabilities = {(Y.text(c) or "").lower() for c in Y.items(Y.get(device, "capabilities"))}
        if driver in ("nvidia", "amd", "cdi") or "gpu" in capabilities:
            return True
    return False


def runs_as_root(user: str | None) -> bool | None:
    """Whether a Compose ``user:`` is root (None: not set, or decided by a variable)."""
    if user is None:
        return None
    variable = re.match(r"^\$\{\w+(?::?-([^}]*))?\}", user)  # `${APP_UID:-6972}`: the default decides
    if variable is not None:
        if variable.group(1) is None:
            return None
        name = variable.group(1)
    elif "$" in user:
        return None
    else:
        name = user.split(":", 1)[0]
    return name in ("root", "0", "")
