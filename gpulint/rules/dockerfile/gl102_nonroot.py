from __future__ import annotations

from gpulint.core.findings import Severity
from gpulint.project.config import profile_of
from gpulint.artifacts.dockerfile.base_images import stage_image
from gpulint.artifacts.dockerfile.base_users import base_user
from gpulint.artifacts.dockerfile.privileges import passwordless_sudo, root_alias
from gpulint.artifacts.dockerfile.variables import effective_user
from gpulint.core.fix import Applicability, FixAvailability
from gpulint.fixes.nonroot import fix_nonroot
from gpulint.rules.base import Rule


class NonRoot(Rule):
    """
    ## What it does
    Checks that the final stage runs as a non-root user. The effective user is the last `USER`
    of the final stage or of the stage it is built from, with `ARG`/`ENV` defaults expanded;
    `root`, `0`, `0:0` and `root:root` are root. Without any `USER` the image keeps its base
    image's user: a well-known base that runs as non-root (NVIDIA NIM, Jupyter Docker Stacks'
    `jovyan`, Bitnami, distroless `:nonroot`, Chainguard, Red Hat UBI language images) passes; a
    well-known root base (`nvidia/cuda`, `ubuntu`, `python`, NGC framework images, vLLM, TGI...)
    fails; any other base is "cannot tell" (info with `--profile production`, an error in the lab).
    A non-root `USER` that the image lets run `sudo` without a password (a `NOPASSWD` sudoers
    entry for that user, `ALL`, or a group the Dockerfile adds the user to) is root in effect,
    and so is a named user that a `useradd`, `adduser` or `usermod` gives user id 0
    (`useradd --non-unique --uid 0 app`). A named `USER` on a distribution, CUDA or language
    base (not an application image, which may create its own user) that no stage of the final
    image's chain creates (the `useradd` runs only in a build stage) is reported too: the
    container cannot start ("unable to find user"); accounts every distribution has (`nobody`,
    `www-data`...), numeric ids, and chains that copy `/etc` or run scripts or variables that
    may create it are not.

    With `--profile production` the rule judges GPU serving images (see
    `gpulint/artifacts/dockerfile/role.py`): build, tool, test, base, CI and development images,
    GPU daemons and CPU images get this finding as info only. A `USER` that depends on a build
    argument without a default cannot be judged there (info), and an image that every Compose
    service building it runs with a non-root `user:` is root only for plain `docker run` (info),
    as is one whose entrypoint script ends by running the command as a non-root user (`exec gosu
    "$PUID:$PGID" "$@"`, `su-exec`, `setpriv --reuid`, `s6-setuidgid`, `runuser -u`): only its
    preparation runs as root.

    ## Why is this bad?
    A GPU container already gets device nodes and driver libraries from the host; running it
    as root turns any bug in the model server or a pickle-loading path into root on a node that
    holds expensive accelerators and often shared credentials. Kubernetes' `runAsNonRoot`
    refuses to start an image whose user is root or not numeric-resolvable.

    ## Example
    ```dockerfile
    FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
    COPY --from=builder /opt/venv /opt/venv
    CMD ["python3", "/app/serve.py"]
    ```

    ## Use instead
    ```dockerfile
    FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
    RUN useradd --uid 10001 --create-home app
    COPY --from=builder /opt/venv /opt/venv
    USER 10001:10001
    CMD ["python3", "/app/serve.py"]
    ```

    ## Fix
    Create an unprivileged user in the final stage and switch to it with `USER` (a numeric UID
    lets `runAsNonRoot` verify it).

    Automatic fix (unsafe, `--fix --unsafe-fixes`): `USER` the image's own unprivileged user (one
    a `RUN useradd`/`adduser` of the final stage or a stage it is built on creates), else a new
    user `app` with UID 10001 (`useradd`; `adduser -D` on Alpine; none on scratch or distroless
    images, where a numeric `USER` needs no passwd entry), after the final stage's last `RUN`,
    `COPY` or `ADD`; a root `USER` with no build step after it is replaced. Unsafe: the
    application must work without root. Not offered when `USER` needs a build argument that
    has no default.
    """

    id = "GL102"
    name = "dockerfile-nonroot"
    severity = Severity.ERROR
    kind = "dockerfile"
    applies_to = "gpu-serving-image"
    criterion = "dockerfile.nonroot"
    summary = "the final stage runs as root"
    fix = "create an unprivileged user in the final stage and add `USER <uid>` after the last root-only step"
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = (Applicability.UNSAFE,)

    def check(self, dockerfile, project):
        stage = dockerfile.final_stage
        if stage is None:
            return
        user = effective_user(dockerfile, stage)
        production = profile_of(project) == "production"
        if user.instruction is None:
            ref, _ = stage_image(dockerfile, stage)
            base = base_user(ref)
            if base.user is not None:
                return  # the base image runs as a non-root user and the final stage keeps it
            if base.known or not production:
                report = self.report(stage.from_instruction.span(),
                                     "the final stage never sets USER, so the container runs as root",
                                     autofix=fix_nonroot(dockerfile, user))
                yield self._as_compose_runs(self._drops_privileges(report, dockerfile, project), dockerfile, project)
                return
            shown = ref.short if ref is not None else stage.ancestry()[-1].base
            yield self.report(stage.from_instruction.span(),
                              f"the final stage never sets USER, and gpulint cannot tell which user the base image "
                              f"{shown} runs as (root unless the base sets a USER)", severity=Severity.INFO,
                              fix="add `USER <uid>` to the final stage, or check that the base image sets one")
        elif user.value is None:
            names = ", ".join(user.unresolved)
            yield self.report(user.instruction.span(),
                              f"USER {user.raw} depends on the build argument {names}, which has no default: "
                              "a plain `docker build` leaves the user undefined" + (
                                  "; cannot judge which user CI passes" if production else ""),
                              severity=Severity.INFO if production else None)
        elif user.is_root:
            inherited = "" if user.instruction.stage is stage else " (inherited from an earlier stage)"
            yield self._as_compose_runs(self.report(
                user.instruction.span(),
                f"the final stage runs as root: USER {user.raw} resolves to '{user.value}'{inherited}",
                autofix=fix_nonroot(dockerfile, user)), dockerfile, project)
        else:
            missing = _user_missing(dockerfile, stage, user)
            if missing is not None:
                yield self.report(user.instruction.span(), missing,
                                  fix=f"create the account in the final stage (`RUN useradd --uid 10001 "
                                      f"{user.name}`), or use a numeric `USER 10001`")
                return
            found = _root_in_effect(stage, user)
            if found is not None:
                instruction, message, fix = found
                yield self.report(instruction.span(), message, fix=fix)

    @staticmethod
    def _drops_privileges(report, dockerfile, project):
        """In production, an image whose entrypoint script ends by running the command as a
        non-root user (`exec gosu "$PUID" "$@"`) runs its process unprivileged: advice."""
        if profile_of(project) != "production":
            return report
        from gpulint.artifacts.dockerfile.privileges import privilege_drop
        from gpulint.artifacts.dockerfile.role import process

        stage = dockerfile.final_stage
        entry, cmd, _ = process(dockerfile, stage)
        words = entry or cmd
        drop = privilege_drop(dockerfile, stage, words[0] if words else None)
        if drop is not None:
            report.severity = Severity.INFO
            report.message = (f"the final stage never sets USER, so the container starts as root; its entrypoint "
                              f"{drop.script} then runs the command as user {drop.user}, so only that preparation "
                              "runs as root (Kubernetes' runAsNonRoot still refuses the image)")
        return report

    @staticmethod
    def _as_compose_runs(report, dockerfile, project):
        """In production, an image that every Compose service building it runs as a non-root
        `user:` is root only for plain `docker run`: advice, saying where the user is set."""
        if profile_of(project) != "production":
            return report
        from gpulint.project.compose import ComposeFacts, runs_as_root  # YAML only when there is a report

        services = project.facts(ComposeFacts).services(dockerfile.source)
        if services and all(runs_as_root(s.user) is False for s in services):
            report.severity = Severity.INFO
            report.message += (f"; {services[0].path} runs its Compose service '{services[0].name}' as user "
                               f"{services[0].user}, so only plain `docker run` gets root")
        return report


# Bases whose accounts are the distribution's own (an application image such as torchserve or
# Triton creates its service user, which a Dockerfile on top may name without creating it).
_PLAIN_BASES = ("ubuntu", "debian", "alpine", "centos", "rockylinux", "almalinux", "fedora", "amazonlinux",
                "busybox", "nvidia/cuda", "python", "golang", "buildpack-deps")


def _plain_base(ref) -> bool:
    return ref is not None and any(ref.short.lower() == b or ref.short.lower().startswith(b + ":")
                                   or ref.repository.lower() in (b, "library/" + b) for b in _PLAIN_BASES)


def _user_missing(dockerfile, stage, user) -> str | None:
    """The message when the final stage's named USER is an account no stage of its chain creates
    on a base whose accounts are known: the container cannot start."""
    from gpulint.artifacts.dockerfile.privileges import created_nowhere

    chain_base, _ = stage_image(dockerfile, stage)
    if created_nowhere(stage, user.name or "", _plain_base(chain_base)) is None:
        return None
    elsewhere = [s for s in dockerfile.stages if all(s is not a for a in stage.ancestry())
                 and any(i.keyword == "RUN" and (user.name or "") in i.body for i in s.instructions)]
    where = f" (stage '{elsewhere[0].name or elsewhere[0].index}' creates it, but the final image is not built " \
            "from that stage)" if elsewhere else ""
    return (f"USER {user.raw} names an account that no stage of the final image creates{where}: `docker run` "
            f"fails with \"unable to find user {user.name}: no matching entries in passwd file\"")


def _root_in_effect(stage, user):
    """(RUN, message, fix) when a non-root USER is root in effect: given user id 0, or allowed to
    become root through a NOPASSWD sudoers entry."""
    alias = root_alias(stage, user.name)
    if alias is not None:
        return (alias.instruction, f"USER {user.raw} is root in all but name: this RUN's {alias.command} gives "
                f"'{user.name}' user id 0, and the kernel checks the id, not the name",
                "create the user with an unprivileged id (`useradd -u 10001 ...`), without `-o -u 0`")
    sudo = passwordless_sudo(stage, user.name)
    if sudo is not None:
        return (sudo.instruction, f"USER {user.raw} can become root without a password: this RUN writes a sudoers "
                f"entry with NOPASSWD for {sudo.who}, so the container is root in effect",
                "drop the NOPASSWD sudoers entry (and sudo) from the final image; do the root-only steps before USER")
    return None
