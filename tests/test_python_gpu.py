"""Reading Python health checks with ast: real GPU calls count, mentions do not."""

from __future__ import annotations

import pytest

from gpulint.syntax.python import parse_python
from gpulint.core.source import Source


def uses(code: str):
    return parse_python(Source(code, "check.py")).gpu_uses()


def decisive(code: str) -> bool:
    return any(u.decisive for u in uses(code))


@pytest.mark.parametrize("code", [
    "import torch\nassert torch.cuda.is_available()",
    "import torch as t\nimport sys\nsys.exit(0 if t.cuda.is_available() else 3)",
    "from torch import cuda\nif not cuda.is_available():\n    raise SystemExit(3)",
    "import torch\nx = torch.ones(2, device='cuda')",
    "import torch\nx = torch.ones(2).to(torch.device('cuda:0'))",
    "import torch\nx = torch.ones(2).cuda()",
    "import pynvml\npynvml.nvmlInit()",
    "from pynvml import *\nnvmlInit()",
    "import cupy as cp\ncp.zeros(3)",
    "import torch\ndef main():\n    return 0 if torch.cuda.is_available() else 3\nif __name__ == '__main__':\n    raise SystemExit(main())",
    "import torch\nok = torch.cuda.is_available()\nif not ok:\n    raise SystemExit(3)",
])
def test_real_gpu_checks(code):
    assert decisive(code)


@pytest.mark.parametrize("code", [
    "print('torch.cuda.is_available()')",
    "# import torch; torch.cuda.is_available()\nimport sys",
    "import torch\ntorch.cuda.is_available()",  # result ignored: exits 0 without a GPU
    "import torch\ndef never():\n    torch.ones(1).cuda()\n",
    "import torch\nif False:\n    torch.ones(1).cuda()",
    "cuda = object()\ncuda.is_available()",  # not torch's
    "import os\nos.environ['CUDA_VISIBLE_DEVICES']",
])
def test_not_gpu_checks(code):
    assert not decisive(code)


def test_syntax_error_is_a_problem():
    script = parse_python(Source("def (:\n", "x.py"))
    assert script.tree is None and "invalid Python" in script.problem[1]
