"""Checks that cannot fail (a Python or shell health check that swallows every GPU failure), smoke
tests that read CUDA_VISIBLE_DEVICES to decide, and build stages that never reach the image."""

from __future__ import annotations

import ast
import textwrap

import pytest

from gpulint.artifacts import gpucheck
from gpulint.artifacts.dockerfile.model import parse_dockerfile
from gpulint.syntax.python import parse_python
from gpulint.artifacts.dockerfile.stage_use import shipped_stages
from gpulint.artifacts.visible_devices import deciding_reads
from gpulint.core.source import Source

CHECK = """\
import sys
import torch


def check():
    assert torch.cuda.is_available()
    torch.ones(4, device="cuda").sum().item()
"""


def verdict(script: str, name: str = "health.py", argv: list[str] | None = None):
    files = {name: Source(textwrap.dedent(script), name)}
    return gpucheck.judge_exec(argv or ["python3", name], lambda path: files.get(path.lstrip("/")))


@pytest.mark.parametrize("tail, why", [
    ("try:\n    check()\nexcept Exception:\n    pass\nsys.exit(0)\n", "`except Exception` swallows"),
    ("try:\n    check()\nexcept:\n    print('oops')\n", "a bare `except:`"),
    ("try:\n    check()\nfinally:\n    sys.exit(0)\n", "`finally:` exits 0"),
    ("try:\n    check()\nexcept BaseException:\n    sys.exit(0)\n", "calls exit(0)"),
])
def test_python_checks_that_cannot_fail(tail, why):
    found = verdict(CHECK + tail)
    assert found.kind == gpucheck.HIDDEN and why in found.detail, found.detail
    assert found.where is not None and found.where.source.rel_path == "health.py"


@pytest.mark.parametrize("tail", [
    "check()\n",  # an uncaught failure exits 1
    "try:\n    check()\nexcept Exception as exc:\n    print(exc)\n    sys.exit(1)\n",
    "try:\n    check()\nexcept RuntimeError:\n    pass\n",  # a specific handler is deliberate; asserts still fail
    "failed = False\ntry:\n    check()\nexcept Exception:\n    failed = True\nif failed:\n    sys.exit(1)\n",
    "def unused():\n    try:\n        check()\n    except Exception:\n        pass\n\ncheck()\n",
])
def test_python_checks_that_can_fail(tail):
    assert verdict(CHECK + tail).kind == gpucheck.GPU


def test_except_exception_does_not_catch_sys_exit():
    script = """\
    import sys
    import torch
    try:
        if not torch.cuda.is_available():
            sys.exit(3)
    except Exception:
        pass
    """
    assert verdict(script).kind == gpucheck.GPU


@pytest.mark.parametrize("script, kind", [
    ("#!/bin/sh\npython3 /app/check.py || true\n", gpucheck.HIDDEN),
    ("#!/bin/sh\npython3 /app/check.py\nexit 0\n", gpucheck.HIDDEN),
    ("#!/bin/sh\nset -e\npython3 /app/check.py\nexit 0\n", gpucheck.GPU),
    ("#!/bin/sh -e\npython3 /app/check.py\nexit 0\n", gpucheck.GPU),
    ("#!/bin/sh\npython3 /app/check.py || exit 1\nexit 0\n", gpucheck.GPU),
])
def test_shell_scripts(script, kind):
    files = {"health.sh": Source(script, "health.sh"), "app/check.py": Source(CHECK + "check()\n", "check.py")}
    found = gpucheck.judge_exec(["/bin/sh", "/health.sh"], lambda path: files.get(path.lstrip("/")))
    assert found.kind == kind, found.detail
    if kind == gpucheck.HIDDEN:
        assert found.where.source.rel_path == "health.sh"
        assert found.where.source.position(found.where.start).line == 2


@pytest.mark.parametrize("code, deciding", [
    ("import os, sys\nif os.environ.get('CUDA_VISIBLE_DEVICES') == '':\n    sys.exit(3)\n", True),
    ("import os, sys\nv = os.getenv('CUDA_VISIBLE_DEVICES')\nif not v:\n    raise SystemExit(3)\n", True),
    ("import os, sys\nsys.exit(3 if 'CUDA_VISIBLE_DEVICES' in os.environ and not os.environ['CUDA_VISIBLE_DEVICES'] else 0)\n", True),
    ("import os\nassert os.environ['CUDA_VISIBLE_DEVICES']\n", True),
    ("import os\nprint('visible:', os.environ.get('CUDA_VISIBLE_DEVICES'))\n", False),
    ("import os\nos.environ.setdefault('CUDA_VISIBLE_DEVICES', '0')\n", False),
    ("import os, sys\nif os.environ.get('CUDA_VISIBLE_DEVICES') == '':\n    print('no devices requested')\n", False),
    ("import os, sys, torch\nif not torch.cuda.is_available():\n    v = os.environ.get('CUDA_VISIBLE_DEVICES')\n"
     "    print(f'no CUDA (CUDA_VISIBLE_DEVICES={v!r})')\n    sys.exit(3)\n", False),
])
def test_reading_cuda_visible_devices(code, deciding):
    assert bool(deciding_reads(ast.parse(code))) is deciding


@pytest.mark.parametrize("text, shipped", [
    ("FROM a AS unused\nFROM b\n", ["1"]),
    ("FROM a AS build\nFROM b\nCOPY --from=build /x /x\n", ["build", "1"]),
    ("FROM a\nFROM b\nCOPY --from=0 /x /x\n", ["0", "1"]),
    ("FROM a AS base\nFROM base AS build\nFROM build\n", ["base", "build", "2"]),
    ("FROM a AS build\nFROM b\nRUN --mount=type=bind,from=build,target=/m true\n", ["build", "1"]),
    ("FROM a AS build\nFROM b\nCOPY --from=weights /w /w\n", ["1"]),  # a named context, not a stage
    ("ARG S=build\nFROM a AS build\nFROM b\nCOPY --from=${S} /x /x\n", ["build", "1"]),
    ("FROM a AS one\nFROM b AS two\nCOPY --from=one /x /x\nFROM c\nCOPY --from=two /y /y\n", ["one", "two", "2"]),
])
def test_shipped_stages(text, shipped):
    dockerfile = parse_dockerfile(Source(text, "Dockerfile"))
    assert [s.name or str(s.index) for s in shipped_stages(dockerfile)] == shipped


def test_python_sources_are_not_executed():
    script = parse_python(Source("raise SystemExit(open('/etc/passwd').read())\n", "x.py"))
    assert script.tree is not None  # parsed, not run
