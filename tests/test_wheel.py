"""The built wheel carries everything ``rules/`` holds and works from a fresh virtualenv."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import REPO


@pytest.mark.slow
def test_wheel_installs_and_checks_reference(tmp_path: Path):
    pytest.importorskip("hatchling")
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist),
                    str(REPO)], check=True, capture_output=True)
    (wheel,) = dist.glob("gpulint-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for data in (REPO / "rules").iterdir():
        assert f"gpulint/_rules/{data.name}" in names

    # A fresh venv with the wheel in its own site-packages; the dependencies come from this
    # interpreter's site-packages through a .pth file placed after it, never the source tree.
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    (site / "zz_deps.pth").write_text(sysconfig.get_path("purelib") + "\n" + sysconfig.get_path("platlib") + "\n")
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    where = subprocess.run([str(python), "-c", "import gpulint; print(gpulint.__file__)"], cwd=tmp_path,
                           env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(site)), where
    result = subprocess.run([str(python), "-m", "gpulint", "check", str(REPO / "reference")], cwd=tmp_path,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    config = tmp_path / "cfg"
    config.mkdir()
    (config / ".gpulint.yaml").write_text("selekt: [GL1]\n")
    result = subprocess.run([str(python), "-m", "gpulint", "check", str(config)], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 2  # a bad configuration stops the run
    assert "cfg/.gpulint.yaml:1:1: unknown config key 'selekt'; did you mean 'select'?" in result.stderr
