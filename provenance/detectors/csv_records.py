"""CSV and TSV as real repositories hold them: every column read as text, rows that do not
fit the header (too many or too few fields) skipped and counted instead of ending the read, and
the text encoding sniffed from the first bytes.

Encodings: UTF-8 (with or without BOM) is read as it is; a file whose first bytes read as
GB18030 (`textio.sniff_encoding`, the judgement the text files get) or UTF-16 is transcoded to
UTF-8 while it is read. Bytes that the chosen encoding cannot decode (a stray cp1252 quote in
a UTF-8 file) are replaced by U+FFFD and counted, never the end of the read.
"""

from __future__ import annotations

import codecs
import csv
import io
from typing import IO, Any

import pyarrow as pa
import pyarrow.csv as pcsv

from provenance.detectors.interface import AssetContent
from provenance.textio import sniff_encoding

BLOCK_SIZE = 1 << 22
_CHUNK = 1 << 20
#: Codec names for messages.
_NAMES = {"utf-8-sig": "UTF-8", "gb18030": "GB18030", "utf-16": "UTF-16"}
_BARE = {"utf-8-sig": "utf-8", "utf-16": "utf-16-le"}


def csv_header(head: bytes, delimiter: str, encoding: str = "utf-8-sig") -> list[str]:
    """Column names from the first line (all that is needed to read every column as text)."""
    first = head.split(b"\n", 1)[0] if encoding != "utf-16" else head
    text = first.decode(encoding, errors="replace") if encoding != "utf-16" else _utf16_first_line(head)
    return next(csv.reader([text.rstrip("\r")], delimiter=delimiter), [])


def _utf16_first_line(head: bytes) -> str:
    text = codecs.getincrementaldecoder("utf-16")(errors="replace").decode(head[: len(head) - len(head) % 2])
    return text.split("\n", 1)[0]


def delimiter_of(name: str) -> str:
    return "\t" if name.lower().endswith(".tsv") else ","


def csv_encoding(head: bytes, complete: bool) -> tuple[str | None, bool]:
    """(codec, clean) for a CSV whose first bytes are `head`: UTF-8 unless the head reads as
    UTF-16 (BOM) or GB18030, and whether the head decodes cleanly with it. UTF-8 also when the
    head reads as neither (not clean: its bad bytes are replaced). (None, False) for binary
    content (NUL bytes), which is no CSV in any encoding."""
    found = sniff_encoding(head, complete)
    if found is None and b"\x00" in head:
        return None, False
    return found or "utf-8-sig", found is not None


class Utf8Stream(io.RawIOBase):
    """`stream` decoded with `encoding` and re-encoded as UTF-8, for pyarrow (whose own
    transcoding stops at the first undecodable byte). Undecodable bytes become U+FFFD and are
    counted in `replaced`."""

    def __init__(self, stream: IO[bytes], encoding: str) -> None:
        super().__init__()
        self.stream = stream
        self.encoding = encoding
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        # U+FFFD written in the file itself is not a replacement (codecs without BOM: the BOM is
        # not repeated before it).
        self._own = "\ufffd".encode(_BARE.get(encoding, encoding))
        self._pending = b""
        self._eof = False
        #: Byte sequences that could not be decoded and were replaced.
        self.replaced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending and not self._eof:
            chunk = self.stream.read(_CHUNK)
            self._eof = not chunk
            text = self._decoder.decode(chunk, final=self._eof)
            if "\ufffd" in text:
                self.replaced += max(0, text.count("\ufffd") - chunk.count(self._own))
            self._pending = text.encode("utf-8")
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        self.stream.close()
        super().close()


class CsvRecords:
    """A streaming reader over a CSV/TSV asset; `bad` rows are skipped and counted, `first_bad`
    keeps the start of the first one; `encoding` is what the file is read as, and bytes it could
    not decode are counted in `replaced()`."""

    def __init__(self, content: AssetContent) -> None:
        self.content = content
        self.delimiter = delimiter_of(content.asset.path)
        self.encoding, self._clean = csv_encoding(content.head, content.complete)
        self.bad = 0
        self.comments = 0
        self.first_bad = ""
        self._stream: Utf8Stream | None = None
        # When the header itself starts with "#", a "#" line is no comment.
        self._header_commented = content.head.lstrip()[:1] == b"#"

    def _skip(self, row: Any) -> str:
        text = str(row.text or "")
        if text.lstrip().startswith("#") and not self._header_commented:
            # A comment line between the rows ("## +ve denormals ##" in numpy's test tables): not data.
            self.comments += 1
            return "skip"
        self.bad += 1
        if not self.first_bad:
            self.first_bad = text[:80]
        return "skip"

    def _source(self, encoding: str) -> Any:
        """The bytes pyarrow reads: the file itself when its head is clean UTF-8 and is the whole
        file (the common case, no copy), else the file recoded to UTF-8 with bad bytes replaced
        (a larger file may hold a bad byte past its head)."""
        if encoding == "utf-8-sig" and self._clean and self.content.complete:
            return self.content.open()
        self._stream = Utf8Stream(self.content.open(), encoding)
        return self._stream

    def reader(self) -> Any:
        if self.encoding is None:
            raise pa.ArrowInvalid("binary content (NUL bytes), not CSV text")
        # Every column read as text: types guessed from the first block would call a valid file
        # malformed where a numeric column later holds text.
        header = csv_header(self.content.head, self.delimiter, self.encoding)
        return pcsv.open_csv(
            self._source(self.encoding),
            read_options=pcsv.ReadOptions(block_size=BLOCK_SIZE),
            parse_options=pcsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=True,
                                            invalid_row_handler=self._skip),
            convert_options=pcsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()),
                                                strings_can_be_null=False),
        )

    def replaced(self) -> int:
        return self._stream.replaced if self._stream is not None else 0

    def skipped(self) -> str | None:
        """What was skipped, in words; None when every row fitted."""
        if not self.bad:
            return None
        return f"{self.bad} row(s) do not fit the header's columns and were skipped (first: {self.first_bad!r})"

    def notes(self) -> list[str]:
        """What was passed over or changed while the rest was read: skipped rows, replaced bytes."""
        notes = [n for n in (self.skipped(),) if n]
        if self.replaced():
            name = _NAMES.get(self.encoding or "", self.encoding)
            notes.append(f"{self.replaced()} byte sequence(s) are not valid {name} and were read as U+FFFD"
                         " (replacement characters)")
        return notes
