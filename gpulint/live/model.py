"""The result of a live run; ``to_json`` is the public ``--format json`` contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"

# Step names, in the order they run.
PREFLIGHT = "preflight"
BUILD = "build"
SMOKE_POSITIVE = "smoke.positive"
SMOKE_NEGATIVE = "smoke.negative"
HEALTH_HEALTHY = "healthcheck.healthy"
HEALTH_UNHEALTHY = "healthcheck.unhealthy"
CLEANUP = "cleanup"


@dataclass
class Step:
    name: str
    status: str  # passed | failed | skipped
    exit_code: int | None = None
    seconds: float = 0.0
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "exit_code": self.exit_code,
                "seconds": round(self.seconds, 2), "detail": self.detail}


@dataclass
class Gpu:
    index: int
    name: str
    driver: str
    cuda_driver: str
    memory_mib: int | None = None
    uuid: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "name": self.name, "driver": self.driver, "cuda_driver": self.cuda_driver,
                "memory_mib": self.memory_mib, "uuid": self.uuid}


@dataclass
class LiveReport:
    engine: str  # docker | host
    target: dict[str, Any] = field(default_factory=dict)  # what was run: dockerfile, context, smoke test
    engine_info: dict[str, Any] = field(default_factory=dict)
    gpus: list[Gpu] = field(default_factory=list)
    gpu_problem: str | None = None  # why no GPU can be used, when none can
    steps: list[Step] = field(default_factory=list)
    run_id: str = ""
    interrupted: bool = False

    def step(self, name: str) -> Step | None:
        for step in self.steps:
            if step.name == name:
                return step
        return None

    @property
    def failed(self) -> bool:
        return self.interrupted or any(s.status == FAILED for s in self.steps)

    def counts(self) -> dict[str, int]:
        counts = {PASSED: 0, FAILED: 0, SKIPPED: 0}
        for step in self.steps:
            counts[step.status] = counts.get(step.status, 0) + 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {"engine": self.engine, "engine_info": self.engine_info, "run_id": self.run_id,
                "target": self.target, "gpus": [g.to_json() for g in self.gpus], "gpu_problem": self.gpu_problem,
                "steps": [s.to_json() for s in self.steps], "passed": not self.failed,
                "interrupted": self.interrupted}
