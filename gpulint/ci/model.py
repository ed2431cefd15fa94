"""One model of a CI pipeline, whatever system runs it.

Every CI system compiles into the same few things: a ``Pipeline`` (a GitHub workflow, a GitLab
pipeline, a Cloud Build configuration, a Tekton Pipeline) holds classified ``Action``s (an image
build, the GPU test, a push, other GPU work) found in its units of work (steps, jobs, tasks), and
the ``Scenario``s its triggers allow (a pull request, a push to a feature branch, a push to main,
a tag...). An adapter per system answers the system-specific questions (may this action run in
this scenario? does a failure of that test stop this push?) with its own semantics; what the
lifecycle asks of any pipeline (is the image built? tested on a GPU runner? pushed only from
main and only after the test?) is then judged once, in ``gpulint.ci.judge``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from typing import Any, ClassVar

from gpulint.ci.images import ImageFacts
from gpulint.core.records import Record, field
from gpulint.core.source import Source, Span
from gpulint.core.tri import UNKNOWN, Tri
from gpulint.syntax.shell import SimpleCommand

# What a step does to the image.
BUILD, TEST, PUSH, GPU = "build", "test", "push", "gpu"  # GPU: GPU work that is not the test (nvidia-smi)

SYSTEMS = ("github", "gitlab", "cloudbuild", "tekton")


class Scenario(Record, frozen=True):
    """One kind of event a pipeline may run for."""

    key: str
    label: str  # for messages: "a pull request to main"
    main_push: bool = False  # a push to main (main's code after a merge): where a push belongs
    # Deliberate publishing that production accepts: a version tag, a release, a scheduled run on the
    # default branch, a push to `master` as the default branch. The lab accepts only a push to main.
    release: bool = False
    # What starts it is configured outside the scanned files (a call from a workflow that is not
    # among them): whether a push runs there cannot be told.
    unknown: bool = False


class Action(Record, eq=False):
    """A build, GPU test, push or other GPU work, where it is, and the adapter's own record of it."""

    kind: str  # BUILD | TEST | PUSH | GPU
    detail: str  # what was recognised: "docker run --gpus", "docker push"
    span: Span  # what a finding about this action points at
    where: str  # for messages: "step 'Push' in job 'release'", "job 'push'", "task 'push' of Pipeline 'ci'"
    unit: Any  # the step, job or task doing it: actions of one unit are reported once
    command: SimpleCommand | None = None  # None for an action (`uses:`), a task result or `images:`
    native: Any = None  # the adapter's own hit
    condition_error: bool = False  # a condition on it does not parse (reported by the system's syntax rule)

    @property
    def masked(self) -> bool:
        """Its failure cannot fail its step (`|| true`, inside an `if` test, negated)."""
        c = self.command
        return c is not None and (c.masked or c.in_condition or c.negated)


class Command(Record, eq=False):
    """A command one unit of a pipeline runs, with the variables it sees and where its words are.

    Shell scripts are parsed (``bash -c`` strings followed); exec-form steps (a Cloud Build or
    Tekton ``args`` list) are one command whose words all point at that list."""

    command: SimpleCommand
    unit: Any  # the step, job or task running it
    where: str  # for messages
    variables: dict[str, str]  # values known statically, by name (system syntax already as $NAME)
    locate: Callable[[int, int], Span]  # offsets in the unit's script -> a span in the file
    offset: int = 0  # where the command's (sub)script starts in the unit's script
    script: str | None = None  # the unit's shell script (None: an exec-form step)
    errexit: bool = False
    pipefail: bool = False
    failure_ignored: str = ""  # why a failure of this unit fails nothing (continue-on-error, allow_failure...)
    workdir: str | None = "."  # working directory, relative to the repository root (None: unknown)

    @property
    def argv(self) -> list[str]:
        return self.command.argv()

    @property
    def span(self) -> Span:
        return self.locate(self.offset + self.command.start, self.offset + self.command.end)

    def word_span(self, index_in_argv: int) -> Span:
        word = self.command.word_at(index_in_argv)
        if word is None or self.script is None:
            return self.span
        return self.locate(self.offset + word.start, self.offset + word.end)


class ImageInput(Record):
    """An image named outside any command: an action's `tags:`, Cloud Build's `images:`."""

    kind: str  # BUILD | PUSH
    text: str  # as written
    span: Span
    unit: Any
    variables: dict[str, str] = field(default_factory=dict)


class BuildInput(Record):
    """A build configured outside any command (docker/build-push-action's `file:` and `context:`)."""

    unit: Any
    dockerfile: str | None  # relative to the repository root; None: the context's Dockerfile
    context: str
    span: Span
    file_span: Span | None = None
    target: str | None = None  # the stage built (`target:`); None: the final stage
    from_matrix: bool = False  # the values one matrix leg gives `${{ matrix.* }}` in the inputs


class RunnerVerdict(Record):
    """Where a unit doing GPU work runs, when that is not (or cannot be shown to be) a GPU machine."""

    verdict: str  # NOT_GPU | UNKNOWN_RUNNER
    span: Span
    message: str
    fix: str | None = None


NOT_GPU, UNKNOWN_RUNNER = "not-gpu", "unknown"


class RunnerContext(Record):
    """What decides whether a runner is a GPU machine besides the pipeline itself."""

    extra_labels: tuple[str, ...] = ()  # `gpu-runner-labels` from the configuration
    profile: str = "production"
    node_groups: Sequence[Any] = field(default_factory=tuple)  # Kubernetes node groups (Tekton pods)


class Pipeline:
    """A pipeline of one CI system; adapters fill in the system's semantics."""

    kind: ClassVar[str] = "ci"  # the artifact kind CI rules read
    system: ClassVar[str]
    # Words for messages: what a unit of work is called, and what the pipeline is called.
    unit_name: ClassVar[str] = "job"
    undecided: ClassVar[str] = "(a condition cannot be decided statically: may run)"
    main_only_fix: ClassVar[str] = "restrict the push to a push to main"

    source: Source
    judged: bool = True  # False: judged elsewhere (an included GitLab file, a workflow judged through its callers)
    triggers_known: bool = True  # False: what starts it is configured outside the scanned files

    @property
    def name(self) -> str:
        """For messages: "the workflow", "the GitLab pipeline", "Pipeline 'ci'"."""
        raise NotImplementedError

    @property
    def anchor(self) -> Span:
        """Where a finding about something the whole pipeline lacks points."""
        raise NotImplementedError

    @property
    def actions(self) -> list[Action]:
        raise NotImplementedError

    def scenarios(self) -> Sequence[Scenario]:
        raise NotImplementedError

    def runs(self, action: Action, scenario: Scenario) -> Tri:
        """May the action run in the scenario (its unit's conditions and the pipeline's triggers)?"""
        raise NotImplementedError

    def gate(self, test: Action, push: Action, scenario: Scenario) -> str:
        """'' when a failure of ``test`` stops ``push`` in ``scenario``; otherwise why it does not."""
        raise NotImplementedError

    @cached_property
    def possible_by_kind(self) -> dict[str, list[Action]]:
        """``gpulint.ci.judge.existing``'s answers, by action kind (filled as they are asked)."""
        return {}

    def possible(self, action: Action) -> bool:
        """The action may run in some scenario (or there is no scenario to judge by)."""
        scenarios = self.scenarios()
        return not scenarios or any(self.runs(action, s) is not False for s in scenarios)

    def never_runs(self, action: Action) -> str:
        """Why an action that is never possible never runs."""
        return f"its {self.unit_name}'s conditions are false for every trigger"

    def push_gate(self, push: Action, outside: list[tuple[Scenario, Tri]]) -> str:
        """Why a push is not restricted to main, in the system's words."""
        them = "them" if len(outside) > 1 else "it"
        return f"its conditions do not exclude {them}"

    def runner_verdicts(self, context: RunnerContext) -> Iterator[RunnerVerdict]:
        """Units doing GPU work whose runner is not, or cannot be shown to be, a GPU machine."""
        return iter(())

    def suites_on_gpu_runners(self, context: RunnerContext) -> list[tuple[Span, str]]:
        """(where, what) for each test suite (`pytest`, `make test`) a unit runs on a machine that
        is a GPU runner: a GPU test of the code, if not of the image."""
        return []

    # ------------------------------------------------------------------ what the units run

    @property
    def commands(self) -> list[Command]:
        """Every command that can run, in order, unit by unit."""
        return []

    def image_inputs(self) -> list[ImageInput]:
        """Images built or pushed without a command naming them."""
        return []

    def build_inputs(self) -> list[BuildInput]:
        """Builds configured without a command."""
        return []

    @cached_property
    def images(self) -> ImageFacts:
        """What the pipeline does with images (docker runs, builds, pushes), computed once."""
        return ImageFacts(self)

    def normalise(self, text: str) -> str:
        """The system's variable syntax (``${{ env.X }}``, ``$(params.x)``) as shell ``$X``."""
        return text

    def repository_root(self) -> str | None:
        """The folder, relative to the scanned root, that the pipeline's paths are relative to
        (None: it cannot be told where the pipeline's repository starts)."""
        return None

    def candidate_roots(self) -> list[str]:
        """The folders the pipeline's paths may be relative to, when ``repository_root`` cannot
        tell which (a file found in exactly one of them is the one meant)."""
        root = self.repository_root()
        return [root] if root is not None else []

    def of(self, kind: str) -> list[Action]:
        return [a for a in self.actions if a.kind == kind]

    def state_text(self, state: Tri) -> str:
        return f" {self.undecided}" if state is UNKNOWN else ""
