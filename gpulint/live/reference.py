"""gpulint's reference smoke test, run beside the project's own under the same conditions.

The project's smoke test is written by the project's author; the reference (``data/
reference_smoke_test.py``, the same file as the repository's ``reference/smoke_test.py``) is
gpulint's. It is copied into the container through the engine's API (never taken from the scanned
tree) together with ``data/run_reference.py``, which first reports the NVIDIA device nodes the
container really has. Comparing the two gives two verdicts: the reference passes with the GPU but
the project's test fails (the project's test is broken), or the reference shows the GPU cannot
work but the project's test passes (the project's test is lying).
"""

from __future__ import annotations

import io
import json
import re
import tarfile
from importlib import resources
from typing import Any

from gpulint.core.findings import Finding, Severity
from gpulint.core.records import Record, field
from gpulint.live.common import last_line
from gpulint.live.model import FAILED, INCONCLUSIVE, PASSED, SKIPPED, SMOKE_POSITIVE, Step
from gpulint.rules.live.gl701_smoke_test_broken import SmokeTestBroken
from gpulint.rules.live.gl702_smoke_test_lying import SmokeTestLying

FOLDER = "/.gpulint"  # where the files go inside the container
RUNNER = f"{FOLDER}/run_reference.py"
MARK = "GPULINT-PROBE "
_FAIL = re.compile(r"^FAIL (nvml|cuda|compute): (.*)$")

# The reference's outcomes
WORKS = "works"  # exit 0: NVML, CUDA and a kernel all work
FAILS = "fails"  # a check failed for a GPU reason: no device, CUDA unavailable, a wrong build, a bad kernel
MISSING = "missing"  # the image lacks what the reference needs (Python, nvidia-ml-py, torch): no verdict
TIMEOUT = "timeout"
ERROR = "error"  # it crashed or could not start


def payload() -> dict[str, bytes]:
    data = resources.files("gpulint.live") / "data"
    return {"smoke_test.py": (data / "reference_smoke_test.py").read_bytes(),
            "run_reference.py": (data / "run_reference.py").read_bytes()}


def archive() -> bytes:
    """A tar of the reference for ``put_archive(path="/")``: /.gpulint/{smoke_test.py,run_reference.py}."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        folder = tarfile.TarInfo(FOLDER.lstrip("/"))
        folder.type, folder.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(folder)
        for name, content in payload().items():
            info = tarfile.TarInfo(f"{FOLDER.lstrip('/')}/{name}")
            info.size, info.mode = len(content), 0o644
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


class Outcome(Record):
    kind: str  # works | fails | missing | timeout | error
    exit_code: int | None
    said: str  # the line that decides (the FAIL line, or the last OK line)
    probe: dict[str, Any] | None = None  # what run_reference.py saw: devices, modules, python
    output: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def devices(self) -> list[str] | None:
        return None if self.probe is None else list(self.probe.get("devices") or [])

    @property
    def conclusive(self) -> bool:
        return self.kind in (WORKS, FAILS)


def split_output(output: str) -> tuple[dict[str, Any] | None, str]:
    """(the probe's report, the reference's own output)."""
    probe, rest = None, []
    for line in output.splitlines():
        if probe is None and line.startswith(MARK):
            try:
                probe = json.loads(line[len(MARK):])
            except ValueError:
                rest.append(line)
            continue
        rest.append(line)
    return probe, "\n".join(rest)


def classify(code: int | None, output: str, timed_out: bool, python: bool = True) -> Outcome:
    """What the reference's exit status and its one-line-per-check output mean."""
    probe, own = split_output(output)
    said = last_line(own)
    if not python:
        return Outcome(MISSING, code, "the image has no Python (python3 or python on its PATH)", probe, own)
    if timed_out:
        return Outcome(TIMEOUT, None, said, probe, own)
    if code == 0:
        return Outcome(WORKS, 0, said, probe, own)
    failed = None
    for line in reversed(own.splitlines()):
        match = _FAIL.match(line.strip())
        if match:
            failed = match
            break
    if failed is None or code not in (2, 3, 4):
        return Outcome(ERROR, code, said or "it printed nothing", probe, own)
    check, reason = failed.groups()
    if check == "nvml" and "nvidia-ml-py not installed" in reason:
        return Outcome(MISSING, code, "the image has no nvidia-ml-py (pynvml), which the reference smoke test needs",
                       probe, own)
    if check == "cuda" and "No module named 'torch'" in reason:
        return Outcome(MISSING, code, "the image has no torch, which the reference smoke test needs", probe, own)
    return Outcome(FAILS, code, failed.group(0), probe, own)


def reference_step(name: str, outcome: Outcome, seconds: float, where: str, positive: bool,
                   condition: dict[str, Any] | None, gpu: bool) -> Step:
    """The reference's own step: with a GPU it must exit 0; without one, non-zero."""
    tail = "\n".join(outcome.output.splitlines()[-6:])
    if outcome.kind == MISSING:
        return Step(name, SKIPPED, outcome.exit_code, seconds, f"not run to a verdict: {outcome.said} {where}",
                    condition, gpu, tail)
    if outcome.kind == TIMEOUT:
        return Step(name, INCONCLUSIVE, None, seconds, f"timed out {where}: a timeout is not a verdict"
                    f"{': ' + outcome.said if outcome.said else ''}", condition, gpu, tail)
    if outcome.kind == ERROR:
        return Step(name, INCONCLUSIVE, outcome.exit_code, seconds,
                    f"the reference smoke test could not run {where} (exit {outcome.exit_code}): {outcome.said}",
                    condition, gpu, tail)
    if positive:
        status = PASSED if outcome.kind == WORKS else FAILED
        verdict = "the GPU works" if outcome.kind == WORKS else "the GPU does not work in this image"
    else:
        status = PASSED if outcome.kind == FAILS else FAILED
        verdict = "no usable GPU, as expected" if outcome.kind == FAILS else "a GPU worked in a run meant to have none"
    detail = f"exit {outcome.exit_code} {where}: {verdict}: {outcome.said}"
    return Step(name, status, outcome.exit_code, seconds, detail, condition, gpu, tail)


def compare(project: Step, reference: Outcome, location: Any, display: str) -> dict[str, Any] | None:
    """The verdict from one pair of runs under the same conditions, as a finding with its evidence, or None."""
    if not reference.conclusive or project.status in (SKIPPED, INCONCLUSIVE) or project.exit_code is None:
        return None
    positive = project.name == SMOKE_POSITIVE
    if reference.kind == WORKS and project.exit_code != 0 and positive:
        rule, name, criterion = SmokeTestBroken.id, SmokeTestBroken.name, "smoketest.healthy"
        message = (f"the project's smoke test ({display}) fails with exit {project.exit_code} although gpulint's "
                   f"reference smoke test passes under the same conditions ({reference.said}): the project's "
                   "test is broken, not the GPU")
        fix = ("make the smoke test pass when the GPU works: check NVML, torch.cuda.is_available() and a small "
               "kernel, as gpulint's reference smoke test does, and read its output above")
    elif reference.kind == FAILS and project.exit_code == 0:
        rule, name = SmokeTestLying.id, SmokeTestLying.name
        criterion = "smoketest.healthy" if positive else "smoketest.negative"
        message = (f"the project's smoke test ({display}) exits 0 in {project.name} although gpulint's reference "
                   f"smoke test shows the GPU cannot work there (exit {reference.exit_code}: {reference.said}): "
                   "the project's test is lying")
        fix = ("make the smoke test exit non-zero when the GPU cannot compute: fail when NVML sees no device, when "
               "torch.cuda.is_available() is False, and when a small kernel's result is wrong")
    else:
        return None
    finding = _finding(location, rule, name, criterion, message, fix)
    finding["evidence"] = {
        "condition": project.condition,
        "project": {"step": project.name, "exit_code": project.exit_code, "said": last_line(project.output),
                    "output": project.output},
        "reference": {"exit_code": reference.exit_code, "outcome": reference.kind, "said": reference.said,
                      "devices": reference.devices, "output": "\n".join(reference.output.splitlines()[-6:])}}
    return finding


def _finding(location: Any, rule: str, name: str, criterion: str, message: str, fix: str) -> dict[str, Any]:
    """At the span of the project's smoke test (the HEALTHCHECK's command or the script), else line 1 of a path."""
    if location is not None and not isinstance(location, str):
        return Finding.at(location, rule=rule, name=name, severity=Severity.ERROR, criterion=criterion,
                          message=message, fix=fix).to_dict()
    return Finding(rule=rule, name=name, severity=Severity.ERROR, criterion=criterion, path=location or "-",
                   line=1, column=1, end_line=1, end_column=2, message=message, fix=fix).to_dict()
