"""Memory, CPU and process limits for a build, through a cgroup its steps run under.

Neither build API takes a process limit, and BuildKit takes no limit at all, but both builders
accept a cgroup parent (the classic builder always; BuildKit in Docker 23 and later). On an engine
that runs on this machine with the cgroupfs driver, live mode makes ``gpulint-build-<run>`` with
the limits, passes it as the build's cgroup parent, and afterwards reads the cgroup's CPU usage to
tell whether the steps really ran inside it (an engine that ignores the parent leaves it unused,
and the report says the limits did not apply). Removed at the end of the run, also when interrupted.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PERIOD = 100_000  # CFS period, microseconds


class BuildCgroup:
    def __init__(self, name: str, unified: bool):
        self.name, self.unified = name, unified

    @property
    def parent(self) -> str:
        return f"/{self.name}"

    @classmethod
    def create(cls, run_id: str, info: dict, url: str, memory: int, cpus: float,
               pids: int) -> tuple[BuildCgroup | None, str]:
        """(the cgroup, a note) or (None, why the build gets no cgroup limits)."""
        if not url.startswith("unix://"):
            return None, "a remote engine's cgroups are not this machine's"
        driver = info.get("CgroupDriver")
        if driver != "cgroupfs":
            return None, f"the engine's cgroup driver is {driver or 'unknown'}, not cgroupfs"
        if not hasattr(os, "geteuid") or os.geteuid() != 0:
            return None, "making a cgroup needs root"
        unified = str(info.get("CgroupVersion") or "") == "2" or (ROOT / "cgroup.controllers").is_file()
        cgroup = cls(f"gpulint-build-{run_id}", unified)
        quota = max(1000, int(cpus * PERIOD))
        try:
            if unified:
                enabled = (ROOT / "cgroup.subtree_control").read_text().split()
                missing = [c for c in ("memory", "cpu", "pids") if c not in enabled]
                if missing:
                    (ROOT / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in missing))
                folder = ROOT / cgroup.name
                folder.mkdir()
                _write(folder, {"memory.max": memory, "memory.swap.max": 0, "cpu.max": f"{quota} {PERIOD}",
                                "pids.max": pids})
            else:
                for controller, values in (("memory", {"memory.limit_in_bytes": memory,
                                                       "memory.memsw.limit_in_bytes": memory}),
                                           ("cpu", {"cpu.cfs_period_us": PERIOD, "cpu.cfs_quota_us": quota}),
                                           ("cpuacct", {}), ("pids", {"pids.max": pids})):
                    folder = ROOT / controller / cgroup.name
                    folder.mkdir(exist_ok=True)
                    _write(folder, values)
        except OSError as error:
            cgroup.remove(wait=0)
            return None, f"cannot make a cgroup for the build ({error.strerror or error})"
        return cgroup, f"cgroup {cgroup.parent}"

    def used(self) -> bool:
        """Whether any process of the build ran inside (its CPU time is counted up the hierarchy)."""
        try:
            if self.unified:
                stat = (ROOT / self.name / "cpu.stat").read_text().split()
                return int(stat[stat.index("usage_usec") + 1]) > 0
            return int((ROOT / "cpuacct" / self.name / "cpuacct.usage").read_text()) > 0
        except (OSError, ValueError, IndexError):
            return False

    def remove(self, wait: float = 10.0) -> list[str]:
        """Remove it from every hierarchy (the engine made it there too); the paths it could not remove."""
        folders = [ROOT / self.name] if self.unified else \
            [h / self.name for h in ROOT.iterdir() if h.is_dir() and not h.is_symlink()]
        deadline = time.monotonic() + wait
        left = [f for f in folders if f.is_dir()]
        while left:
            for folder in left:
                for child in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
                    _rmdir(child)
                _rmdir(folder)
            left = [f for f in left if f.is_dir()]
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.5)  # the engine is still removing the build's last container
        return [str(f) for f in left]


def _write(folder: Path, values: dict) -> None:
    for name, value in values.items():
        path = folder / name
        if path.exists():
            path.write_text(str(value))


def _rmdir(path: Path) -> None:
    try:
        path.rmdir()
    except OSError:
        pass
