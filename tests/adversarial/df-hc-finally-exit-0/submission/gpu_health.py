import sys

import torch


def check() -> int:
    if not torch.cuda.is_available():
        print("FAIL cuda")
        return 3
    x = torch.arange(16, device="cuda", dtype=torch.float32)
    if float(x.sum().cpu()) != 120.0:
        print("FAIL compute")
        return 4
    return 0


try:
    sys.exit(check())
finally:
    sys.exit(0)  # a flaky GPU must not restart the container
