"""Start-up stays light: heavy libraries load only on the code paths that need them."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO

HEAVY = ("kubernetes", "docker", "torch", "pynvml", "jsonschema", "rich", "nbformat", "IPython")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sys.modules))"],
                         capture_output=True, text=True, cwd=REPO, check=True).stdout
    return {line.split(".")[0] for line in out.splitlines()}


def test_version_path_imports_nothing_heavy():
    loaded = _modules_after("import gpulint.cli")
    assert not loaded & set(HEAVY)
    assert "yaml" not in loaded


def test_check_path_imports_nothing_heavy():
    loaded = _modules_after(
        "from pathlib import Path\nfrom gpulint.engine.run import run\nrun([Path('reference')])")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_scanned_code_is_never_imported(tmp_path):
    marker = tmp_path / "imported"
    (tmp_path / "smoke_test.py").write_text(f"open({str(marker)!r}, 'w').write('x')\nimport torch\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM a AS b\nFROM c\nCOPY smoke_test.py /app/\nUSER 1\nHEALTHCHECK CMD python3 /app/smoke_test.py\n")
    subprocess.run([sys.executable, "-m", "gpulint", "check", str(tmp_path)], cwd=REPO, capture_output=True)
    assert not marker.exists()


def test_check_command_imports_no_other_command():
    """`gpulint check` declares and imports only its own command's options (grade, live and init
    are listed in the help but loaded when run)."""
    code = ("import contextlib, io, sys\nfrom gpulint.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    main(['check', 'reference'])\n"
            "print('\\n'.join(sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                            check=True).stdout.splitlines()
    assert "gpulint.engine.run" in loaded
    assert not {"gpulint.grading.command", "gpulint.live.command", "gpulint.scaffold.init"} & set(loaded)


def test_records_are_not_dataclasses():
    """Models are ``gpulint.core.records.Record`` (msgspec structs, built in C): a dataclass costs
    about a millisecond of generated code at import, per class."""
    users = [str(p.relative_to(REPO)) for p in (REPO / "gpulint").rglob("*.py")
             if "from dataclasses import" in p.read_text() or "import dataclasses" in p.read_text()]
    assert users == []
