"""`gpulint init`: scaffold the lab's reference lifecycle into a repository, named after it.

Writes the Dockerfile, requirements, GPU smoke test and stand-in server, the CI pipeline for
the chosen system (GitHub Actions, GitLab CI, Tekton or Cloud Build), the Kubernetes Deployment
and the rollout plan, all from the templates shipped in this package (``templates/``, the
reference solution with its names as placeholders). Names come from the repository: the app
from the ``origin`` remote's repository name (else the folder's name), the image from the
remote's owner and the CI system's registry, the Deployment's tag from the checked-out commit.
Nothing is overwritten without ``--force``; when a file is in the way, nothing is written.
The result passes ``gpulint check``.
"""

from __future__ import annotations

import argparse
import re
import sys
from importlib import resources
from pathlib import Path

from gpulint.core.records import Record
from gpulint.project.git import Remote, head_commit, parse_remote, read_remote  # noqa: F401 (re-exported)

CI_SYSTEMS = ("github", "gitlab", "tekton", "cloudbuild")
COMMON = {"Dockerfile": "Dockerfile", "requirements.txt": "requirements.txt", "smoke_test.py": "smoke_test.py",
          "serve.py": "serve.py", "k8s/deployment.yaml": "k8s/deployment.yaml", "rollout.yaml": "rollout.yaml"}
CI_FILES = {
    "github": {"ci/github.yml": ".github/workflows/gpu-ci.yml"},
    "gitlab": {"ci/gitlab.yml": ".gitlab-ci.yml"},
    "tekton": {"ci/tekton.yaml": "tekton/gpu-ci.yaml"},
    "cloudbuild": {"ci/cloudbuild.yaml": "cloudbuild.yaml", "ci/cloudbuild.trigger.yaml": "cloudbuild.trigger.yaml"},
}
NO_COMMIT = "0" * 40
_PLACEHOLDER = re.compile(r"__[A-Z]+__")


class Names(Record):
    app: str
    image: str  # the repository CI pushes (the Deployment's, with $PROJECT_ID resolved)
    ci_image: str  # as the CI file writes it
    namespace: str
    tag: str
    owner: str
    repo: str
    notes: list[str]


def add_init_parser(commands, help_text: str) -> None:
    init = commands.add_parser("init", help=help_text)
    init.add_argument("path", nargs="?", type=Path, default=Path("."), metavar="PATH",
                      help="the repository to write into (default .)")
    init.add_argument("--ci", choices=CI_SYSTEMS, default="github", help="CI system (default github)")
    init.add_argument("--name", help="app name (default: the repository's name from its git remote, else the folder's)")
    init.add_argument("--image", help="image repository without tag (default: from the remote and the CI system)")
    init.add_argument("--namespace", default="default", help="Kubernetes namespace (default: default)")
    init.add_argument("--gcp-project", default="my-project",
                      help="with --ci cloudbuild: the Google Cloud project of the Artifact Registry image")
    init.add_argument("--gpu-runner", default="gpu-runner",
                      help="with --ci cloudbuild: the Compute Engine GPU VM the smoke test runs on")
    init.add_argument("--zone", default="us-central1-a", help="with --ci cloudbuild: that VM's zone")
    init.add_argument("--force", action="store_true", help="overwrite files that already exist")


def dns_label(text: str, limit: int = 40) -> str:
    """A Kubernetes name (RFC 1123 label), short enough for the suffixes the templates add."""
    label = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return re.sub(r"-+", "-", label)[:limit].strip("-")


def names_for(repo: Path, ci: str, name: str | None = None, image: str | None = None, namespace: str = "default",
              gcp_project: str = "my-project") -> Names:
    remote = read_remote(repo)
    notes: list[str] = []
    app = dns_label(name or remote.repo or repo.resolve().name) or "gpu-app"
    owner = (remote.owner or "").lower()
    if image:
        ci_image = deployed = image.lower()
    elif ci == "gitlab":
        if remote.host == "gitlab.com" and owner:
            ci_image = deployed = f"registry.gitlab.com/{owner}/{(remote.repo or app).lower()}"
        else:
            ci_image = deployed = f"registry.example.com/{app}"
            notes.append("no gitlab.com remote: set the image with --image (your GitLab registry's path)")
    elif ci == "cloudbuild":
        ci_image = f"us-docker.pkg.dev/$PROJECT_ID/{app}/{app}"
        deployed = ci_image.replace("$PROJECT_ID", gcp_project.lower())
        if gcp_project == "my-project":
            notes.append("the Deployment's image names the Google Cloud project my-project: give yours with "
                         "--gcp-project")
    elif remote.host == "github.com" and owner:
        ci_image = deployed = f"ghcr.io/{owner}/{app}"
    else:
        ci_image = deployed = f"ghcr.io/example/{app}"
        notes.append("no github.com remote: the image is ghcr.io/example/...; set yours with --image")
    tag = head_commit(repo)
    if tag is None:
        tag = NO_COMMIT
        notes.append("no commit checked out: the Deployment's image tag is a placeholder (40 zeros); deploy "
                     "the commit SHA CI pushed")
    return Names(app, deployed, ci_image, dns_label(namespace, 63) or "default", tag,
                 owner or "example", (remote.repo or app), notes)


def render(template: str, names: Names, args: argparse.Namespace) -> str:
    if template == "smoke_test.py":  # the one reference smoke test, the one live mode runs beside the project's
        source = resources.files("gpulint.live").joinpath("data", "reference_smoke_test.py")
    else:
        source = resources.files("gpulint.scaffold").joinpath("templates", *template.split("/"))
    text = source.read_text(encoding="utf-8")
    values = {"__APP__": names.app, "__IMAGE__": names.ci_image if template.startswith("ci/") else names.image,
              "__NAMESPACE__": names.namespace, "__TAG__": names.tag, "__OWNER__": names.owner,
              "__REPO__": names.repo, "__RUNNER__": getattr(args, "gpu_runner", "gpu-runner"),
              "__ZONE__": getattr(args, "zone", "us-central1-a")}
    rendered = _PLACEHOLDER.sub(lambda m: values.get(m.group(0), m.group(0)), text)
    left = _PLACEHOLDER.findall(rendered)
    if left:
        raise ValueError(f"template {template} has unknown placeholders {sorted(set(left))}")
    return rendered


def plan(repo: Path, args: argparse.Namespace) -> tuple[dict[Path, str], Names]:
    names = names_for(repo, args.ci, args.name, args.image, args.namespace, getattr(args, "gcp_project", "my-project"))
    files = {**COMMON, **CI_FILES[args.ci]}
    return {repo / target: render(template, names, args) for template, target in files.items()}, names


def run_init(args: argparse.Namespace) -> int:
    repo: Path = args.path
    if not repo.is_dir():
        print(f"gpulint: error: {repo} is not a folder", file=sys.stderr)
        return 2
    files, names = plan(repo, args)
    existing = sorted(p.relative_to(repo).as_posix() for p in files if p.exists() or p.is_symlink())
    if existing and not args.force:
        print(f"gpulint: error: {', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
              "nothing was written (--force overwrites)", file=sys.stderr)
        return 2
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(repo).as_posix()}")
    print(f"app {names.app}, image {names.image}:{names.tag}, namespace {names.namespace}, CI {args.ci}")
    for note in names.notes:
        print(f"note: {note}")
    print(f"next: gpulint check {repo}")
    return 0
