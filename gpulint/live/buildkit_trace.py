"""BuildKit's progress as the Engine API streams it: ``moby.buildkit.trace`` messages, base64 protobuf.

Only what a report needs is read: each step's name, whether it failed, and the lines it printed
(``StatusResponse``: vertexes = 1 {digest = 1, name = 3, error = 7}, logs = 3 {vertex = 1, msg = 4}).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator


def _varint(data: bytes, index: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        byte = data[index]
        index += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, index
        shift += 7


def _fields(data: bytes) -> Iterator[tuple[int, bytes | int]]:
    index = 0
    while index < len(data):
        key, index = _varint(data, index)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, index = _varint(data, index)
            yield number, value
        elif wire == 2:
            size, index = _varint(data, index)
            yield number, data[index:index + size]
            index += size
        elif wire == 1:
            index += 8
        elif wire == 5:
            index += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")


class Trace:
    """The build's steps and their output, accumulated from trace messages."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}  # vertex digest -> "[stage 2/4] RUN ..."
        self.errors: dict[str, str] = {}
        self.logs: list[tuple[str, str]] = []  # (vertex digest, line)
        self.started: list[str] = []  # vertex digests in the order they appeared

    def feed(self, aux: str) -> list[str]:
        """Read one message; returns the step names seen for the first time (for a progress display)."""
        try:
            message = base64.b64decode(aux)
            fields = list(_fields(message))
        except (ValueError, IndexError):
            return []
        new = []
        for number, value in fields:
            if number == 1 and isinstance(value, bytes):
                vertex = {n: v for n, v in _fields(value) if isinstance(v, bytes)}
                digest = vertex.get(1, b"").decode("utf-8", "replace")
                name = vertex.get(3, b"").decode("utf-8", "replace")
                if digest and name and digest not in self.names:
                    self.names[digest] = name
                    self.started.append(digest)
                    new.append(name)
                if digest and vertex.get(7):
                    self.errors[digest] = vertex[7].decode("utf-8", "replace")
            elif number == 3 and isinstance(value, bytes):
                log = {n: v for n, v in _fields(value) if isinstance(v, bytes)}
                digest = log.get(1, b"").decode("utf-8", "replace")
                for line in log.get(4, b"").decode("utf-8", "replace").splitlines():
                    if line.strip():
                        self.logs.append((digest, line.rstrip()))
                del self.logs[:-400]
        return new

    def failed_step(self) -> tuple[str, list[str]] | None:
        """(the failing step's name, its last lines), when a step reported an error."""
        for digest in reversed(self.started):
            if digest in self.errors:
                lines = [line for d, line in self.logs if d == digest][-5:]
                return self.names.get(digest, digest), lines
        return None
