"""Reading discovered files once into artifacts, and turning unreadable input into problems.

Nothing read here is executed or imported. Every failure (binary content, size, encoding, YAML
syntax, alias bombs) becomes a ``FileProblem`` with a location, and the run goes on.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

from gpulint.core.findings import Severity
from gpulint.core.records import Record
from gpulint.core.source import Source, Span, decode
from gpulint.engine.discovery import Candidate
from gpulint.project.project import Project

if TYPE_CHECKING:  # the models of a kind are imported when a file of that kind is read
    from gpulint.artifacts.dockerfile.model import Dockerfile
    from gpulint.syntax import yamlnode as Y
    from gpulint.syntax.yamlfile import YamlFile

ANSWER_FIELDS = ("dockerfile", "workflow_yaml", "deployment_yaml", "smoke_test_py")
SMOKE_TEST_NAMES = ("smoke_test.py", "smoketest.py", "gpu_smoke_test.py")
# Cheap text tests that decide whether a YAML/JSON file is worth composing at all; the parsed
# document, not this text, decides what the file is.
_INTERESTING = ("apiVersion", "rollback_commands", "image_promotion_flow", "jobs", "dockerfile")


class LabAnswers(Record):
    """Marks a lab answers file: a lab submission needs every artifact kind."""

    kind = "answers"
    source: Source
    node: Y.MappingNode


class FileProblem(Record):
    """A file that could not be read or parsed (or only partly)."""

    kind = "file"
    span: Span
    message: str
    severity: Severity = Severity.ERROR
    fix: str | None = None  # None: GL001's own fix line

    @property
    def source(self) -> Source:
        return self.span.source


def _problem_at_offset(rel: str, path: Path, data: bytes, message: str) -> FileProblem:
    text = data.decode("utf-8", errors="replace").replace("\x00", " ")
    source = Source(text, rel, path)
    offset = 0
    marker = message.rfind("at offset ")
    if marker != -1:
        try:
            byte = int(message[marker + 10:].split(")")[0])
            offset = len(data[:byte].decode("utf-8", errors="replace"))
        except ValueError:
            offset = 0
    elif "NUL" in message:
        offset = len(data[:data.find(b"\x00")].decode("utf-8", errors="replace"))
    return FileProblem(Span(source, offset, offset + 1), message)


def load(candidate: Candidate, project: Project) -> list[Any]:
    """The artifacts of one file (several for a multi-document or answers file)."""
    limits = project.limits
    rel = candidate.rel
    try:
        info = candidate.path.stat()
        size = info.st_size
        if not S_ISREG(info.st_mode):  # a FIFO, socket or device would block or never end
            return [FileProblem(Span(Source("", rel, candidate.path), 0, 0),
                                "not a regular file (a FIFO, socket or device); not read")]
        if size > limits.max_file_size:
            return [FileProblem(Span(Source("", rel, candidate.path), 0, 0),
                                f"file is {size / 1e6:.1f} MB, over the {limits.max_file_size / 1e6:.1f} MB "
                                "limit (max-file-size); not linted")]
        data = project.read_bytes(candidate.path)
    except OSError as error:
        return [FileProblem(Span(Source("", rel, candidate.path), 0, 0),
                            f"cannot read file: {error.strerror or error}")]
    # (A file with a UTF-16 or UTF-32 byte-order mark cannot be searched as bytes: it is decoded.)
    if candidate.kind in ("yaml", "json", "python") and not any(k.encode() in data for k in _INTERESTING) \
            and not (candidate.kind == "python" and Path(rel).name in SMOKE_TEST_NAMES) \
            and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return []
    text, problem = decode(data)
    if text is None:
        return [_problem_at_offset(rel, candidate.path, data, problem or "unreadable")]
    source = Source(text, rel, candidate.path)
    project.remember(source)
    if candidate.kind == "dockerfile":
        from gpulint.artifacts.dockerfile.model import parse_dockerfile

        return _dockerfile(parse_dockerfile(source), candidate.path.parent, project)
    if candidate.kind == "python":
        from gpulint.syntax.python import parse_python

        script = parse_python(source)
        return [script] + ([FileProblem(*script.problem)] if script.problem else [])
    from gpulint.syntax.yamlfile import load_yaml

    yaml_file = load_yaml(source, limits)
    if candidate.kind in CI_MODELS:
        return _ci_artifacts(yaml_file, CI_MODELS[candidate.kind]())
    return _yaml_artifacts(yaml_file, project, candidate.kind == "workflow", candidate.path)


def _gitlab_model():
    from gpulint.ci.gitlab.pipeline import GitLabPipeline

    return GitLabPipeline


def _cloudbuild_model():
    from gpulint.ci.cloudbuild.build import CloudBuild

    return CloudBuild


# CI systems recognised by file name; each model is built as Model(source, yaml_file, root_node).
CI_MODELS = {"gitlab": _gitlab_model, "cloudbuild": _cloudbuild_model}


def _ci_artifacts(yaml_file: YamlFile, model) -> list[Any]:
    from gpulint.syntax import yamlnode as Y

    artifacts: list[Any] = [yaml_file]
    artifacts.extend(FileProblem(span, message) for span, message in yaml_file.problems)
    for document in yaml_file.documents:
        if Y.is_map(document):
            artifacts.append(model(yaml_file.source, yaml_file, document))
    return artifacts


def _dockerfile(dockerfile: Dockerfile, directory: Path | None, project: Project,
                inline: dict[str, Source] | None = None) -> list[Any]:
    from gpulint.artifacts.dockerfile.context import BuildContext

    fallbacks: list[Path] = []
    if directory is not None:
        root, folder = project.root.resolve(), directory.resolve()
        while folder != root and root in folder.parents:  # a context may be any folder up to the root
            folder = folder.parent
            fallbacks.append(folder)
    dockerfile.context = BuildContext(directory, inline or {}, project.files, tuple(fallbacks))  # type: ignore[attr-defined]
    problems = [FileProblem(span, message) for span, message in dockerfile.problems]
    return problems if dockerfile.not_a_dockerfile else [dockerfile] + problems


def _yaml_artifacts(yaml_file: YamlFile, project: Project, is_workflow_path: bool,
                    path: Path | None) -> list[Any]:
    from gpulint.artifacts.kubernetes.model import Manifests, objects_in
    from gpulint.artifacts.rollout import RolloutSpec, is_rollout
    from gpulint.syntax import yamlnode as Y

    source = yaml_file.source
    artifacts: list[Any] = [yaml_file]
    if not is_workflow_path and _templated(yaml_file):
        return [_template_notice(yaml_file)]  # a Helm or other template: not YAML until rendered
    for span, message in yaml_file.problems:
        artifacts.append(FileProblem(span, message))
    manifests = Manifests(source, yaml_file)
    for document in yaml_file.documents:
        if is_workflow_path or _is_workflow(document):
            if Y.is_map(document):
                from gpulint.ci.github.workflow import Workflow

                artifacts.append(Workflow(source, yaml_file, document))
            continue
        manifests.objects.extend(objects_in(source, document))
        if is_rollout(document):
            artifacts.append(RolloutSpec(source, document))
        if _is_answers(document):
            artifacts.extend(_answers(source, document, project, path))
    if manifests.objects:
        artifacts.append(manifests)
    return artifacts


def _is_workflow(document: Y.Node) -> bool:
    """A GitHub Actions workflow by content (its model is imported only for a mapping of jobs)."""
    from gpulint.syntax import yamlnode as Y

    if not Y.is_map(Y.get(document, "jobs")):
        return False
    from gpulint.ci.github.workflow import is_workflow

    return is_workflow(document)


def _templated(yaml_file: YamlFile) -> bool:
    """A Go/Helm/Jinja template (`{{ ... }}` actions that shape the YAML): it does not parse, or a
    `{{` opens a flow mapping (`port: {{ .Values.port }}` composes as a nested mapping). A `{{` only
    inside a quoted string (an Argo parameter, a placeholder value) leaves the structure intact."""
    from gpulint.syntax import yamlnode as Y

    text = yaml_file.source.text
    if "{{" not in text.replace("${{", ""):
        return False
    if yaml_file.problems and not yaml_file.documents or any("{{" in m for _, m in yaml_file.problems):
        return True
    if yaml_file.problems:
        return any(text.startswith("{{", span.start) or "{{" in text[max(0, span.start - 200):span.end + 200]
                   for span, _ in yaml_file.problems)
    for document in yaml_file.documents:
        for _, node in Y.walk(document):
            if Y.is_map(node) and getattr(node, "flow_style", False) and text.startswith("{{", Y.start(node)):
                return True
    return False


def _template_notice(yaml_file: YamlFile) -> FileProblem:
    text = yaml_file.source.text
    at = text.replace("${{", "\0\0\0").find("{{")
    line_start = text.rfind("\n", 0, max(at, 0)) + 1
    return FileProblem(Span(yaml_file.source, line_start, line_start + 1),
                       "this file is a template (`{{ ... }}` actions), not YAML until rendered: it was not "
                       "linted; lint the rendered output instead, e.g. "
                       "`helm template RELEASE CHART | gpulint check - --stdin-filename rendered.yaml`",
                       Severity.INFO,
                       fix="render the template and pipe it to `gpulint check -` (`helm template RELEASE CHART "
                           "| gpulint check - --stdin-filename rendered.yaml`), or exclude the templates folder")


def _is_answers(node: Y.Node) -> bool:
    from gpulint.syntax import yamlnode as Y

    return Y.is_map(node) and sum(Y.get_pair(node, f) is not None for f in ANSWER_FIELDS) >= 2


def _answers(parent: Source, node: Y.MappingNode, project: Project, path: Path | None) -> list[Any]:
    """A lab answers file: each string field is linted as the artifact it holds."""
    from gpulint.artifacts.dockerfile.model import parse_dockerfile
    from gpulint.syntax import yamlnode as Y
    from gpulint.syntax.embedded import embed
    from gpulint.syntax.python import parse_python
    from gpulint.syntax.yamlfile import load_yaml

    artifacts: list[Any] = [LabAnswers(parent, node)]
    embedded: dict[str, Source] = {}
    for field_name in ANSWER_FIELDS:
        pair = Y.get_pair(node, field_name)
        if pair is None:
            continue
        key, value = pair
        if not (Y.is_scalar(value) and value.tag == Y.STR_TAG):
            artifacts.append(FileProblem(Y.span(parent, value if value is not None else key),
                                         f"answers field '{field_name}' must be a string"))
            continue
        embedded[field_name] = embed(parent, value, field_name)
    if "smoke_test_py" in embedded:
        script = parse_python(embedded["smoke_test_py"])
        artifacts.append(script)
        if script.problem:
            artifacts.append(FileProblem(*script.problem))
    if "dockerfile" in embedded:
        inline = {name: embedded["smoke_test_py"] for name in SMOKE_TEST_NAMES} if "smoke_test_py" in embedded else {}
        artifacts.extend(_dockerfile(parse_dockerfile(embedded["dockerfile"]), None, project, inline))
    for field_name in ("workflow_yaml", "deployment_yaml"):
        if field_name in embedded:
            inner = load_yaml(embedded[field_name], project.limits)
            artifacts.extend(_yaml_artifacts(inner, project, field_name == "workflow_yaml", path))
    return artifacts

def timeout_problem(root: Any, skipped: list[Any], timeout: float, linted: int) -> Any:
    """A GL001 finding (at the first file left out) naming the files the time bound left unlinted."""
    names = [c.rel for c in skipped]
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    message = (f"the run stopped at its {timeout:g} s time limit (timeout) after {linted} file(s); "
               f"{len(names)} file(s) were not linted: {shown}")
    first = skipped[0]
    fix = ("raise --timeout (or `timeout:` in .gpulint.yaml), exclude generated or vendored folders, "
           "or lint fewer paths at once")
    return FileProblem(Span(Source("", first.rel, first.path), 0, 0), message, fix=fix)
