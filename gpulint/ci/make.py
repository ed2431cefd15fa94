"""`make TARGET` in a CI step, followed into the repository's Makefile: the recipes it runs are
read as the step's own commands (a `make push-image` whose recipe runs `docker push` is a push).

Only Makefiles inside the scanned repository are read (``-C DIR``, ``-f FILE``, else
``GNUmakefile``, ``makefile`` or ``Makefile`` in the working directory, the repository root);
variables given on the command line (``make build IMAGE=x``) override the Makefile's.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Any

from gpulint.syntax.makefile import Makefile, parse_makefile

_NAMES = ("GNUmakefile", "makefile", "Makefile")
_VALUED = {"-f", "--file", "--makefile", "-C", "--directory", "-j", "--jobs", "-l", "-o", "-W", "-I"}


def is_make(argv: list[str]) -> bool:
    return bool(argv) and os.path.basename(argv[0]) in ("make", "gmake")


def make_recipes(project: Any, repository: str | None, argv: list[str]) -> list[tuple[str, str]]:
    """(target, recipe line) of what ``argv`` (a `make` command run at the repository root) runs;
    empty when the Makefile is not among the scanned files or the repository root is unknown."""
    if project is None or repository is None or not is_make(argv):
        return []
    folder, names, goals, overrides = ".", list(_NAMES), [], {}
    i = 1
    while i < len(argv):
        word = argv[i]
        value = argv[i + 1] if i + 1 < len(argv) else ""
        if word in ("-C", "--directory"):
            folder = posixpath.join(folder, value)
        elif word.startswith("--directory="):
            folder = posixpath.join(folder, word.split("=", 1)[1])
        elif word in ("-f", "--file", "--makefile"):
            names = [value]
        elif word.startswith(("--file=", "--makefile=")):
            names = [word.split("=", 1)[1]]
        elif "=" in word and not word.startswith("-"):
            name, _, given = word.partition("=")
            overrides[name] = given
        elif not word.startswith("-"):
            goals.append(word)
        if word in _VALUED:
            i += 1
        i += 1
    makefile = _read(project, posixpath.normpath(posixpath.join(repository or ".", folder)), names)
    if makefile is None:
        return []
    if overrides:
        makefile = Makefile({**makefile.variables, **overrides}, makefile.targets, makefile.default)
    return makefile.commands(goals)


def _read(project: Any, folder: str, names: list[str]) -> Makefile | None:
    cache = project.memo("ci-makefiles", dict)
    key = (folder, tuple(names))
    if key not in cache:
        cache[key] = None
        for name in names:
            source = project.read_file(Path(project.root) / folder / name)
            if source is not None:
                cache[key] = parse_makefile(source.text)
                break
    return cache[key]
