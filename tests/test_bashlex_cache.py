"""bashlex's parser tables come from a cache after the first run; a damaged cache is rebuilt and
the parses are the same either way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO

SCRIPT = ("set -e; if [ -f x ]; then docker push a || true; fi; f() { echo $(b) \"$(c)\"; }; "
          "! grep q <<EOF\nbody\nEOF\nfor i in 1 2; do x | y && z; done")
CODE = ("import time, sys\nt = time.perf_counter()\nfrom gpulint.syntax._bashlex import load\nb = load()\n"
        "took = time.perf_counter() - t\nprint(repr(b.parse(sys.argv[1])))\nprint(took, file=sys.stderr)")


def _parse(cache: Path) -> tuple[str, float]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "GPULINT_CACHE_DIR": str(cache)}
    out = subprocess.run([sys.executable, "-c", CODE, SCRIPT], capture_output=True, text=True, env=env,
                         cwd=REPO, check=True)
    return out.stdout, float(out.stderr.strip().splitlines()[-1])


def test_cached_tables_parse_the_same(tmp_path: Path):
    fresh, _ = _parse(tmp_path)
    (table,) = tmp_path.glob("bashlex-tables-*.marshal")
    cached, _ = _parse(tmp_path)
    assert cached == fresh and "CommandNode" in fresh
    table.write_bytes(b"\x00garbage")  # damaged: rebuilt, same result, file repaired
    again, _ = _parse(tmp_path)
    assert again == fresh and table.read_bytes() != b"\x00garbage"


def test_unwritable_cache_still_parses(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    parsed, _ = _parse(blocker / "cache")
    assert "CommandNode" in parsed
