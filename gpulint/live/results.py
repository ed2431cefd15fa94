"""The lab's live criteria from a live report (``gpulint live --format json``, or a report in memory).

``smoketest.healthy`` passes only when the project's smoke test and gpulint's reference both pass
with a GPU; ``smoketest.negative`` passes when every negative run that could decide failed as it
should. A criterion whose runs could not decide (no GPU, a timeout, an interrupt) is skipped with
the reason, never passed. An image that does not build fails both.
"""

from __future__ import annotations

from typing import Any

from gpulint.live.model import BUILD, FAILED, INCONCLUSIVE, NEGATIVE_STEPS, PASSED, SMOKE_POSITIVE, reference_step

HEALTHY, NEGATIVE = "smoketest.healthy", "smoketest.negative"


def is_live_report(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("steps"), list) and isinstance(data.get("engine"), str)


def criteria_from_report(data: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """criterion id -> (passed | failed | skipped, what the live run showed)."""
    steps = {s.get("name"): s for s in data.get("steps") or [] if isinstance(s, dict)}
    engine = data.get("engine", "?")
    verdicts: dict[str, list[dict]] = {}
    for finding in data.get("findings") or []:
        if isinstance(finding, dict) and finding.get("criterion"):
            verdicts.setdefault(finding["criterion"], []).append(finding)
    build = steps.get(BUILD)
    if build is not None and build.get("status") == FAILED:
        why = f"The image did not build ({engine} engine): {build.get('detail', '')}"
        return {HEALTHY: (FAILED, why), NEGATIVE: (FAILED, why)}
    interrupted = "the live run was interrupted" if data.get("interrupted") else ""
    return {HEALTHY: _healthy(steps, verdicts.get(HEALTHY, []), engine, interrupted),
            NEGATIVE: _negative(steps, verdicts.get(NEGATIVE, []), engine, interrupted)}


def _line(step: dict) -> str:
    return f"{step.get('name')} ({step.get('status')}): {step.get('detail', '')}"


def _healthy(steps: dict, verdicts: list[dict], engine: str, interrupted: str) -> tuple[str, str]:
    project, reference = steps.get(SMOKE_POSITIVE), steps.get(reference_step(SMOKE_POSITIVE))
    shown = [_line(s) for s in (project, reference) if s is not None]
    shown += [f"{v['rule']}: {v['message']}" for v in verdicts]
    text = f"Live run ({engine} engine):\n" + "\n".join(shown)
    if verdicts or any(s is not None and s.get("status") == FAILED for s in (project, reference)):
        return FAILED, text
    if project is None or project.get("status") != PASSED or not project.get("gpu"):
        reason = interrupted or ("no step ran with a GPU" if project is None or not project.get("gpu")
                                 else "the run with a GPU could not decide")
        return "skipped", f"Not graded: {reason}.\n{text}"
    if reference is None or reference.get("status") != PASSED:
        return FAILED, ("The project's smoke test passed, but gpulint's reference smoke test could not confirm that "
                        f"the GPU works in this image, and both must agree.\n{text}")
    return PASSED, text


def _negative(steps: dict, verdicts: list[dict], engine: str, interrupted: str) -> tuple[str, str]:
    runs = [steps[name] for name in NEGATIVE_STEPS if name in steps]
    shown = [_line(s) for s in runs] + [f"{v['rule']}: {v['message']}" for v in verdicts]
    text = f"Live run ({engine} engine):\n" + "\n".join(shown)
    if verdicts or any(s.get("status") == FAILED for s in runs):
        return FAILED, text
    if any(s.get("status") == PASSED for s in runs) and not interrupted:
        return PASSED, text
    undecided = [s for s in runs if s.get("status") == INCONCLUSIVE]
    reason = interrupted or ("the runs without a GPU could not decide" if undecided else "no run without a GPU ran")
    return "skipped", f"Not graded: {reason}.\n{text}"
