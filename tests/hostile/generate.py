#!/usr/bin/env python3
"""Build the hostile corpus in a folder: the small committed files under ``files/`` plus the
inputs too big or too special to commit (50 MB files, alias bombs, deep nesting, many documents,
symlink loops and links out of the tree, unreadable files), made at test time.

    python tests/hostile/generate.py /tmp/hostile       # then: gpulint check /tmp/hostile
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
MB = 1024 * 1024


def build(dest: Path, outside: Path | None = None) -> Path:
    """Fill ``dest`` (created) with the corpus; ``outside`` is a folder beside it for out-of-tree links."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(FILES, dest, dirs_exist_ok=True, symlinks=True)
    gen = dest / "generated"
    gen.mkdir(exist_ok=True)

    def folder(name: str) -> Path:
        path = gen / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    # 50 MB files: one YAML with a huge scalar, one binary, one Dockerfile; over max-file-size.
    with (folder("huge-yaml") / "deploy.yaml").open("wb") as handle:
        handle.write(b"apiVersion: v1\nkind: ConfigMap\ndata:\n  k: ")
        chunk = b"x" * MB
        for _ in range(50):
            handle.write(chunk)
        handle.write(b"\n")
    with (folder("huge-binary") / "deploy.yaml").open("wb") as handle:
        handle.write(os.urandom(1024) * (50 * 1024))
    (folder("huge-dockerfile") / "Dockerfile").write_bytes(b"FROM a\n" + b"RUN true\n" * (50 * MB // 9))
    # Just under the size limit: a 2 MB line and a 1 MB Dockerfile of many instructions.
    (folder("long-line") / "deploy.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata: {k: '" + "y" * 2 * MB + "'}\n")
    (folder("many-instructions") / "Dockerfile").write_text("FROM a AS b\n" + "RUN echo x && true\n" * 50_000)
    # Alias bombs: billion laughs, wide, and nested-mapping variants.
    lines = ["apiVersion: v1", "kind: ConfigMap", 'a0: &a0 ["' + "lol" * 10 + '"]']
    for i in range(1, 30):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    (folder("alias-bomb-deep") / "bomb.yaml").write_text("\n".join(lines) + "\n")
    lines = ["apiVersion: apps/v1", "kind: Deployment", "x0: &x0 {a: 1, b: 2}"]
    for i in range(1, 25):
        lines.append(f"x{i}: &x{i} {{<<: *x{i - 1}, l: *x{i - 1}, r: *x{i - 1}}}")
    (folder("alias-bomb-merge") / "bomb.yaml").write_text("\n".join(lines) + "\n")
    # Deep nesting: flow, block and Python.
    (folder("deep-flow") / "deep.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata: " + "[" * 100_000 + "\n")
    (folder("deep-flow-closed") / "deep.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\ndata: " + "[" * 5_000 + "]" * 5_000 + "\n")
    block = "".join("  " * i + f"k{i}:\n" for i in range(2_000))
    (folder("deep-block") / "deep.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n" + block)
    (folder("deep-block-dashes") / "deep.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata:\n" + "- " * 100_000 + "x\n")
    (folder("deep-block-mixed") / "deep.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\ndata:\n" + "".join(" " * i + "- a:\n" for i in range(0, 3000, 2)))
    (folder("deep-python") / "smoke_test.py").write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    # Many documents.
    (folder("many-documents") / "many.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n---\n" * 5_000)
    # Symlinks: loops, a directory loop, links out of the tree, a dangling link.
    links = folder("symlinks")
    for name, target in (("loop-a.yaml", "loop-b.yaml"), ("loop-b.yaml", "loop-a.yaml"),
                         ("self.yaml", "self.yaml"), ("parent", ".."), ("dangling.yaml", "nowhere.yaml")):
        os.symlink(target, links / name)
    outside = outside or dest.parent / (dest.name + "-outside")
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "Dockerfile").write_text("FROM ubuntu\n")
    os.symlink(outside / "Dockerfile", links / "Dockerfile")
    os.symlink(outside, links / "elsewhere")
    os.symlink("/etc/passwd", links / "passwd.yaml")
    # Unreadable file and folder (ignored by root, which reads everything).
    unreadable = folder("unreadable")
    (unreadable / "Dockerfile").write_text("FROM x\n")
    (unreadable / "Dockerfile").chmod(0)
    closed = unreadable / "closed"
    closed.mkdir()
    (closed / "deploy.yaml").write_text("apiVersion: apps/v1\n")
    closed.chmod(0)
    # A FIFO named like an artifact: reading it would block forever.
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder("fifo") / "deploy.yaml")
    return dest


def cleanup(dest: Path) -> None:
    """Restore permissions so the folder can be deleted."""
    for path in dest.rglob("*"):
        if not path.is_symlink():
            try:
                path.chmod(0o755)
            except OSError:
                pass


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    print(build(target))
