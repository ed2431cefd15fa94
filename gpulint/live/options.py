"""Live mode's options, shared by ``gpulint live``, ``check --live`` and ``grade --live`` (argparse only)."""

from __future__ import annotations

import argparse

from gpulint.core.records import Record, field

ENGINES = ("docker", "host", "kubernetes")
BUILDERS = ("auto", "buildkit", "classic")


class LiveOptions(Record):
    engine: str = "docker"
    smoke: str | None = None  # a shell command replacing the HEALTHCHECK's command
    network: str = "none"  # containers' network
    build_network: str = "none"  # the build's network: none (default), default (the engine's), host, or a name
    memory: str = "8g"
    cpus: float = 2.0
    pids_limit: int = 1024
    timeout: float = 300.0  # seconds for each smoke-test run
    build_timeout: float = 1800.0
    keep: bool = False
    pull: bool = False
    progress: bool | None = None  # None: on a terminal
    require_gpu: bool = False
    builder: str = "auto"
    secrets: list[str] = field(default_factory=list)  # docker build --secret values: id=NAME,src=PATH|env=VAR
    # --engine kubernetes
    image: str | None = None
    namespace: str | None = None
    kube_context: str | None = None
    gpu_resource: str = "nvidia.com/gpu"
    gpu_count: int = 1
    runtime_class: str | None = None
    tolerations: list[str] = field(default_factory=list)
    node_selector: list[str] = field(default_factory=list)
    queue: str | None = None
    run_as_user: int | None = None
    job_deadline: float = 900.0
    dry_run: bool = False
    parallel: int = 4
    submission: str | None = None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _cpus(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of CPUs: {text!r}") from None
    if not 0 < value < 1024:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _secret(text: str) -> str:
    fields = dict(part.split("=", 1) for part in text.split(",") if "=" in part)
    if not fields.get("id") or not (fields.get("src") or fields.get("env")) or len(fields) != len(text.split(",")):
        raise argparse.ArgumentTypeError(f"expected id=NAME,src=FILE or id=NAME,env=VARIABLE, not {text!r}")
    return text


def add_live_arguments(parser: argparse.ArgumentParser, flag: bool) -> None:
    """Add the live options; with ``flag``, also ``--live`` itself (for check and grade)."""
    group = parser.add_argument_group("live mode (pip install 'gpulint[live]')")
    if flag:
        group.add_argument("--live", action="store_true",
                           help="also build the image and run its smoke test and HEALTHCHECK with and without a GPU")
    group.add_argument("--engine", choices=ENGINES, default="docker",
                       help="docker: build and run the image (DOCKER_HOST honoured); host: run the smoke test "
                            "with this Python (no container engine); kubernetes: run an already pushed --image as "
                            "Jobs on a GPU node pool")
    group.add_argument("--require-gpu", action="store_true",
                       help="fail (exit 1) when no step can run with a GPU, instead of exit 3")
    group.add_argument("--smoke", default=None, metavar="CMD",
                       help="smoke-test command (a shell command) instead of the HEALTHCHECK's")
    group.add_argument("--network", default="none", metavar="NAME",
                       help="network of the test containers (default: none)")
    group.add_argument("--build-network", default="none", metavar="NAME",
                       help="network of the build's RUN steps (default: none; 'default' for the engine's)")
    group.add_argument("--builder", choices=BUILDERS, default="auto",
                       help="auto (default): BuildKit through the engine's API, or the docker CLI's BuildKit "
                            "when build secrets are needed; classic: the legacy builder")
    group.add_argument("--secret", dest="secrets", action="append", default=[], type=_secret,
                       metavar="id=NAME,src=FILE",
                       help="a build secret for RUN --mount=type=secret (repeatable; needs the docker CLI's BuildKit)")
    group.add_argument("--memory", default="8g", metavar="SIZE",
                       help="memory limit of each container and of the build (default 8g)")
    group.add_argument("--cpus", type=_cpus, default=2.0, metavar="N",
                       help="CPU limit of each container and of the build (default 2)")
    group.add_argument("--pids-limit", type=_positive_int, default=1024, metavar="N",
                       help="process limit of each container and of the build (default 1024)")
    group.add_argument("--smoke-timeout", type=_seconds, default=300.0, metavar="SECONDS",
                       help="time limit of each smoke-test run (default 300)")
    group.add_argument("--build-timeout", type=_seconds, default=1800.0, metavar="SECONDS",
                       help="time limit of the build (default 1800)")
    group.add_argument("--pull", action="store_true", help="pull newer base images when building")
    group.add_argument("--keep", action="store_true", help="keep the image and containers it made (for debugging)")
    kube = parser.add_argument_group("live mode on Kubernetes (--engine kubernetes; pip install kubernetes)")
    kube.add_argument("--image", default=None, metavar="REF",
                      help="the image CI pushed (with --batch: a template, {submission} is the submission's name)")
    kube.add_argument("--namespace", default=None, metavar="NS", help="namespace of the Jobs (default: the context's)")
    kube.add_argument("--kube-context", default=None, metavar="NAME", help="kubeconfig context (default: current)")
    kube.add_argument("--gpu-resource", default="nvidia.com/gpu", metavar="NAME",
                      help="extended resource of the GPU (default nvidia.com/gpu)")
    kube.add_argument("--gpu-count", type=_positive_int, default=1, metavar="N", help="GPUs of the positive run")
    kube.add_argument("--runtime-class", default=None, metavar="NAME", help="runtimeClassName of the pods")
    kube.add_argument("--toleration", dest="tolerations", action="append", default=[],
                      metavar="KEY[=VALUE][:EFFECT]", help="a toleration of the pods (repeatable)")
    kube.add_argument("--node-selector", action="append", default=[], metavar="KEY=VALUE",
                      help="a node selector of the pods (repeatable)")
    kube.add_argument("--queue", default=None, metavar="NAME",
                      help="Kueue LocalQueue (label kueue.x-k8s.io/queue-name)")
    kube.add_argument("--run-as-user", type=int, default=None, metavar="UID",
                      help="runAsUser of the pods (default: the image's own, which must not be root)")
    kube.add_argument("--job-deadline", type=_seconds, default=900.0, metavar="SECONDS",
                      help="activeDeadlineSeconds of each Job, image pull included (default 900)")
    kube.add_argument("--dry-run", action="store_true", help="print the Jobs it would create and exit")
    kube.add_argument("--parallel", type=_positive_int, default=4, metavar="N",
                      help="with grade --batch --live: submissions run at once (default 4)")


def options_from(args: argparse.Namespace) -> LiveOptions:
    return LiveOptions(
        engine=args.engine, smoke=args.smoke, network=args.network, build_network=args.build_network,
        memory=args.memory, cpus=args.cpus, pids_limit=args.pids_limit, timeout=args.smoke_timeout,
        build_timeout=args.build_timeout, keep=args.keep, pull=args.pull, require_gpu=args.require_gpu,
        builder=args.builder, secrets=list(args.secrets), image=args.image, namespace=args.namespace,
        kube_context=args.kube_context, gpu_resource=args.gpu_resource, gpu_count=args.gpu_count,
        runtime_class=args.runtime_class, tolerations=list(args.tolerations), node_selector=list(args.node_selector),
        queue=args.queue, run_as_user=args.run_as_user, job_deadline=args.job_deadline, dry_run=args.dry_run,
        parallel=args.parallel, submission=getattr(args, "submission_id", None))
