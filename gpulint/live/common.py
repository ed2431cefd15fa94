"""Helpers shared by the engines: the smoke test's verdicts, in words people can act on."""

from __future__ import annotations

from typing import Any

from gpulint.live.model import FAILED, INCONCLUSIVE, PASSED, Step

NOT_GPU_AWARE = ("the smoke test is not GPU-aware: it exits 0 when no GPU is usable, so it cannot tell a working "
                 "GPU container from a broken one; make it fail (exit non-zero) when torch.cuda.is_available() is "
                 "False or no device is found")
NEGATIVE_ENV = "CUDA_VISIBLE_DEVICES=''"
NO_GPU_BANNER = ("NO GPU STEP RAN: the smoke test never ran with a GPU; live mode proved only what runs without "
                 "one, not that the GPU works")


def last_line(output: str) -> str:
    for line in reversed(output.splitlines()):
        if line.strip():
            return line.strip()[:300]
    return ""


def said(output: str) -> str:
    line = last_line(output)
    return f": {line}" if line else " (it printed nothing)"


def tail(output: str, lines: int = 6) -> str:
    return "\n".join(output.rstrip().splitlines()[-lines:])


def positive_step(name: str, code: int | None, output: str, seconds: float, timed_out: bool, limit: float,
                  where: str, condition: dict[str, Any] | None = None, gpu: bool = False) -> Step:
    if timed_out:
        return Step(name, INCONCLUSIVE, None, seconds, f"timed out after {limit:g} s {where}: a timeout is not a "
                    f"verdict{said(output)}", condition, gpu, tail(output))
    if code == 0:
        return Step(name, PASSED, 0, seconds, f"exit 0 {where}{said(output)}", condition, gpu, tail(output))
    return Step(name, FAILED, code, seconds, f"exit {code} {where}, expected 0{said(output)}", condition, gpu,
                tail(output))


def negative_step(name: str, code: int | None, output: str, seconds: float, timed_out: bool, limit: float,
                  where: str, condition: dict[str, Any] | None = None, gpu: bool = False) -> Step:
    if timed_out:
        return Step(name, INCONCLUSIVE, None, seconds,
                    f"timed out after {limit:g} s {where}: inconclusive, not a pass; it should fail fast when no "
                    f"GPU is usable{said(output)}", condition, gpu, tail(output))
    if code == 0:
        return Step(name, FAILED, 0, seconds, f"exit 0 {where}: {NOT_GPU_AWARE}{said(output)}", condition, gpu,
                    tail(output))
    return Step(name, PASSED, code, seconds, f"exit {code} {where}, as expected (non-zero){said(output)}", condition,
                gpu, tail(output))
