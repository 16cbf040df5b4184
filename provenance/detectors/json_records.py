"""Records of JSON and JSON Lines files as real repositories hold them, in bounded memory.

- JSON Lines under any of its names (.jsonl, .ndjson, .jsonlines) and under `.json`, told apart by
  the first bytes (many Hub datasets store JSON Lines as `train.json`);
- a top-level JSON array of any size, streamed record by record (Alpaca-style `data.json`);
- a JSON document keeping its records under a key ({"version": 1, "data": [...]}, SQuAD-style),
  loaded whole up to MAX_JSON_DOCUMENT.

Lines or records that do not parse are counted, not fatal: the reader says how many and where the
first one is, and the detectors decide what that costs.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import IO, Any

from provenance.tables import MAX_LINE, jsonl_lines

#: A JSON document not shaped as an array is loaded whole up to this size.
MAX_JSON_DOCUMENT = 64 * 2**20
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")
#: Keys under which a JSON document usually keeps its records ({"version": 1, "data": [...]}).
RECORD_LISTS = ("data", "train", "rows", "records", "examples", "items", "instances", "validation", "test")
#: Field names that make an object a record of its own rather than a wrapper around records.
OWN_FIELDS = ("license", "licence", "license_name", "licence_name", "license_id", "licenses",
              "license_url", "rights", "copyright_license", "spdx_license", "license_spdx")
_CHUNK = 1 << 20
_WHITESPACE = " \t\r\n"


def json_format(name: str, head: bytes) -> str:
    """"jsonl" or "json" for a file named `name` whose first bytes are `head`."""
    lower = name.lower()
    if lower.endswith(JSONL_SUFFIXES):
        return "jsonl"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"{"):
        return "json"
    first, _, rest = text.partition(b"\n")
    if not rest.strip():
        return "json"  # one line: a document
    try:
        ok = isinstance(json.loads(first), dict)
    except (ValueError, RecursionError):
        return "json"  # a pretty-printed object: its first line is not a whole value
    return "jsonl" if ok and rest.lstrip().startswith(b"{") else "json"


def json_records(doc: Any) -> list[Any]:
    """The records of a JSON document: a top-level list; or, for an object without a license
    field of its own, its records list ("data", "train", ... or else its longest list of objects);
    or the object itself."""
    if isinstance(doc, list):
        return doc
    if not isinstance(doc, dict):
        return []
    if any(isinstance(k, str) and k.lower() in OWN_FIELDS for k in doc):
        return [doc]
    lists = {k: v for k, v in doc.items() if isinstance(v, list) and v and isinstance(v[0], dict)}
    if not lists:
        return [doc]
    key = next((k for k in RECORD_LISTS if k in lists), None) or max(lists, key=lambda k: len(lists[k]))
    return lists[key]


class JsonRecords:
    """Iterate over (locator, value) for each record: "12" for JSON Lines line 12, "row=5" for the
    sixth record of a JSON document. After iteration, `bad`, `first_bad`, `overlong` and `problem`
    say what could not be read."""

    def __init__(self, stream: IO[bytes], fmt: str, size: int) -> None:
        self.stream, self.format, self.size = stream, fmt, size
        #: Lines (JSON Lines) that are not JSON, and where the first one is.
        self.bad = 0
        self.first_bad = 0
        #: JSON Lines lines over MAX_LINE, skipped unread.
        self.overlong: list[int] = []
        #: Why the rest of the file could not be read, when it could not (None: read to the end).
        self.problem: str | None = None
        self.records = 0

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        if self.format == "jsonl":
            yield from self._lines()
        else:
            yield from self._document()

    def _lines(self) -> Iterator[tuple[str, Any]]:
        for lineno, line in jsonl_lines(self.stream):
            if line is None:
                self.overlong.append(lineno)
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError):
                self.bad += 1
                self.first_bad = self.first_bad or lineno
                continue
            self.records += 1
            yield str(lineno), obj

    def _document(self) -> Iterator[tuple[str, Any]]:
        with self.stream as stream:
            decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
            start = decoder.decode(stream.read(_CHUNK))
            while start.strip(_WHITESPACE) == "" and (more := stream.read(_CHUNK)):
                start += decoder.decode(more)
            if start.lstrip(_WHITESPACE).startswith("["):
                yield from self._array(stream, decoder, start)
                return
            if self.size > MAX_JSON_DOCUMENT:
                self.problem = (f"JSON document larger than {MAX_JSON_DOCUMENT // 2**20} MiB that is not an array"
                                " of records; not read (JSON Lines or an array can be of any size)")
                return
            text = start + decoder.decode(stream.read(MAX_JSON_DOCUMENT + 1), final=True)
        try:
            doc = json.loads(text)
        except RecursionError:
            self.problem = "JSON nested too deeply"
            return
        except ValueError as exc:
            self.problem = f"invalid JSON: {str(exc)[:200]}"
            return
        for i, obj in enumerate(json_records(doc)):
            self.records += 1
            yield f"row={i}", obj

    def _array(self, stream: IO[bytes], decoder: Any, buf: str) -> Iterator[tuple[str, Any]]:
        """A top-level array, one element at a time: memory holds one record and one chunk."""
        scan = json.JSONDecoder()
        pos = buf.index("[") + 1
        eof = False
        expect_value = True
        while True:
            while pos < len(buf) and buf[pos] in _WHITESPACE:
                pos += 1
            if pos >= len(buf):
                if eof:
                    self.problem = f"JSON array ends early after {self.records} record(s)"
                    return
                buf, pos = buf[pos:] + decoder.decode(stream.read(_CHUNK)), 0
                eof = pos >= len(buf)
                continue
            char = buf[pos]
            if not expect_value:
                if char == "]":
                    return
                if char != ",":
                    self.problem = f"invalid JSON after {self.records} record(s): expected ',' or ']'"
                    return
                pos += 1
                expect_value = True
                continue
            if char == "]" and self.records == 0:
                return
            try:
                obj, end = scan.raw_decode(buf, pos)
            except RecursionError:
                self.problem = f"JSON nested too deeply in record {self.records}"
                return
            except ValueError:
                if len(buf) - pos > MAX_LINE:
                    self.problem = f"record {self.records} is larger than {MAX_LINE // 2**20} MiB; the rest not read"
                    return
                chunk = stream.read(_CHUNK)
                if not chunk:
                    self.problem = f"invalid JSON in record {self.records}"
                    return
                buf, pos = buf[pos:] + decoder.decode(chunk), 0
                continue
            if end >= len(buf) and not eof:
                # A number may continue past the chunk ("12" of "123"): decode again with more text.
                chunk = stream.read(_CHUNK)
                if chunk:
                    buf, pos = buf[pos:] + decoder.decode(chunk), 0
                    continue
                eof = True
            yield f"row={self.records}", obj
            self.records += 1
            pos = end
            expect_value = False
