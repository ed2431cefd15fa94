"""Container image references, CUDA versions and tag patterns.

* ``parse_image("ghcr.io/acme/app:1.2@sha256:...")`` splits a reference the way Docker does:
  the first path component is a registry only when it has a ``.`` or ``:`` or is
  ``localhost``; otherwise the registry is ``docker.io`` and a one-component name lives under
  ``library/``. ``ImageRef.name`` is the normalised ``registry/repository`` (lower case).
* ``cuda_of(ref)`` reads the CUDA version and flavour (devel/runtime/base) from an
  ``nvidia/cuda`` tag (``12.4.1-cudnn-devel-ubuntu22.04``) or a tag naming ``cudaX.Y``
  (``pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime``).
* ``wheel_cuda("cu121")`` is the CUDA version of a PyTorch wheel tag or index (12.1).
* ``tag_pattern(text)`` decides whether a promotion ``tag_pattern`` is a regular expression or a
  glob, by syntax: anchored (``^``/``$``) or using regex-only syntax (``\\d``, ``+``, ``{n}``,
  ``(``, ``|``, ``.*``) means a regex (matched with ``re.search`` when not anchored); otherwise
  ``*``, ``?`` and ``[...]`` make a glob (``sha-*``, ``v*``), and anything else is a literal tag.
"""

from __future__ import annotations

import fnmatch
import re

from gpulint.core.records import Record

_DIGEST = re.compile(r"^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$")
_CUDA_TAG = re.compile(r"^(\d+)\.(\d+)(?:\.\d+)?(?:-|$)")
_CUDA_WORD = re.compile(r"cuda[-_]?(\d+)\.(\d+)", re.IGNORECASE)
_WHEEL = re.compile(r"(?<![a-z0-9])cu(\d{2,3})(?![0-9])", re.IGNORECASE)
_SHA40 = re.compile(r"^[0-9a-f]{40}$")
TEMPLATE_MARKS = ("$", "{{", "<", ">")


class ImageRef(Record, frozen=True):
    raw: str
    registry: str  # docker.io when not written
    repository: str  # path without registry, ``library/x`` for official images
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        """``registry/repository``, lower case: two references to one repository compare equal."""
        return f"{self.registry}/{self.repository}".lower()

    @property
    def short(self) -> str:
        """The repository without ``docker.io/library/``: what people write."""
        if self.registry == "docker.io":
            return self.repository.removeprefix("library/")
        return f"{self.registry}/{self.repository}"

    @property
    def templated(self) -> bool:
        """Contains a variable or template (``$TAG``, ``{{ .Values.tag }}``): unknown until rendered."""
        return any(mark in self.raw for mark in TEMPLATE_MARKS)


def parse_image(text: str | None) -> ImageRef | None:
    """Split an image reference; None for an empty or non-string value."""
    if not isinstance(text, str):
        return None
    raw = text.strip()
    if not raw or any(c.isspace() for c in raw):
        return None
    rest, digest = raw, None
    if "@" in rest:
        rest, _, digest = rest.partition("@")
    tag = None
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        rest, tag = rest[:colon], rest[colon + 1:]
    parts = rest.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        registry, repository = parts[0], "/".join(parts[1:])
    else:
        registry, repository = "docker.io", rest
    if registry in ("index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"):
        registry = "docker.io"
    if registry == "docker.io" and "/" not in repository:
        repository = f"library/{repository}"
    return ImageRef(raw, registry, repository, tag or None, digest or None)


# Tag words that name a moving target (`latest-gpu`, `2.4-latest`, `nightly`, `ubuntu:rolling`), and
# whole tags that name a branch.
_MOVING_WORDS = frozenset({"latest", "nightly", "edge", "rolling", "unstable", "canary", "snapshot"})
_BRANCH_TAGS = frozenset({"main", "master", "head", "dev", "develop", "trunk"})
# A date or a commit hash in the tag pins it (`nightly-20240501`, `main-3f1c9a7e`).
_PINNING = re.compile(r"(?:^|[-_.])(?:\d{8}|20\d{2}[-_.]?\d{2}[-_.]?\d{2}|[0-9a-f]{7,40})(?:$|[-_.])")


def moving_tag(ref: ImageRef | None) -> str | None:
    """Why an image reference moves: "has no tag, so it means :latest", "uses the moving tag :latest-gpu";
    None for a digest or a pinned tag."""
    if ref is None or ref.digest:
        return None
    if ref.tag is None:
        return "has no tag, so it means :latest"
    tag = ref.tag.lower()
    words = set(re.split(r"[-_.]+", tag))
    if tag in _BRANCH_TAGS or (words & _MOVING_WORDS and not _PINNING.search(tag)):
        return f"uses the moving tag :{ref.tag}"
    return None


def is_digest(text: str | None) -> bool:
    return bool(text) and bool(_DIGEST.match(text or ""))


# --------------------------------------------------------------------------- CUDA versions

class Cuda(Record, frozen=True):
    major: int
    minor: int
    flavor: str | None  # devel | runtime | base | None

    @property
    def version(self) -> str:
        return f"{self.major}.{self.minor}"

    def key(self) -> tuple[int, int]:
        return (self.major, self.minor)


def _flavor(tag: str) -> str | None:
    words = set(re.split(r"[-_.]", tag.lower()))
    for flavor in ("devel", "runtime", "base"):
        if flavor in words:
            return flavor
    return None


def cuda_of(ref: ImageRef | None) -> Cuda | None:
    """The CUDA version an image ships, read from its tag; None when the tag does not say."""
    if ref is None or not ref.tag or ref.templated:
        return None
    tag = ref.tag
    if ref.repository.lower().endswith("nvidia/cuda") or ref.repository.lower() == "nvidia/cuda":
        match = _CUDA_TAG.match(tag)
        if match:
            return Cuda(int(match.group(1)), int(match.group(2)), _flavor(tag))
        return None
    match = _CUDA_WORD.search(tag)
    if match:
        return Cuda(int(match.group(1)), int(match.group(2)), _flavor(tag))
    return None


def is_devel(ref: ImageRef | None) -> bool:
    """A CUDA toolkit image: ``nvidia/cuda:*-devel-*`` or a CUDA-tagged ``*-devel`` image."""
    cuda = cuda_of(ref)
    return cuda is not None and cuda.flavor == "devel"


def wheel_cuda(text: str) -> tuple[int, int] | None:
    """``cu121`` -> (12, 1), ``cu118`` -> (11, 8), ``cu92`` -> (9, 2); None when absent."""
    match = _WHEEL.search(text)
    if not match:
        return None
    digits = match.group(1)
    return int(digits[:-1]), int(digits[-1])


# --------------------------------------------------------------------------- tag patterns

_REGEX_ONLY = re.compile(r"\\[dDwWsS.\-+*?]|[+{}()|]|\.\*|\.\+|\.\?|\]\*|\]\+|\]\{")


class TagPattern(Record, frozen=True):
    text: str
    kind: str  # regex | glob | literal
    regex: re.Pattern[str] | None  # None when the regex does not compile

    def matches(self, tag: str) -> bool | None:
        """Whether ``tag`` has this pattern's form; None when the pattern cannot be read."""
        if self.kind == "literal":
            return tag == self.text
        if self.kind == "glob":
            return fnmatch.fnmatchcase(tag, self.text)
        if self.regex is None:
            return None
        return self.regex.search(tag) is not None


def tag_pattern(text: str) -> TagPattern:
    text = text.strip()
    if text.startswith("^") or text.endswith("$") or _REGEX_ONLY.search(text):
        try:
            return TagPattern(text, "regex", re.compile(text))
        except re.error:
            return TagPattern(text, "regex", None)
    if any(c in text for c in "*?["):
        return TagPattern(text, "glob", None)
    return TagPattern(text, "literal", None)


def is_commit_sha(tag: str) -> bool:
    return bool(_SHA40.match(tag))


# --------------------------------------------------------------------------- Dockerfile stages

def pattern_matches(pattern: str, ref: ImageRef) -> bool:
    """Whether a pushed reference (``*`` for unknown parts, tag ignored) names the repository."""
    body = pattern.split("@", 1)[0]
    slash, colon = body.rfind("/"), body.rfind(":")
    if colon > slash:
        body = body[:colon]
    body = body.lower()
    candidates = {ref.name, ref.short.lower(), f"{ref.registry}/{ref.repository}".lower()}
    forms = {body}
    parsed = parse_image(body.replace("*", "x-wild-x"))
    if parsed is not None and "x-wild-x" not in parsed.registry:
        forms.add(parsed.name.replace("x-wild-x", "*"))
    return any(fnmatch.fnmatchcase(c, f) for c in candidates for f in forms)


def informative(pattern: str) -> bool:
    """The pattern names some repository text (not only wildcards)."""
    body = pattern.split("@", 1)[0].rsplit(":", 1)[0] if ":" in pattern.split("/")[-1] else pattern.split("@", 1)[0]
    last = body.rsplit("/", 1)[-1]
    return any(c.isalnum() for c in last.replace("*", ""))
