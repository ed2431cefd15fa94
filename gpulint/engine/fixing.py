"""Applying fixes: lint, apply the edits that do not collide, lint again, until nothing is left.

Every pass lints the files as they would be after the edits so far (kept in memory, nothing is
written here), applies each offered fix whose edits touch no edit already taken in that pass,
and starts over: a fix that collided is computed again on the edited text. Edits keep the file's
encoding (UTF-8 with or without a byte-order mark, UTF-16) and its line endings. The caller
writes ``FixOutcome.changed`` (``check --fix``) or prints it as a diff (``check --diff``).
"""

from __future__ import annotations

import codecs
from collections import Counter
from pathlib import Path
from typing import Any, Callable

from gpulint.core.findings import Finding
from gpulint.core.fix import Applicability, FileEdit
from gpulint.core.records import Record, field
from gpulint.core.source import decode
from gpulint.engine.run import RunResult, run

MAX_PASSES = 10


class FileChange(Record):
    path: Path  # absolute
    rel: str  # as findings show it
    before: bytes
    after: bytes

    def text(self, data: bytes) -> str:
        text, _ = decode(data)
        return text if text is not None else data.decode("utf-8", errors="replace")


class FixOutcome(Record):
    result: RunResult  # the lint of the fixed files
    changed: list[FileChange] = field(default_factory=list)
    fixed: Counter = field(default_factory=Counter)  # fixes applied, by rule id
    passes: int = 0
    reverted: list[str] = field(default_factory=list)  # files put back: a fix did not work there

    @property
    def count(self) -> int:
        return sum(self.fixed.values())


def applicable(finding: Finding, unsafe: bool) -> bool:
    fix = finding.autofix
    if fix is None or finding.suppressed:
        return False
    return fix.applicability is Applicability.SAFE or unsafe


def fix_paths(paths: list[Path], unsafe: bool = False, config_path: Path | None = None,
              overrides: dict[str, Any] | None = None, max_passes: int = MAX_PASSES,
              rules: set[str] | None = None,
              lint: Callable[[dict[Path, bytes]], RunResult] | None = None) -> FixOutcome:
    """Lint ``paths`` and apply their fixes in memory until none is left (or ``max_passes``);
    with ``rules``, only the fixes of those rule ids (every rule still lints). ``lint`` lints
    with an overlay of edited contents (``gpulint check`` passes its own run: each file under its
    folder's configuration); the default is ``engine.run.run`` with one configuration.

    A fix must take its finding away and add none: a file where a pass leaves a fixed finding
    in place, or adds a parse error, is put back as it was before that pass and its fixes are
    not tried again (``FixOutcome.reverted``: a fix that does not work is a gpulint bug)."""
    overlay: dict[Path, bytes] = {}
    originals: dict[Path, bytes] = {}
    rels: dict[Path, str] = {}
    fixed: Counter = Counter()
    blocked: set[tuple[str, str]] = set()  # (rule, file) whose fix did not work
    reverted: list[str] = []
    passes = 0
    if lint is None:
        def lint(edited: dict[Path, bytes]) -> RunResult:
            return run(paths, config_path=config_path, overrides=overrides, overlay=edited)
    result = lint(overlay)
    while passes < max_passes:
        chosen = _choose([f for f in result.findings if applicable(f, unsafe) and (rules is None or f.rule in rules)
                          and (f.rule, f.path) not in blocked])
        if not chosen:
            break
        passes += 1
        by_file: dict[Path, list[FileEdit]] = {}
        touched: list[tuple[Finding, set[Path]]] = []  # each fix and the files it edits
        for finding in chosen:
            files: set[Path] = set()
            for edit in finding.autofix.edits:  # type: ignore[union-attr]
                path = _absolute(edit, result.root)
                by_file.setdefault(path, []).append(edit)
                rels[path] = edit.path
                files.add(path)
            touched.append((finding, files))
        previous = dict(overlay)
        for path, edits in by_file.items():
            if path not in originals:
                originals[path] = path.read_bytes()
            overlay[path] = apply_edits(overlay.get(path, originals[path]), edits)
        counts = _counts(result)
        result = lint(overlay)
        now = _counts(result)
        expected = Counter((f.rule, f.path) for f, _ in touched)
        failing = {key for key, n in expected.items() if now[key] > counts[key] - n}  # still reported
        unparsed = {path for path in by_file if now[("GL001", rels[path])] > counts[("GL001", rels[path])]}
        broken = unparsed | {path for finding, files in touched if (finding.rule, finding.path) in failing
                             for path in files}
        for path in sorted(broken):  # put the file back; its working fixes are offered again
            overlay[path] = previous.get(path, originals[path])
            reverted.append(rels[path])
        for finding, files in touched:
            key = (finding.rule, finding.path)
            if key in failing or files & unparsed:
                blocked.add(key)
            elif not files & broken:
                fixed[finding.rule] += 1
        if broken:
            result = lint(overlay)
    changed = [FileChange(path, rels[path], originals[path], data)
               for path, data in sorted(overlay.items()) if data != originals[path]]
    return FixOutcome(result, changed, fixed, passes, sorted(set(reverted)))


def _counts(result: RunResult) -> Counter:
    return Counter((f.rule, f.path) for f in result.findings if not f.suppressed)


def _absolute(edit: FileEdit, root: Path) -> Path:
    path = edit.source.path
    if path is None:
        path = Path(root) / edit.path
    return Path(path).resolve()


def _choose(findings: list[Finding]) -> list[Finding]:
    """The fixes of one pass: in file order, each kept when none of its edits touches an edit
    already kept (an insertion at the edge of another edit counts as touching)."""
    taken: dict[str, list[tuple[int, int]]] = {}
    chosen = []
    for finding in sorted(findings, key=lambda f: (f.autofix.edits[0].path, f.autofix.edits[0].start, f.rule)):
        edits = finding.autofix.edits  # type: ignore[union-attr]
        if any(_touches(edit, taken.get(edit.path, ())) for edit in edits):
            continue
        for edit in edits:
            taken.setdefault(edit.path, []).append((edit.start, edit.end))
        chosen.append(finding)
    return chosen


def _touches(edit: FileEdit, ranges) -> bool:
    return any(edit.start <= end and start <= edit.end for start, end in ranges)


def apply_edits(data: bytes, edits: list[FileEdit]) -> bytes:
    """The file's bytes with the edits applied (offsets index its decoded text), written back in
    the file's own encoding and line endings."""
    bom, encoding = _encoding(data)
    text, problem = decode(data)
    if text is None:
        raise ValueError(f"cannot edit a file that is not text: {problem}")
    crlf = text.count("\r\n") * 2 > text.count("\n")
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        content = edit.content
        if crlf:
            content = content.replace("\r\n", "\n").replace("\n", "\r\n")
        text = text[:edit.start] + content + text[edit.end:]
    return bom + text.encode(encoding)


def _encoding(data: bytes) -> tuple[bytes, str]:
    if data.startswith(codecs.BOM_UTF16_LE):
        return codecs.BOM_UTF16_LE, "utf-16-le"
    if data.startswith(codecs.BOM_UTF16_BE):
        return codecs.BOM_UTF16_BE, "utf-16-be"
    if data.startswith(codecs.BOM_UTF8):
        return codecs.BOM_UTF8, "utf-8"
    return b"", "utf-8"


def unified_diff(change: FileChange) -> str:
    import difflib

    before = change.text(change.before).splitlines(keepends=True)
    after = change.text(change.after).splitlines(keepends=True)
    lines = list(difflib.unified_diff(before, after, f"a/{change.rel}", f"b/{change.rel}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def write_changes(changes: list[FileChange]) -> None:
    """Write each fixed file in place (through a temporary file in the same folder, renamed over
    it, so a crash never leaves half a file), keeping its permissions."""
    import os
    import tempfile

    for change in changes:
        mode = change.path.stat().st_mode & 0o7777
        fd, temporary = tempfile.mkstemp(prefix=f".{change.path.name}.", dir=change.path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(change.after)
            os.chmod(temporary, mode)
            os.replace(temporary, change.path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
