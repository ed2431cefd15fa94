"""``--engine kubernetes``: run an image CI already pushed as Jobs on a GPU node pool.

Uses the official ``kubernetes`` client (imported only here): the kubeconfig's current context
(``KUBECONFIG``, ``--kube-context``) or the in-cluster service account. The Jobs come from
``kubernetes_jobs``; they all start at once, each pod's exit code and log are collected, and the
Jobs, their pods and the reference's ConfigMap are deleted by the run's label at the end, also on
Ctrl-C and SIGTERM. ``--dry-run`` prints the objects instead.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from gpulint.live.common import negative_step, positive_step
from gpulint.live.docker_cleanup import LABEL
from gpulint.live.kubernetes_jobs import WHERE, PlannedJob, dry_run_documents, plan_jobs
from gpulint.live.model import (
    CLEANUP,
    FAILED,
    INCONCLUSIVE,
    PASSED,
    PREFLIGHT,
    SKIPPED,
    SMOKE_POSITIVE,
    LiveReport,
    Step,
)
from gpulint.live.options import LiveOptions
from gpulint.live.reference import classify, compare
from gpulint.live.reference import reference_step as make_reference_step
from gpulint.live.signals import deferred
from gpulint.live.target import Target

CANCEL = threading.Event()  # set by a batch on Ctrl-C: every running engine cleans up and stops
_WAITING_FAILURES = ("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError",
                     "CreateContainerError", "RunContainerError")


class MissingClient(Exception):
    """The kubernetes client is not installed (exit status 2)."""


def _kubernetes():
    try:
        import kubernetes
    except ImportError:
        raise MissingClient("--engine kubernetes needs the official Kubernetes client: "
                            "pip install kubernetes") from None
    return kubernetes


def dry_run_text(target: Target, options: LiveOptions) -> str:
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: Any, value: str) -> Any:  # the reference's files as readable blocks
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)

    Dumper.add_representer(str, text)
    _kubernetes()
    documents = dry_run_documents(target, options, uuid.uuid4().hex[:12])
    return yaml.dump_all(documents, Dumper=Dumper, sort_keys=False)


def _connect(kubernetes: Any, options: LiveOptions) -> tuple[str, str]:
    """Load the kubeconfig (or the in-cluster config); (namespace, where)."""
    config = kubernetes.config
    try:
        config.load_kube_config(context=options.kube_context)
        contexts, active = config.list_kube_config_contexts()
        context = next((c for c in contexts if c["name"] == options.kube_context), active)
        namespace = options.namespace or (context.get("context") or {}).get("namespace") or "default"
        return namespace, f"kubeconfig context {context['name']}"
    except (config.ConfigException, OSError) as error:
        kube_error = error
    try:
        config.load_incluster_config()
    except config.ConfigException:
        raise ConnectionError(f"no cluster: {kube_error or 'no kubeconfig'}; "
                              "set KUBECONFIG or --kube-context") from None
    return options.namespace or "default", "in-cluster service account"


class KubernetesRun:
    def __init__(self, target: Target, options: LiveOptions, report: LiveReport):
        self.kubernetes = _kubernetes()
        self.target, self.options, self.report = target, options, report
        self.namespace = "default"
        self.core: Any = None
        self.batch: Any = None
        self.created = False
        self.gpu_nodes: int | None = None  # nodes offering the GPU resource (None: could not list them)

    def preflight(self) -> bool:
        started = time.perf_counter()
        client = self.kubernetes.client
        try:
            self.namespace, where = _connect(self.kubernetes, self.options)
            self.core, self.batch = client.CoreV1Api(), client.BatchV1Api()
            version = client.VersionApi().get_code()
        except (ConnectionError, client.ApiException, OSError) as error:
            self.report.steps.append(Step(PREFLIGHT, FAILED, None, time.perf_counter() - started,
                                          f"cannot reach a Kubernetes cluster: {error}"))
            return False
        resource = self.options.gpu_resource
        lines = [f"Kubernetes {version.git_version} ({where}), namespace {self.namespace}",
                 f"image {self.options.image}; positive run asks for {resource}: {self.options.gpu_count}"]
        try:
            nodes = self.core.list_node().items
            offering = [n.metadata.name for n in nodes if int((n.status.allocatable or {}).get(resource, "0") or 0) > 0]
            self.gpu_nodes = len(offering)
            lines.append(f"{len(offering)} of {len(nodes)} node(s) offer {resource}"
                         + (f": {', '.join(offering[:5])}" if offering else ""))
        except client.ApiException as error:
            lines.append(f"cannot list nodes ({error.status} {error.reason}): the scheduler decides")
        self.report.engine_info = {"name": "kubernetes", "version": version.git_version, "namespace": self.namespace,
                                   "context": where, "gpu_resource": resource, "gpu_nodes": self.gpu_nodes,
                                   "queue": self.options.queue, "runtime_class": self.options.runtime_class}
        self.report.steps.append(Step(PREFLIGHT, PASSED, None, time.perf_counter() - started, "\n".join(lines)))
        return True

    def run(self) -> None:
        config_map, planned = plan_jobs(self.target, self.options, self.report.run_id)
        self.report.reference = {"path": "/.gpulint/run_reference.py", "mounted_from": config_map.metadata.name}
        self.created = True
        self.core.create_namespaced_config_map(self.namespace, config_map)
        for job in planned:
            self.batch.create_namespaced_job(self.namespace, job.job)
        results = self._collect(planned)
        resource = f"{self.options.gpu_resource}: {self.options.gpu_count}"
        for job in planned:
            if job.reference:
                continue
            ref_job = next(j for j in planned if j.reference and j.condition == job.condition)
            self._pair(job, ref_job, results, WHERE[job.condition].format(gpu=resource))

    def _pair(self, job: PlannedJob, ref_job: PlannedJob, results: dict, where: str) -> None:
        positive = job.step == SMOKE_POSITIVE
        condition = {"gpu_requested": job.gpu, "device_request": self.options.gpu_resource if job.gpu else None,
                     "env": job.env}
        ref_code, ref_out, ref_seconds, ref_problem, ref_timed = results[ref_job.step]
        code, out, seconds, problem, timed = results[job.step]
        outcome = classify(ref_code, ref_out, ref_timed)
        condition["devices"] = outcome.devices
        gpu = job.gpu and bool(outcome.devices)
        if positive and (self.gpu_nodes == 0 or outcome.devices == [] or "Insufficient" in (ref_problem or "")):
            why = (f"no node offers {self.options.gpu_resource}" if self.gpu_nodes == 0 else ref_problem
                   or "the pod got the GPU resource but no NVIDIA device is in the container")
            status = FAILED if self.options.require_gpu else SKIPPED
            self.report.steps.append(Step(job.step, status, None, 0.0, f"needs a GPU: {why}", condition))
            self.report.steps.append(Step(ref_job.step, SKIPPED, None, 0.0, f"needs a GPU: {why}", condition))
            return
        if ref_problem is not None:
            reference = Step(ref_job.step, INCONCLUSIVE, None, ref_seconds, f"the pod did not run: {ref_problem}",
                             condition)
        else:
            reference = make_reference_step(ref_job.step, outcome, ref_seconds, where, positive, condition, gpu)
        if problem is not None:
            step = Step(job.step, INCONCLUSIVE if "deadline" in problem else FAILED, None, seconds,
                        f"the pod did not run: {problem}", condition, gpu)
        else:
            maker = positive_step if positive else negative_step
            step = maker(job.step, code, out, seconds, timed, self.options.job_deadline, where, condition, gpu)
        if not job.gpu and outcome.devices:
            unasked = (f"not GPU-less: the pod got {', '.join(outcome.devices)} without a GPU resource (a default "
                       "nvidia runtime with the image's NVIDIA_VISIBLE_DEVICES)")
            for each in (step, reference):
                each.status, each.detail = INCONCLUSIVE, f"{unasked}; {each.detail}"
        self.report.steps += [step, reference]
        location = self.target.location if self.options.smoke is None else (self.target.display or None)
        finding = compare(step, outcome, location, self.target.script_display or "the HEALTHCHECK's command")
        if finding is not None:
            self.report.findings.append(finding)

    def _collect(self, planned: list[PlannedJob]) -> dict[str, tuple]:
        """step -> (exit code, log, seconds, why it did not run, timed out), waiting for every Job."""
        started = time.perf_counter()
        pending = {job.job.metadata.name: job for job in planned}
        results: dict[str, tuple] = {}
        deadline = started + self.options.job_deadline + 60
        while pending:
            if CANCEL.is_set():
                raise KeyboardInterrupt
            for name, job in list(pending.items()):
                state = self._job_state(name, job, time.perf_counter() >= deadline)
                if state is not None:
                    code, log, problem, timed_out = state
                    results[job.step] = (code, log, time.perf_counter() - started, problem, timed_out)
                    del pending[name]
            if pending:
                time.sleep(2)
        return results

    def _job_state(self, name: str, job: PlannedJob, overdue: bool) -> tuple | None:
        """(exit code, log, why it did not run, timed out) once the Job is over; None while it runs."""
        status = self.batch.read_namespaced_job_status(name, self.namespace).status
        for condition in status.conditions or []:
            if condition.type == "Failed" and condition.status == "True" and condition.reason == "DeadlineExceeded":
                return None, self._log(name), None, True
        pods = self.core.list_namespaced_pod(self.namespace, label_selector=f"job-name={name}").items
        for pod in pods:
            for container in pod.status.container_statuses or []:
                state = container.state
                if state.terminated is not None:
                    return state.terminated.exit_code, self._log(name), None, False
                if state.waiting is not None and state.waiting.reason in _WAITING_FAILURES:
                    return None, "", f"{state.waiting.reason}: {state.waiting.message or ''}".strip(), False
            for condition in pod.status.conditions or []:
                if condition.type == "PodScheduled" and condition.status == "False" and \
                        job.gpu and self.gpu_nodes == 0:
                    return None, "", f"unschedulable: {condition.message}", False
        if overdue:
            why = f"still not finished after the deadline of {self.options.job_deadline:g} s"
            return None, self._log(name), why, True
        return None

    def _log(self, job: str) -> str:
        client = self.kubernetes.client
        try:
            pods = self.core.list_namespaced_pod(self.namespace, label_selector=f"job-name={job}").items
            return self.core.read_namespaced_pod_log(pods[0].metadata.name, self.namespace, container="smoke") \
                if pods else ""
        except client.ApiException:
            return ""

    def cleanup(self) -> Step:
        started = time.perf_counter()
        if not self.created or self.options.keep:
            detail = "nothing was made" if not self.created else \
                f"kept (--keep): kubectl delete job,configmap -l {LABEL}={self.report.run_id} -n {self.namespace}"
            return Step(CLEANUP, SKIPPED, None, 0.0, detail)
        client = self.kubernetes.client
        selector = f"{LABEL}={self.report.run_id}"
        errors = []
        jobs = 0
        try:
            jobs = len(self.batch.list_namespaced_job(self.namespace, label_selector=selector).items)
            self.batch.delete_collection_namespaced_job(self.namespace, label_selector=selector,
                                                        propagation_policy="Background")
            self.core.delete_collection_namespaced_pod(self.namespace, label_selector=selector)
            self.core.delete_collection_namespaced_config_map(self.namespace, label_selector=selector)
        except client.ApiException as error:
            errors.append(f"{error.status} {error.reason}")
        detail = f"deleted {jobs} Job(s), their pods and the reference's ConfigMap labelled {selector}"
        if errors:
            return Step(CLEANUP, FAILED, None, time.perf_counter() - started, f"{detail}; failed: {'; '.join(errors)}; "
                        f"run kubectl delete job,pod,configmap -l {selector} -n {self.namespace}")
        return Step(CLEANUP, PASSED, None, time.perf_counter() - started, detail)


def run_kubernetes(target: Target, options: LiveOptions, report: LiveReport) -> None:
    run = KubernetesRun(target, options, report)
    report.target = {**report.target, "image": options.image}
    try:
        if not run.preflight():
            return
        run.run()
    finally:
        with deferred():
            report.steps.append(run.cleanup())
