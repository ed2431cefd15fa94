"""The variables each stage of a Dockerfile sees (global ARGs, ARG and ENV in order) and the user
a stage runs as."""

from __future__ import annotations

from gpulint.artifacts.dockerfile.expansion import BUILDKIT_ARGS, UNSET, Expansion, expand, parse_arg, parse_env
from gpulint.artifacts.dockerfile.model import Dockerfile, Instruction, Stage
from gpulint.core.records import Record, field

__all__ = ["UNSET", "Expansion", "expand", "parse_arg", "parse_env", "UserSetting", "stage_variables",
           "effective_user"]

class UserSetting(Record):
    """The user a stage runs as, and which instruction decided it (None: nobody set one)."""

    raw: str | None
    value: str | None  # expanded; None when it depends on a build argument
    instruction: Instruction | None
    unresolved: list[str] = field(default_factory=list)

    @property
    def name(self) -> str | None:
        if self.value is None:
            return None
        return self.value.split(":", 1)[0].strip()

    @property
    def is_root(self) -> bool:
        """Docker's default user is root; ``0``, ``root`` and ``0:0`` are all root."""
        if self.raw is None:
            return True
        name = self.name
        if name is None:
            return False
        return name == "root" or (name.isdigit() and int(name) == 0) or name == ""


def stage_variables(dockerfile: Dockerfile, stage: Stage, upto: Instruction | None = None) -> dict[str, str | None]:
    """Variables visible in ``stage`` just before ``upto`` (ENV inherited from parent stages);
    worked out once per instruction (every COPY traced and every word expanded asks)."""
    seen = dockerfile.variables_seen
    key = (stage.index, id(upto))
    found = seen.get(key)
    if found is None:
        found = seen[key] = _stage_variables(dockerfile, stage, upto)
    return dict(found)


def _stage_variables(dockerfile: Dockerfile, stage: Stage, upto: Instruction | None) -> dict[str, str | None]:
    variables: dict[str, str | None] = {}
    for ancestor in reversed(stage.ancestry()):
        own = ancestor is stage
        args: dict[str, str | None] = {}
        for instruction in ancestor.instructions:
            if own and instruction is upto:
                break
            if instruction.keyword == "ENV":
                for name, value in parse_env(instruction.body):
                    variables[name] = expand(value, {**variables, **args}, dockerfile.escape).value
            elif instruction.keyword == "ARG" and own:
                for name, value in parse_arg(instruction.body):
                    if value is None:
                        value = dockerfile.global_args.get(name, BUILDKIT_ARGS.get(name, UNSET))
                    else:
                        value = expand(value, {**variables, **args}, dockerfile.escape).value
                    args[name] = value
        if own:
            merged = dict(args)
            merged.update({k: v for k, v in variables.items()})  # ENV wins over ARG of the same name
            return merged
    return variables


def effective_user(dockerfile: Dockerfile, stage: Stage) -> UserSetting:
    """The last USER in the stage or the stages it inherits from, expanded."""
    for ancestor in stage.ancestry():
        for instruction in reversed(ancestor.instructions):
            if instruction.keyword == "USER":
                raw = instruction.body.strip()
                variables = stage_variables(dockerfile, ancestor, instruction)
                expansion = expand(raw, variables, dockerfile.escape)
                return UserSetting(raw, expansion.value, instruction, expansion.unresolved)
    return UserSetting(None, None, None)
