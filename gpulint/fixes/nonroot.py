"""GL102: run the final stage as an unprivileged user.

The user is the one the image already creates (a ``useradd``/``adduser`` in a ``RUN`` of the
final stage or a stage it is built on), else a new one: ``useradd`` on Debian, Ubuntu and RHEL
bases, ``adduser -D`` on Alpine, none on ``scratch`` and distroless images (a numeric ``USER``
needs no passwd entry there). ``USER`` goes after the stage's last build step, so the steps
that need root still run as root. The fix is unsafe: a person must confirm that the
application runs without root (files it writes, ports below 1024).
"""

from __future__ import annotations

from gpulint.artifacts.dockerfile.model import Dockerfile, Instruction, Stage
from gpulint.artifacts.dockerfile.packages import ALPINE, DISTROLESS, SCRATCH, family_of_stage
from gpulint.artifacts.dockerfile.variables import UserSetting
from gpulint.core.fix import Edit, Fix
from gpulint.core.records import Record
from gpulint.fixes.dockerfile_text import BUILD_KEYWORDS, checked, insert_after, last_build_step, replace_instruction
from gpulint.syntax.shell import parse_shell

UID = 10001
NAME = "app"


class CreatedUser(Record):
    name: str | None
    uid: str | None

    @property
    def user(self) -> str:
        return self.uid or self.name or str(UID)


def created_user(stage: Stage) -> CreatedUser | None:
    """The user a RUN of the stage (or a stage it is built on) creates, with its UID if given."""
    found = None
    for ancestor in reversed(stage.ancestry()):
        for instruction in ancestor.instructions:
            if instruction.keyword != "RUN" or instruction.exec_form() is not None:
                continue
            for command in parse_shell(instruction.body).commands:
                argv = command.argv()
                if argv and argv[0].rsplit("/", 1)[-1] in ("useradd", "adduser"):
                    user = _read_useradd(argv[1:])
                    if user is not None:
                        found = user
    return found


def _read_useradd(args: list[str]) -> CreatedUser | None:
    uid = name = None
    i = 0
    while i < len(args):
        word = args[i]
        if word in ("-u", "--uid") and i + 1 < len(args):
            uid = args[i + 1]
            i += 2
            continue
        if word.startswith("--uid="):
            uid = word.split("=", 1)[1]
        elif word.startswith("-") and word[1:2] != "-" and len(word) > 2 and word[1] == "u":
            uid = word[2:]
        elif word.startswith("-"):
            # options with a value: useradd -g G, -s SHELL, -d DIR, -G GROUPS, -c COMMENT, -h DIR (busybox)
            if word in ("-g", "-G", "-s", "-d", "-c", "-h", "-k", "-K", "-e", "-f", "-p", "-R", "-P",
                        "--gid", "--groups", "--shell", "--home-dir", "--home", "--comment", "--gecos",
                        "--ingroup", "--skel", "--key", "--expiredate", "--inactive", "--password", "--root",
                        "--prefix", "--firstuid", "--lastuid") and i + 1 < len(args):
                i += 1
        else:
            name = word
        i += 1
    if name is None or "$" in name or (uid is not None and not uid.isdigit()):
        return None
    if uid is not None and int(uid) == 0:
        return None
    return CreatedUser(name, uid)


def _family(dockerfile: Dockerfile, stage: Stage) -> str:
    """How users are made on the stage's base image (its build arguments resolved): `bare` (no
    shell, no tools), `alpine` (BusyBox `adduser`), or `debian` (`useradd`, also on RHEL images and
    when the family is unknown)."""
    ref, family = family_of_stage(dockerfile, stage)
    if family in (SCRATCH, DISTROLESS):
        return "bare"
    if family == ALPINE or (ref is not None and ref.repository.lower().rsplit("/", 1)[-1] == "busybox"):
        return "alpine"
    return "debian"


def _create_lines(family: str) -> list[str]:
    if family == "alpine":
        return [f"RUN adduser -D -u {UID} {NAME}"]
    if family == "bare":
        return []
    return [f"RUN useradd --uid {UID} --create-home --shell /usr/sbin/nologin {NAME}"]


def fix_nonroot(dockerfile: Dockerfile, setting: UserSetting) -> Fix | None:
    """USER the image's unprivileged user (created if it has none) after the last build step."""
    stage = dockerfile.final_stage
    if stage is None or setting.instruction is not None and setting.value is None:
        return None  # a USER that needs an unset build argument: the author must give its default
    user = created_user(stage)
    family = _family(dockerfile, stage)
    lines = [] if user is not None else _create_lines(family)
    target = user.user if user is not None else (f"{UID}:{UID}" if family == "bare" else str(UID))
    lines.append(f"USER {target}")
    own: Instruction | None = setting.instruction if setting.instruction is not None and \
        setting.instruction.stage is stage else None
    last = last_build_step(stage)
    if own is not None and not any(i.keyword in BUILD_KEYWORDS
                                   for i in stage.instructions[stage.instructions.index(own) + 1:]):
        edit: Edit = replace_instruction(dockerfile, own, lines)
    else:
        edit = insert_after(dockerfile, last, lines)
    what = f"switch to the image's user {target}" if user is not None else \
        f"create user {NAME} (UID {UID}) and switch to it"
    return checked(dockerfile, Fix.unsafe(f"{what} after the final stage's last build step", edit))
