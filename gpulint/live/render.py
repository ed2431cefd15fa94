"""Live mode's reports: text for people, JSON (the public contract) for programs."""

from __future__ import annotations

import json

from gpulint.live.common import NO_GPU_BANNER
from gpulint.live.model import FAILED, INCONCLUSIVE, PASSED, SKIPPED, LiveReport

_MARK = {PASSED: "passed ", FAILED: "FAILED ", SKIPPED: "skipped", INCONCLUSIVE: "INCONCL"}
_VERDICT = {"passed": "passed", "failed": "FAILED", "inconclusive": "INCONCLUSIVE", "no-gpu": "NOT PROVEN (no GPU)",
            "interrupted": "interrupted"}


def render_json(report: LiveReport) -> str:
    return json.dumps(report.to_json(), indent=2) + "\n"


def render_text(report: LiveReport) -> str:
    target = report.target
    lines = []
    what = target.get("dockerfile") if report.engine == "docker" else \
        (target.get("image") if report.engine == "kubernetes" else (target.get("smoke_test") or "--smoke"))
    lines.append(f"gpulint live ({report.engine} engine): {what or '?'}"
                 + (f" [run {report.run_id}]" if report.engine != "host" else ""))
    width = max((len(s.name) for s in report.steps), default=10)
    for step in report.steps:
        detail = step.detail.splitlines() or [""]
        mark = _MARK.get(step.status, step.status)
        lines.append(f"  {mark}  {step.name:<{width}}  {step.seconds:6.1f}s  {detail[0]}")
        lines.extend(f"  {'':7}  {'':<{width}}  {'':7}  {extra}" for extra in detail[1:])
    for finding in report.findings:
        lines.append(f"{finding['path']}:{finding['line']}:{finding['column']}: {finding['severity']} "
                     f"{finding['rule']} {finding['name']}: {finding['message']}")
        lines.append(f"  fix: {finding['fix']}")
    counts = report.counts()
    outcome = report.outcome
    if outcome == "no-gpu":
        lines.append(f"!! {NO_GPU_BANNER} (exit 3; --require-gpu makes this a failure)")
    if outcome == "interrupted":
        lines.append(f"!! interrupted by {report.interrupted_by or 'SIGINT'}: a partial report; what the run made "
                     "was removed")
    summary = f"{counts[PASSED]} passed, {counts[FAILED]} failed, {counts[SKIPPED]} skipped"
    if counts.get(INCONCLUSIVE):
        summary += f", {counts[INCONCLUSIVE]} inconclusive"
    if report.findings:
        summary += f", {len(report.findings)} verdict{'s' if len(report.findings) != 1 else ''} against the smoke test"
    lines.append(f"live mode {_VERDICT.get(outcome, outcome)}: {summary}")
    return "\n".join(lines) + "\n"
