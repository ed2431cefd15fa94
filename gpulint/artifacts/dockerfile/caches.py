"""Package caches a stage's installs leave in its image.

An install keeps its download cache in the layer unless the same ``RUN`` mounts a cache over it
(``RUN --mount=type=cache,target=/var/lib/apt``), removes it (``rm -rf /var/lib/apt/lists/*``,
``dnf clean all``), or the tool is told not to write one (``pip --no-cache-dir``,
``ENV PIP_NO_CACHE_DIR=1``, ``apk add --no-cache``, ``uv pip install --no-cache``). Conda's
package cache is left unless some ``RUN`` of the stage runs ``conda clean``.
"""

from __future__ import annotations

import posixpath

from gpulint.artifacts.dockerfile.model import Dockerfile, Stage
from gpulint.artifacts.dockerfile.packages import install_command
from gpulint.artifacts.dockerfile.stage_use import mount_fields
from gpulint.artifacts.dockerfile.variables import stage_variables
from gpulint.syntax.shell import parse_shell

# Where each package manager keeps its cache: a mount over it or a removal of it keeps it out.
_CACHE_PREFIXES = {
    "apt": ("/var/lib/apt",),  # the package lists; the .deb cache itself is cleaned by Debian's images
    "rpm": ("/var/cache/dnf", "/var/cache/yum", "/var/cache/zypp", "/var/cache/tdnf"),
    "apk": ("/var/cache/apk",),
}


def _covers(path: str, manager: str) -> bool:
    if manager == "pip":  # pip's and uv's caches live under the home's .cache
        return "/.cache" in path or path.startswith("~/.cache")
    if manager == "conda":
        return "/pkgs" in path or path.rstrip("/").endswith(("/conda", "/miniconda3", "/.conda"))
    return path.startswith(_CACHE_PREFIXES.get(manager, ()))


_NO_CACHE_OPTIONS = {"pip": ("--no-cache-dir", "--no-cache"), "apk": ("--no-cache",)}
_NO_CACHE_ENV = ("PIP_NO_CACHE_DIR", "UV_NO_CACHE")
_CLEANS = {"apt": ("apt-get", "apt"), "rpm": ("dnf", "yum", "microdnf", "tdnf", "zypper"),
           "conda": ("conda", "mamba", "micromamba")}


def cache_left(stage: Stage, dockerfile: Dockerfile) -> str | None:
    """The first install of the stage that leaves its package cache in the image (``apt-get
    install``...), or None when every install keeps its cache out."""
    variables = stage_variables(dockerfile, stage)
    no_cache_env = any((variables.get(name) or "").lower() not in ("", "0", "false", "off", "no")
                       for name in _NO_CACHE_ENV)
    conda_cleaned = False
    found: list[tuple[str, str]] = []
    for instruction in stage.instructions:
        if instruction.keyword != "RUN":
            continue
        mounts = [mount_fields(f.value) for f in instruction.flag_list if f.name == "mount"]
        targets = [m.get("target") or m.get("dst") or m.get("destination") or "" for m in mounts
                   if m.get("type") in ("cache", "tmpfs")]
        commands = [c.argv() for body in [instruction.body] + [h.body for h in instruction.heredocs]
                    for c in parse_shell(body, errexit=False).commands]
        removed = [posixpath.normpath(w) for argv in commands if argv and argv[0].rsplit("/", 1)[-1] == "rm"
                   for w in argv[1:] if w.startswith("/") or w.startswith("~")]
        cleaned = {manager for argv in commands for manager, tools in _CLEANS.items()
                   if argv and argv[0].rsplit("/", 1)[-1] in tools and "clean" in argv[1:3]}
        conda_cleaned = conda_cleaned or "conda" in cleaned
        for argv in commands:
            parsed = install_command(argv)
            if parsed is None:
                continue
            manager, words = parsed
            if any(_covers(t, manager) for t in targets if t) or any(_covers(p, manager) for p in removed):
                continue
            if manager in cleaned and manager in ("rpm", "apk"):  # `apt-get clean` leaves the lists
                continue
            if any(option in words for option in _NO_CACHE_OPTIONS.get(manager, ())):
                continue
            if manager == "pip" and no_cache_env:
                continue
            found.append((manager, " ".join(argv[:2])))
    for manager, shown in found:
        if manager == "conda" and conda_cleaned:
            continue
        return shown
    return None
