"""The result of a live run; ``to_json`` is the public ``--format json`` contract (add fields, never rename)."""

from __future__ import annotations

from typing import Any

from gpulint.core.records import Record, field

PASSED, FAILED, SKIPPED, INCONCLUSIVE = "passed", "failed", "skipped", "inconclusive"

# Step names, in the order they run.
PREFLIGHT = "preflight"
BUILD = "build"
SMOKE_POSITIVE = "smoke.positive"  # the project's smoke test with a GPU requested
SMOKE_NEGATIVE = "smoke.negative"  # no device request at all (on the host engine: CUDA_VISIBLE_DEVICES='')
SMOKE_NEGATIVE_VOID = "smoke.negative.nvidia-void"  # no device request and NVIDIA_VISIBLE_DEVICES=void
SMOKE_NEGATIVE_HIDDEN = "smoke.negative.cuda-hidden"  # the GPU requested, CUDA_VISIBLE_DEVICES=''
REFERENCE_PREFIX = "reference."  # gpulint's own reference smoke test under the same conditions
HEALTH_HEALTHY = "healthcheck.healthy"
HEALTH_UNHEALTHY = "healthcheck.unhealthy"
CLEANUP = "cleanup"

NEGATIVE_STEPS = (SMOKE_NEGATIVE, SMOKE_NEGATIVE_VOID, SMOKE_NEGATIVE_HIDDEN)

# Exit statuses of `gpulint live` (also the report's "exit_code").
EXIT_OK = 0  # every step passed, and a GPU step ran
EXIT_FAILED = 1  # a step failed, or the project's smoke test disagrees with the reference
EXIT_USAGE = 2  # usage error, nothing to run, missing extra
EXIT_NO_GPU = 3  # nothing failed, but no step ran with a GPU (without --require-gpu)
EXIT_INCONCLUSIVE = 4  # nothing failed, but a step could not decide (a timeout, a GPU the engine added unasked)
EXIT_SIGINT = 130
EXIT_SIGTERM = 143


def reference_step(name: str) -> str:
    """The reference smoke test's step beside one of the project's: smoke.positive -> reference.positive."""
    return REFERENCE_PREFIX + name.split(".", 1)[1]


class Step(Record):
    name: str
    status: str  # passed | failed | skipped | inconclusive
    exit_code: int | None = None
    seconds: float = 0.0
    detail: str = ""
    condition: dict[str, Any] | None = None  # how it ran: gpu_requested, device_request, env, devices
    gpu: bool = False  # it ran with a GPU attached (verified inside the container where possible)
    output: str = ""  # the tail of what it printed (evidence for findings)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "exit_code": self.exit_code,
                "seconds": round(self.seconds, 2), "detail": self.detail, "condition": self.condition,
                "gpu": self.gpu}


class Gpu(Record):
    index: int
    name: str
    driver: str
    cuda_driver: str
    memory_mib: int | None = None
    uuid: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "name": self.name, "driver": self.driver, "cuda_driver": self.cuda_driver,
                "memory_mib": self.memory_mib, "uuid": self.uuid}


class LiveReport(Record):
    engine: str  # docker | host | kubernetes
    target: dict[str, Any] = field(default_factory=dict)  # what was run: dockerfile, context, smoke test
    engine_info: dict[str, Any] = field(default_factory=dict)
    gpus: list[Gpu] = field(default_factory=list)
    gpu_problem: str | None = None  # why no GPU can be used, when none can
    steps: list[Step] = field(default_factory=list)
    run_id: str = ""
    interrupted: bool = False
    interrupted_by: str | None = None  # SIGINT | SIGTERM
    require_gpu: bool = False
    findings: list[dict[str, Any]] = field(default_factory=list)  # verdicts of the comparison with the reference
    reference: dict[str, Any] = field(default_factory=dict)  # the reference smoke test: where, and what it said
    submission: str | None = None  # the submission id, for batch grading

    def step(self, name: str) -> Step | None:
        for step in self.steps:
            if step.name == name:
                return step
        return None

    @property
    def gpu_ran(self) -> bool:
        return any(s.gpu and s.status in (PASSED, FAILED) for s in self.steps)

    @property
    def outcome(self) -> str:
        if self.interrupted:
            return "interrupted"
        if any(s.status == FAILED for s in self.steps) or any(f.get("severity") == "error" for f in self.findings):
            return "failed"
        if any(s.status == INCONCLUSIVE for s in self.steps):
            return "inconclusive"
        if not self.gpu_ran:
            return "no-gpu"
        return "passed"

    @property
    def exit_code(self) -> int:
        outcome = self.outcome
        if outcome == "interrupted":
            return EXIT_SIGTERM if self.interrupted_by == "SIGTERM" else EXIT_SIGINT
        return {"failed": EXIT_FAILED, "inconclusive": EXIT_INCONCLUSIVE, "no-gpu": EXIT_NO_GPU}.get(outcome, EXIT_OK)

    @property
    def failed(self) -> bool:
        """Something failed or was interrupted (no GPU or an inconclusive step alone is not a failure)."""
        return self.outcome in ("failed", "interrupted")

    def counts(self) -> dict[str, int]:
        counts = {PASSED: 0, FAILED: 0, SKIPPED: 0, INCONCLUSIVE: 0}
        for step in self.steps:
            counts[step.status] = counts.get(step.status, 0) + 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {"engine": self.engine, "engine_info": self.engine_info, "run_id": self.run_id,
                "target": self.target, "gpus": [g.to_json() for g in self.gpus], "gpu_problem": self.gpu_problem,
                "steps": [s.to_json() for s in self.steps], "passed": self.outcome == "passed",
                "interrupted": self.interrupted, "interrupted_by": self.interrupted_by,
                "outcome": self.outcome, "exit_code": self.exit_code, "gpu_ran": self.gpu_ran,
                "require_gpu": self.require_gpu, "reference": self.reference, "findings": self.findings,
                "submission": self.submission}
