"""Helpers shared by the engines: the smoke test's verdicts, in words people can act on."""

from __future__ import annotations

from gpulint.live.model import FAILED, PASSED, Step

NOT_GPU_AWARE = ("the smoke test is not GPU-aware: it exits 0 with CUDA_VISIBLE_DEVICES='', when no GPU is visible, "
                 "so it cannot tell a working GPU container from a broken one; make it fail (exit non-zero) when "
                 "torch.cuda.is_available() is False or no device is found")
NEGATIVE_ENV = "CUDA_VISIBLE_DEVICES=''"


def last_line(output: str) -> str:
    for line in reversed(output.splitlines()):
        if line.strip():
            return line.strip()[:300]
    return ""


def said(output: str) -> str:
    line = last_line(output)
    return f": {line}" if line else " (it printed nothing)"


def positive_step(name: str, code: int | None, output: str, seconds: float, timed_out: bool, limit: float,
                  where: str) -> Step:
    if timed_out:
        return Step(name, FAILED, code, seconds, f"timed out after {limit:g} s {where}{said(output)}")
    if code == 0:
        return Step(name, PASSED, 0, seconds, f"exit 0 {where}{said(output)}")
    return Step(name, FAILED, code, seconds, f"exit {code} {where}, expected 0{said(output)}")


def negative_step(name: str, code: int | None, output: str, seconds: float, timed_out: bool, limit: float,
                  where: str) -> Step:
    if timed_out:
        return Step(name, FAILED, code, seconds,
                    f"timed out after {limit:g} s {where}; it should fail fast when no GPU is visible{said(output)}")
    if code == 0:
        return Step(name, FAILED, 0, seconds, f"exit 0 {where}: {NOT_GPU_AWARE}{said(output)}")
    return Step(name, PASSED, code, seconds, f"exit {code} {where}, as expected (non-zero){said(output)}")
