"""Source text and the one place that turns character offsets into line and column.

Every model keeps offsets into a ``Source``; findings carry a ``Span`` and are converted to
1-based line/column here and nowhere else. An embedded source (an artifact written as a string
inside a lab answers file) maps each of its characters back to the file it came from.
"""

from __future__ import annotations

import bisect
import codecs
from itertools import accumulate
from pathlib import Path

from gpulint.core.records import Record, compared_without


class Position(Record, frozen=True):
    line: int  # 1-based
    column: int  # 1-based, in characters


class Source:
    """Decoded text of one file (or one embedded artifact) with a line index."""

    def __init__(self, text: str, rel_path: str, path: Path | None = None):
        self.text = text
        self.rel_path = rel_path  # posix path relative to the scanned root
        self.path = path
        # Where each line starts: running sums of the line lengths (each with its "\n").
        starts = list(accumulate([len(line) + 1 for line in text.split("\n")], initial=0))
        starts.pop()
        self._line_starts = starts

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return Position(line + 1, offset - self._line_starts[line] + 1)

    def offset(self, line: int, column: int) -> int:
        """Offset of a 1-based line and column."""
        line = max(1, min(line, len(self._line_starts)))
        return min(self._line_starts[line - 1] + column - 1, len(self.text))

    def line_text(self, line: int) -> str:
        if not 1 <= line <= len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end != -1 else len(self.text)].rstrip("\r")

    def resolve(self, start: int, end: int) -> tuple[Source, Position, Position]:
        """The file a span really lives in, with its start and end positions."""
        return self, self.position(start), self.position(max(start, end))

    def map_edit(self, start: int, end: int, content: str) -> tuple[Source, int, int, str] | None:
        """The same edit on the file this text lives in (itself for a file on disk)."""
        return self, start, end, content


class EmbeddedSource(Source):
    """An artifact held as a string value inside another file.

    ``offsets[i]`` is the offset in ``parent`` of the character ``text[i]`` (one more entry
    for the end), so positions point at the answers file, not at the extracted string.
    """

    def __init__(self, text: str, rel_path: str, parent: Source, offsets: list[int], label: str):
        super().__init__(text, rel_path, parent.path)
        self.parent = parent
        self.offsets = offsets
        self.label = label  # e.g. "answers.yaml › dockerfile"
        # Writes an edit of this text back into the parent's encoding of it (YAML block scalar,
        # JSON string...): callable(start, end, content) -> (start, end, content) in the parent,
        # or None where that encoding is not mapped. None: the text cannot be edited.
        self.edit_mapper = None

    def map_edit(self, start: int, end: int, content: str) -> tuple[Source, int, int, str] | None:
        if self.edit_mapper is None:
            return None
        mapped = self.edit_mapper(start, end, content)
        if mapped is None:
            return None
        return self.parent.map_edit(*mapped)

    def resolve(self, start: int, end: int) -> tuple[Source, Position, Position]:
        n = len(self.offsets) - 1
        s = self.offsets[max(0, min(start, n))]
        e = self.offsets[max(0, min(max(start, end), n))]
        return self.parent.resolve(s, e)[0], self.parent.position(s), self.parent.position(e)


@compared_without("source")
class Span(Record, frozen=True):
    """A character range in a source: what a finding points at."""

    source: Source
    start: int
    end: int

    @classmethod
    def at_line(cls, source: Source, line: int) -> Span:
        start = source.offset(line, 1)
        return cls(source, start, start + len(source.line_text(line)))


def line_start(text: str, offset: int) -> int:
    """The offset of the start of the line holding ``offset``."""
    return text.rfind("\n", 0, offset) + 1


def above_comments(text: str, offset: int) -> int:
    """A line start moved up over the `#` comment lines directly above it (they describe the
    line, so an edit that moves or inserts before it keeps them with it)."""
    while offset > 0:
        previous = line_start(text, offset - 1)
        if not text[previous:offset].strip().startswith("#"):
            break
        offset = previous
    return offset


def decode(data: bytes) -> tuple[str | None, str | None]:
    """Text of a file, or a reason it is not text. UTF-8 (with or without BOM) and UTF-16 with BOM.

    UTF-32 is refused by name: its little-endian byte-order mark begins with UTF-16's, and read as
    UTF-16 the file would turn into text interleaved with NUL characters."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return None, "unsupported encoding UTF-32 (byte-order mark); save the file as UTF-8 to lint it"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as error:
            return None, f"invalid UTF-16: {error.reason}"
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    if b"\x00" in data:
        return None, "binary file (contains NUL bytes); not linted"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        return None, f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); not linted"
