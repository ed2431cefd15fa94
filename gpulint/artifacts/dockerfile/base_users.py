"""The user a well-known base image runs as, for a final stage that never sets ``USER``.

Docker's default user is root, but an image inherits its base's ``USER``: ``FROM
jupyter/base-notebook`` runs as ``jovyan`` without a ``USER`` line. gpulint cannot pull images, so
it knows a small, documented set of bases; any other base is "cannot tell", not "root":

* non-root: NVIDIA NIM (``nvcr.io/nim/*``, runs as UID 1000 per the NIM docs), the Jupyter Docker
  Stacks (``jupyter/*``, ``quay.io/jupyter/*``: ``jovyan``, UID 1000), Bitnami (``bitnami/*``: UID
  1001), distroless ``:nonroot``/``:debug-nonroot`` tags (UID 65532), Chainguard images other than
  ``-dev`` (UID 65532), Red Hat's UBI language and s2i images (``ubi*/python-*``, ``nodejs-*``,
  ``go-toolset``...: UID 1001), ``nginxinc/nginx-unprivileged`` (UID 101), the OpenShift AI
  workbench images (``quay.io/modh``, ``quay.io/opendatahub``: UID 1001).
* root: distribution images (ubuntu, debian, alpine, centos, rockylinux, fedora, UBI base and
  minimal, amazonlinux), language images (python, node, golang), ``nvidia/cuda`` and NVIDIA's NGC
  framework images (``nvcr.io/nvidia/*``; Triton creates a ``triton-server`` user but starts as
  root), ``pytorch/pytorch``, ``tensorflow/tensorflow``, ROCm images, and the inference server
  images that start as root (``vllm/vllm-openai``, ``lmsysorg/sglang``, Text Generation Inference,
  ``ollama/ollama``, ``pytorch/torchserve``).
"""

from __future__ import annotations

from gpulint.core.records import Record
from gpulint.syntax.images import ImageRef

_NON_ROOT: tuple[tuple[str, str], ...] = (
    ("nvcr.io/nim/", "1000 (NVIDIA NIM)"),
    ("docker.io/jupyter/", "jovyan (Jupyter Docker Stacks)"),
    ("quay.io/jupyter/", "jovyan (Jupyter Docker Stacks)"),
    ("docker.io/bitnami/", "1001 (Bitnami)"),
    ("docker.io/nginxinc/nginx-unprivileged", "101 (nginx-unprivileged)"),
    ("quay.io/modh/", "1001 (OpenShift AI workbench)"),
    ("quay.io/opendatahub/", "1001 (Open Data Hub workbench)"),
)
_UBI_LANGUAGES = ("python-", "nodejs-", "go-toolset", "ruby-", "php-", "perl-", "openjdk-", "s2i-")
_ROOT = ("ubuntu", "debian", "alpine", "centos", "rockylinux", "almalinux", "fedora", "amazonlinux", "busybox",
         "python", "node", "golang", "rust", "openjdk", "buildpack-deps", "nvidia/cuda", "pytorch/pytorch",
         "tensorflow/tensorflow", "rocm/", "vllm/vllm-openai", "lmsysorg/sglang", "text-generation-inference",
         "ollama/ollama", "pytorch/torchserve", "nvcr.io/nvidia/", "ubi8/ubi", "ubi9/ubi", "ubi8/ubi-minimal",
         "ubi9/ubi-minimal", "ubi8/ubi-micro", "ubi9/ubi-micro", "quay.io/pypa/manylinux", "intel/oneapi")


class BaseUser(Record, frozen=True):
    user: str | None  # the non-root user, when known
    known: bool  # False: gpulint cannot tell

    @property
    def root(self) -> bool:
        return self.known and self.user is None


def base_user(ref: ImageRef | None) -> BaseUser:
    """The user an image starts as: a known non-root user, root, or unknown."""
    if ref is None:
        return BaseUser(None, False)
    path = f"{ref.registry}/{ref.repository}".lower()
    tag = (ref.tag or "").lower()
    for prefix, user in _NON_ROOT:
        if path.startswith(prefix):
            return BaseUser(user, True)
    if "distroless" in path and "nonroot" in tag:
        return BaseUser("65532 (distroless nonroot)", True)
    if path.startswith("cgr.dev/chainguard/"):
        return BaseUser(None, True) if tag.endswith("-dev") or tag == "latest-dev" else BaseUser("65532 (Chainguard)", True)
    if "registry.access.redhat.com/ubi" in path or path.startswith("registry.redhat.io/ubi"):
        name = path.rsplit("/", 1)[-1]
        if name.startswith(_UBI_LANGUAGES):
            return BaseUser("1001 (Red Hat UBI language image)", True)
    short = ref.short.lower()
    if any(short == r or short.startswith(r) or path.startswith(r) or f"/{r}" in path for r in _ROOT):
        return BaseUser(None, True)
    if "distroless" in path:
        return BaseUser(None, True)  # the non-nonroot tags run as root
    return BaseUser(None, False)
