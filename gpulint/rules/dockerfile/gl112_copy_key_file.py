from __future__ import annotations

import fnmatch
import posixpath
import shlex
from pathlib import Path

from gpulint.core.findings import Severity
from gpulint.rules.base import Rule

_NAMES = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".env", "credentials", ".npmrc", ".pypirc", ".netrc",
          "kubeconfig", ".git-credentials", ".htpasswd", "service-account.json", "serviceaccount.json"}
_GLOBS = ("*.pem", "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore", ".env.*", "*.kubeconfig", "id_rsa*",
          "id_ed25519*", "id_ecdsa*", "id_dsa*")
_SAFE = ("*.pub", ".env.example", ".env.sample", ".env.template", ".env.dist", "*.example", "*.sample",
         "*.template", "*.tpl")
_PATHS = (".docker/config.json", ".kube/config", ".aws/credentials", ".ssh/id_rsa", ".config/gcloud/credentials.db")
_MAX_ENTRIES = 5000


def key_file(rel: str) -> bool:
    rel = rel.strip("/")
    base = posixpath.basename(rel)
    if any(fnmatch.fnmatchcase(base, g) for g in _SAFE):
        return False
    if base in _NAMES or any(fnmatch.fnmatchcase(base, g) for g in _GLOBS):
        return True
    return any(rel == p or rel.endswith("/" + p) for p in _PATHS)


class CopyKeyFile(Rule):
    """
    ## What it does
    Reports a `COPY` or `ADD` from the build context that puts a private key or credential
    file into the image: `id_rsa` (and other SSH keys), `*.pem`, `*.key`, `*.p12`, `.env`,
    `credentials`, `.npmrc`, `.pypirc`, `.netrc`, `kubeconfig`, `.docker/config.json`,
    `.kube/config`. A file named in the instruction is reported as written. A directory copy
    (`COPY . /app`) is resolved against the build context: a key file is reported only if it
    exists there and the `.dockerignore` (or `<Dockerfile>.dockerignore`) does not exclude it.
    `.dockerignore` is read with gitignore semantics (`pathspec`), which is close to Docker's
    (Docker anchors a bare pattern at the context root; gitignore matches it at any depth, so
    gpulint may miss a key deep in the tree that Docker would copy). Public keys (`*.pub`) and
    templates (`.env.example`) are fine; `COPY --from` and heredocs are not judged. Only the
    stages the shipped image is built from are read (a builder stage's layers are not pushed;
    what the final stage takes from it with `COPY --from` is files it names), and a client
    settings file (`.npmrc`, `.pypirc`, `.netrc`) the build context holds without any credential
    key (`_authToken`, `password`) is a registry mirror setting, not a secret.

    ## Why is this bad?
    Every layer of an image is readable by whoever can pull it, and deleting the file in a
    later layer does not remove it from the earlier one. An SSH key, a kubeconfig or a
    registry login baked into a GPU image that is pushed to a registry and cached on every
    node is a leaked credential; it must be rotated and the image deleted everywhere.

    ## Example
    ```dockerfile
    COPY id_rsa /root/.ssh/id_rsa
    COPY . /app          # the context holds .env and no .dockerignore excludes it
    ```

    ## Use instead
    ```dockerfile
    RUN --mount=type=ssh git clone git@github.com:acme/private-models.git
    COPY serve.py smoke_test.py /app/
    # .dockerignore:  .env  *.pem  *.key  id_*  .git
    ```

    ## Fix
    Do not copy credentials into the image: use `RUN --mount=type=secret`/`--mount=type=ssh`
    at build time and Kubernetes Secrets at run time, copy only the files the image needs, and
    list key files in `.dockerignore`.
    """

    id = "GL112"
    name = "copy-key-file"
    severity = Severity.ERROR
    kind = "dockerfile"
    criterion = None
    summary = "COPY/ADD puts a private key or credential file (id_rsa, *.pem, .env, kubeconfig...) into the image"
    fix = "stop copying the file (use build secrets / Kubernetes Secrets) and list it in .dockerignore"

    def check(self, dockerfile, project):
        from gpulint.artifacts.dockerfile.role import shipped_images, stage_at

        context = dockerfile.context
        ignore = None
        shipped = {s.index for image in shipped_images(dockerfile) for s in image.ancestry()}
        for instruction in dockerfile.instructions:
            if instruction.keyword not in ("COPY", "ADD") or instruction.heredocs or "from" in instruction.flags:
                continue
            stage = stage_at(dockerfile, instruction.start)
            if stage is not None and shipped and stage.index not in shipped:
                continue  # a build stage's layers are not in the image that ships (COPY --from takes files)
            sources = _sources(instruction)
            for src, (start, end) in sources:
                if src.startswith(("http://", "https://", "git@")) or "$" in src:
                    continue
                norm = posixpath.normpath(src.lstrip("/")) if src not in (".", "./") else "."
                span = instruction.args_span(start, end) if end > start else instruction.span()
                if key_file(norm) and not _settings_without_secret(context, norm):
                    yield self.report(span, f"{instruction.keyword} {src} puts a private key or credential file into "
                                            "the image, readable by anyone who can pull it")
                    continue
                if context is None or context.directory is None or any(c in norm for c in "*?["):
                    continue
                if ignore is None:
                    ignore = _dockerignore(dockerfile, context)
                found = [f for f in _keys_in(context, norm, ignore) if not _settings_without_secret(context, f)]
                if found:
                    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
                    yield self.report(span, f"{instruction.keyword} {src} copies {found[0]}{more} from the build "
                                            "context into the image: a credential file that .dockerignore does "
                                            "not exclude",
                                      fix=f"add {found[0]} to .dockerignore (or copy only the files the image needs)")


def _settings_without_secret(context, rel: str) -> bool:
    """A settings file named in the COPY (`.npmrc`, `.pypirc`, `.netrc`) that the build context
    holds without any credential set: a registry mirror or `engine-strict`, not a secret."""
    name = posixpath.basename(rel)
    if name not in _SETTINGS or context is None:
        return False
    source = context.read(rel)
    return source is not None and not _SETTINGS[name](source.text)


def _npmrc_credential(text: str) -> bool:
    """`//registry.npmjs.org/:_authToken=...`, `_auth=...`, `_password=...` with a value."""
    for line in text.splitlines():
        key, equals, value = line.strip().partition("=")
        if equals and not key.startswith(("#", ";")) and value.strip() and \
                key.strip().lower().rsplit(":", 1)[-1] in ("_authtoken", "_auth", "_password", "password"):
            return True
    return False


def _pypirc_credential(text: str) -> bool:
    """A `password` in any section (an INI file, as distutils and twine read it)."""
    import configparser

    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error:
        return True  # unreadable: cannot tell, so it may hold one
    return any(parser.get(section, "password", fallback="").strip() for section in parser.sections())


def _netrc_credential(text: str) -> bool:
    """A `password` token followed by its value (netrc's whitespace-separated tokens)."""
    words = text.split()
    return any(word == "password" for word in words[:-1])


# Client settings files that hold a credential only when one of these is set.
_SETTINGS = {".npmrc": _npmrc_credential, ".pypirc": _pypirc_credential, ".netrc": _netrc_credential}


def _sources(instruction) -> list[tuple[str, tuple[int, int]]]:
    """Source words of a COPY/ADD with their index ranges in ``instruction.args``."""
    body = instruction.body
    base = instruction.body_index
    stripped = body.strip()
    if stripped.startswith("["):
        words = instruction.exec_form() or []
        found = []
        for word in words[:-1]:
            at = body.find(f'"{word}"')
            found.append((word, (base + at + 1, base + at + 1 + len(word)) if at >= 0 else (0, 0)))
        return found
    try:
        lexer = shlex.shlex(body, posix=True)
        lexer.whitespace_split = True
        lexer.commenters = ""
        words = list(lexer)
    except ValueError:
        words = body.split()
    found, pos = [], 0
    for word in words[:-1]:
        at = body.find(word, pos)
        if at < 0:
            found.append((word, (0, 0)))
            continue
        pos = at + len(word)
        found.append((word, (base + at, base + at + len(word))))
    return found


def _dockerignore(dockerfile, context):
    """The build's .dockerignore (``Dockerfile.dockerignore`` beside the Dockerfile first, as
    BuildKit reads it), read through the project's reader."""
    candidates = []
    path = dockerfile.source.path
    if path is not None and context.files is not None:
        candidates.append(context.files.read(Path(path).with_name(Path(path).name + ".dockerignore")))
    candidates.append(context.read(".dockerignore"))
    for source in candidates:
        if source is None:
            continue
        import pathspec  # only when a .dockerignore exists

        try:
            return pathspec.PathSpec.from_lines("gitignore", source.text.splitlines())
        except ValueError:  # a malformed pattern (GitWildMatchPatternError): behave as if nothing is ignored
            return _NOTHING_IGNORED
    return _NOTHING_IGNORED


class _NothingIgnored:
    @staticmethod
    def match_file(_path: str) -> bool:
        return False


_NOTHING_IGNORED = _NothingIgnored()


def _keys_in(context, rel: str, ignore) -> list[str]:
    """Key files under ``rel`` (a file or a folder of the context) that .dockerignore lets through."""
    found: list[str] = []
    for seen, rel_path in enumerate(context.files_under(rel)):
        if seen >= _MAX_ENTRIES:
            break
        if key_file(rel_path) and not ignore.match_file(rel_path):
            found.append(rel_path)
    return found