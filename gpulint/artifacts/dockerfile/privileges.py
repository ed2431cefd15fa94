"""Privileges a non-root user keeps: passwordless sudo written into the image.

A ``USER app`` line is root in effect when the image also lets ``app`` run anything as root
without a password: a sudoers entry with ``NOPASSWD`` for that user, for ``ALL``, or for a group
the Dockerfile adds the user to (``useradd -G sudo``, ``usermod -aG wheel``). The entries are read
from the RUN steps' parsed commands (``echo 'app ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers``, ``tee``
into ``/etc/sudoers.d/``, a heredoc).
"""

from __future__ import annotations

import re

from gpulint.artifacts.dockerfile.model import Instruction, Stage
from gpulint.core.records import Record
from gpulint.syntax.shell import parse_shell

_ENTRY = re.compile(r"^\s*(%?[\w.$-]+)\s+\S+\s*=\s*(?:\([^)]*\)\s*)?(?:[A-Z_]+:\s*)*NOPASSWD\s*:", re.M)
_GROUP_OPTIONS = ("-G", "--groups", "-aG", "-Ga", "-a", "--append")


class Sudo(Record, frozen=True):
    instruction: Instruction
    who: str  # the sudoers subject: a user, %group or ALL


def _scripts(instruction: Instruction) -> list[str]:
    exec_form = instruction.exec_form()
    return [" ".join(exec_form)] if exec_form is not None else [instruction.body] + [h.body for h in instruction.heredocs]


def _account_commands(stages: list[Stage], user: str):
    """(RUN, argv) of each account command (`useradd`, `usermod`, `adduser`, `gpasswd`) the
    stages run that names ``user``, in build order."""
    for stage in stages:
        for instruction in stage.instructions:
            if instruction.keyword != "RUN":
                continue
            for script in _scripts(instruction):
                for command in parse_shell(script, errexit=False).commands:
                    argv = command.argv()
                    if argv and argv[0].rsplit("/", 1)[-1] in _ACCOUNT_PROGRAMS and user in argv[1:]:
                        yield instruction, argv


_ACCOUNT_PROGRAMS = ("useradd", "usermod", "adduser", "gpasswd")


def _groups_of(user: str, stages: list[Stage]) -> set[str]:
    groups: set[str] = set()
    for _, argv in _account_commands(stages, user):
        for index, word in enumerate(argv[:-1]):
            if word in _GROUP_OPTIONS or word.startswith("-") and "G" in word and not word.startswith("--"):
                groups.update(g for g in argv[index + 1].split(",") if g)
        if argv[0].endswith("gpasswd") and "-a" in argv:
            groups.add(argv[-1])
        if argv[0].endswith("adduser") and len(argv) == 3 and argv[1] == user:
            groups.add(argv[2])  # `adduser app sudo`
    return groups


def passwordless_sudo(stage: Stage, user: str | None) -> Sudo | None:
    """A sudoers entry written in the image that lets ``user`` become root without a password."""
    stages = list(reversed(stage.ancestry()))
    for ancestor in stages:
        for instruction in ancestor.instructions:
            if instruction.keyword != "RUN":
                continue
            for script in _scripts(instruction):
                if "NOPASSWD" not in script or "sudoers" not in script:
                    continue
                words = [w.text for c in parse_shell(script, errexit=False).commands for w in c.words]
                words += [h.body for h in instruction.heredocs]
                for text in words:
                    for match in _ENTRY.finditer(text.replace("\\n", "\n")):
                        who = match.group(1)
                        if who == "ALL" or (user and who == user):
                            return Sudo(instruction, who)
                        if who.startswith("%") and user and who[1:] in _groups_of(user, stages):
                            return Sudo(instruction, who)
    return None


class RootAlias(Record, frozen=True):
    """A RUN that gives a named user user id 0 (`useradd -o -u 0 app`): the user is root."""

    instruction: Instruction
    command: str  # the program: useradd, adduser or usermod


_UID_OPTIONS = ("-u", "--uid")


def root_alias(stage: Stage, user: str | None) -> RootAlias | None:
    """The RUN of the stage (or the stages it is built from) that creates or changes ``user`` with
    user id 0, or None."""
    if not user or user.isdigit():
        return None
    found = None
    for instruction, argv in _account_commands(list(reversed(stage.ancestry())), user):
        uid = _uid_option(argv[1:]) if not argv[0].endswith("gpasswd") else None
        if uid is not None:
            found = RootAlias(instruction, argv[0].rsplit("/", 1)[-1]) if uid == "0" else None  # the last decides
    return found


def _uid_option(words: list[str]) -> str | None:
    for index, word in enumerate(words):
        if word in _UID_OPTIONS and index + 1 < len(words):
            return words[index + 1]
        if word.startswith("--uid="):
            return word.split("=", 1)[1]
        if word.startswith("-u") and not word.startswith("--") and word[2:].isdigit():
            return word[2:]
    return None


# Accounts every Debian/Ubuntu, RHEL-family or Alpine image has, and those some bases add
# (`ubuntu` from Ubuntu 23.04, `node` in the Node.js images).
_SYSTEM_USERS = frozenset({"root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp",
                           "proxy", "www-data", "backup", "list", "irc", "gnats", "nobody", "_apt", "adm",
                           "operator", "ftp", "halt", "shutdown", "guest", "xfs", "ubuntu", "node", "systemd-network"})


def created_nowhere(stage: Stage, user: str, base_known: bool) -> Instruction | None:
    """For a named (non-numeric) USER of ``stage`` on a base whose accounts are known
    (``base_known``: a distribution, CUDA or language image): the USER instruction's stage chain
    never creates the account (no RUN names it, none writes `/etc/passwd` or runs a script, no
    COPY/ADD into `/etc`), so `docker run` fails ("unable to find user"). Returns where some other
    stage of the Dockerfile creates it (the mistake to point at), else the stage's FROM; None when
    the account exists or it cannot be told."""
    if not base_known or not user or user.isdigit() or user in _SYSTEM_USERS or "$" in user:
        return None
    for ancestor in stage.ancestry():
        for instruction in ancestor.instructions:
            if instruction.keyword in ("COPY", "ADD"):
                if "/etc" in instruction.body:
                    return None  # an /etc/passwd (or all of /etc) copied in
            elif instruction.keyword == "RUN":
                text = " ".join(_scripts(instruction))
                if user in text or "/etc/passwd" in text or "$" in text or ".sh" in text:
                    return None  # named, written, or possibly made by a variable or a script
    return stage.from_instruction


class PrivilegeDrop(Record, frozen=True):
    script: str  # the entrypoint script's path in the build context
    user: str  # as written: `app`, `"$PUID:$PGID"` (default 99 in the script)


def _root_value(user: str, text: str) -> bool:
    """The user is root: written as root/0, or a variable whose default in the script is 0."""
    name = user.split(":", 1)[0].strip("\"'")
    if name in ("root", "0"):
        return True
    variable = re.fullmatch(r"\$\{?(\w+)\}?", name)
    if variable is None:
        return False
    default = re.search(rf"\$\{{{variable.group(1)}:?-(\w+)\}}|\b{variable.group(1)}=(\w+)", text)
    return default is not None and (default.group(1) or default.group(2)) in ("0", "root")


def privilege_drop(dockerfile, stage: Stage, program: str | None) -> PrivilegeDrop | None:
    """The entrypoint ``program`` is a script of the build context whose last command runs the
    container's command as a non-root user (`exec gosu "$PUID:$PGID" "$@"`, the PUID/PGID
    pattern of media-server images): the container starts as root to prepare its volumes, then
    its process runs unprivileged."""
    from gpulint.artifacts.dockerfile.role import dropped_to, entrypoint_script

    found = entrypoint_script(dockerfile, stage, program)
    if found is None:
        return None
    text, commands = found
    user = dropped_to(commands[-1]) if commands else None
    if user is None or _root_value(user, text):
        return None
    return PrivilegeDrop(program or "", user)
