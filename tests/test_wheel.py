"""The built wheel carries everything ``rules/`` holds and works from a fresh virtualenv; the
sdist and wheel of a release build and pass ``twine check``."""

from __future__ import annotations

import shutil
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
    templates = REPO / "gpulint" / "scaffold" / "templates"
    for template in templates.rglob("*"):
        if template.is_file():  # `gpulint init` reads them from the installed package
            assert f"gpulint/scaffold/templates/{template.relative_to(templates).as_posix()}" in names

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
    scaffolded = tmp_path / "scaffolded"
    scaffolded.mkdir()
    result = subprocess.run([str(python), "-m", "gpulint", "init", str(scaffolded), "--ci", "tekton"], cwd=tmp_path,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    result = subprocess.run([str(python), "-m", "gpulint", "check", str(scaffolded)], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    config = tmp_path / "cfg"
    config.mkdir()
    (config / ".gpulint.yaml").write_text("selekt: [GL1]\n")
    result = subprocess.run([str(python), "-m", "gpulint", "check", str(config)], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 2  # a bad configuration stops the run
    assert "cfg/.gpulint.yaml:1:1: unknown config key 'selekt'; did you mean 'select'?" in result.stderr


@pytest.mark.slow
def test_sdist_and_wheel_build_and_pass_twine_check(tmp_path: Path):
    """`python -m build` makes the sdist and, from it, the wheel (so the sdist is complete), and
    `twine check --strict` accepts both: what a release uploads."""
    pytest.importorskip("build")
    pytest.importorskip("twine")
    import tarfile

    from gpulint import __version__

    source = tmp_path / "src"  # a copy: building leaves nothing in the working tree
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        if (REPO / rel).is_file():
            (source / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, source / rel)
    dist = tmp_path / "dist"
    built = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (sdist,) = dist.glob("gpulint-*.tar.gz")
    (wheel,) = dist.glob("gpulint-*.whl")
    assert sdist.name == f"gpulint-{__version__}.tar.gz" and wheel.name == f"gpulint-{__version__}-py3-none-any.whl"
    checked = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(sdist), str(wheel)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("PASSED") == 2
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for rel in ("CHANGELOG.md", "README.md", "action.yml", "scripts/action-run.sh", ".pre-commit-hooks.yaml",
                "rules/output.schema.json", "gpulint/__init__.py", "tests/test_wheel.py"):
        assert rel in names, rel
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"gpulint-{__version__}.dist-info/METADATA").decode()
        assert "gpulint/_rules/output.schema.json" in archive.namelist()
    assert f"\nVersion: {__version__}\n" in metadata
    assert "Description-Content-Type: text/markdown" in metadata
