"""Live mode's reports: text for people, JSON (the public contract) for programs."""

from __future__ import annotations

import json

from gpulint.live.model import FAILED, PASSED, SKIPPED, LiveReport

_MARK = {PASSED: "passed ", FAILED: "FAILED ", SKIPPED: "skipped"}


def render_json(report: LiveReport) -> str:
    return json.dumps(report.to_json(), indent=2) + "\n"


def render_text(report: LiveReport) -> str:
    target = report.target
    lines = []
    what = target.get("dockerfile") if report.engine == "docker" else (target.get("smoke_test") or "--smoke")
    lines.append(f"gpulint live ({report.engine} engine): {what or '?'}"
                 + (f" [run {report.run_id}]" if report.engine == "docker" else ""))
    width = max((len(s.name) for s in report.steps), default=10)
    for step in report.steps:
        detail = step.detail.splitlines() or [""]
        lines.append(f"  {_MARK.get(step.status, step.status)}  {step.name:<{width}}  {step.seconds:6.1f}s  {detail[0]}")
        lines.extend(f"  {'':7}  {'':<{width}}  {'':7}  {extra}" for extra in detail[1:])
    counts = report.counts()
    verdict = "interrupted" if report.interrupted else ("FAILED" if report.failed else "passed")
    lines.append(f"live mode {verdict}: {counts[PASSED]} passed, {counts[FAILED]} failed, {counts[SKIPPED]} skipped")
    return "\n".join(lines) + "\n"
