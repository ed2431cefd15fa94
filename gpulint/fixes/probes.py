"""GL304: readiness and liveness probes on the GPU container, running the image's GPU check.

The probe runs what the image's HEALTHCHECK runs (its exec array, or ``python3 <script>`` for
a shell form) so the probes and the HEALTHCHECK ask the same question; without a HEALTHCHECK,
the smoke test the image contains; with no Dockerfile next to the manifest, the lab's
``python3 /app/smoke_test.py``. Timings fit a torch import and tell the two probes apart:
readiness fails fast (3 x 10 s, 20 s timeout) and takes the pod out of service, liveness is
tolerant (5 x 30 s, 30 s timeout, a 60 s initial delay when there is no startupProbe) and
restarts only a pod wedged for minutes; each is kept shorter or longer than a probe already
there. Unsafe: the timings and the command are for a person to confirm.
"""

from __future__ import annotations

from gpulint.artifacts.kubernetes.model import Manifests
from gpulint.core.fix import Fix
from gpulint.fixes.healthcheck import project_smoke_test
from gpulint.project.lifecycle import handler_key, paired_images, probe_budget, scripts_run
from gpulint.syntax import yamlnode as Y
from gpulint.syntax.yamledit import Flow, layout_of, set_value

LAB_COMMAND = ["python3", "/app/smoke_test.py"]
READINESS = {"timeoutSeconds": 20, "periodSeconds": 10, "failureThreshold": 3}
LIVENESS = {"timeoutSeconds": 30, "periodSeconds": 30, "failureThreshold": 5}
WARM_UP_SECONDS = 60


def image_check_command(project, manifests: Manifests) -> list[str] | None:
    """The command the probes should exec: the paired image's HEALTHCHECK or smoke test."""
    images = paired_images(project, manifests)
    if not images:
        return list(LAB_COMMAND)
    for image in images:
        hc = image.healthcheck
        if hc is not None and not hc.none and (hc.exec_argv or hc.shell):
            scripts = image.healthcheck_scripts()
            if hc.exec_argv is not None and scripts and all(s.python for s in scripts):
                return list(hc.exec_argv)
            if len(scripts) == 1 and scripts[0].python:
                return ["python3", image.absolute(scripts[0].path)]
    for image in images:
        smoke = project_smoke_test(image.dockerfile)
        if smoke is not None and smoke.copy_from is None:
            return ["python3", smoke.path]
    return None


def probe_value(name: str, command: list[str], container: Y.Node) -> dict | None:
    readiness, liveness = Y.get(container, "readinessProbe"), Y.get(container, "livenessProbe")
    value: dict = {"exec": {"command": Flow(command)}}
    if name == "readinessProbe":
        timing = dict(READINESS)
        live = probe_budget(liveness) if handler_key(liveness) is not None else None
        if live is not None and live <= timing["periodSeconds"] * timing["failureThreshold"]:
            if live < 2:
                return None
            timing["failureThreshold"] = 1
            timing["periodSeconds"] = live - 1
        value.update(timing)
        return value
    timing = dict(LIVENESS)
    ready = probe_budget(readiness) if handler_key(readiness) is not None else None
    if ready is not None:
        timing["failureThreshold"] = max(timing["failureThreshold"], ready // timing["periodSeconds"] + 1)
    startup = Y.get(container, "startupProbe")
    if name == "livenessProbe" and (startup is None or Y.is_null(startup)):
        timing = {"initialDelaySeconds": WARM_UP_SECONDS, **timing}
    value.update(timing)
    return value


def add_probe(manifests: Manifests, project, container: Y.Node, name: str) -> Fix | None:
    """The probe added to the GPU container (or written over its null value)."""
    pair = Y.get_pair(container, name)
    if pair is not None and not Y.is_null(pair[1]):
        return None  # a probe with a broken handler: the author must say what it should run
    if not Y.is_map(container):
        return None
    command = image_check_command(project, manifests)
    if command is None or not scripts_run(command):
        return None
    value = probe_value(name, command, container)
    if value is None:
        return None
    layout = layout_of(manifests.source, manifests.yaml.documents, container)
    edit = set_value(manifests.source, container, name, value, layout)
    if edit is None:
        return None
    return Fix.unsafe(f"add a {name} that runs `{' '.join(command)}`", edit)
