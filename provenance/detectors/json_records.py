"""Records of JSON and JSON Lines files as real repositories hold them, in bounded memory.

- JSON Lines under any of its names (.jsonl, .ndjson, .jsonlines) and under `.json`, told apart by
  the first bytes (many Hub datasets store JSON Lines as `train.json`);
- a top-level JSON array of any size, streamed record by record (Alpaca-style `data.json`);
- a JSON document keeping its records under a key ({"version": 1, "data": [...]}, SQuAD-style),
  or as an object of objects keyed by name ({"photo1.jpg": {"license": "1"}, ...}), loaded whole up
  to MAX_JSON_DOCUMENT;
- JSON with comments (JSONC: `.vscode/launch.json`, `tsconfig.json`, `devcontainer.json`): when strict
  parsing fails, a document with `//` or `/* */` comments, or one named or placed like an editor or
  tool configuration, is read with its comments and trailing commas dropped. A data file that is
  broken otherwise (cut short, a stray comma without comments) stays an error;
- documents whose license fields describe something else are recognised by their top-level keys
  (`metadata_document`): CycloneDX SBOMs, SPDX documents, JSON-LD documents and contexts.

Lines or records that do not parse are counted, not fatal: the reader says how many and where the
first one is, and the detectors decide what that costs.
"""

from __future__ import annotations

import codecs
import json
import re
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
#: Folders of editors and tools, whose .json files are configuration written as JSONC.
JSONC_FOLDERS = frozenset({".vscode", ".devcontainer", ".idea", ".vs", ".fleet", ".zed", ".theia"})
#: Tool configurations that are JSONC wherever they are.
_JSONC_NAME = re.compile(
    r"^(?:[jt]sconfig(?:\.[\w-]+)?|\.?devcontainer|\.eslintrc|\.babelrc|\.swcrc|\.jshintrc|\.oxlintrc"
    r"|language-configuration|api-extractor)\.json$", re.IGNORECASE)
# A string (kept), a line comment or a block comment (dropped); then a comma before a closing bracket.
_COMMENTS = re.compile(r'("(?:[^"\\\n]|\\.)*")|//[^\n]*|/\*[\s\S]*?\*/')
_TRAILING_COMMA = re.compile(r'("(?:[^"\\\n]|\\.)*")|,(\s*[}\]])')
#: Top-level keys of documents whose license fields are their subject, not their terms.
_DOCUMENT_KEYS = (("bomFormat", "CycloneDX SBOM"), ("spdxVersion", "SPDX document"),
                  ("@context", "JSON-LD document"), ("@graph", "JSON-LD document"))
#: Least number of terms for an object of IRI mappings to be taken for a JSON-LD context.
MIN_CONTEXT_TERMS = 5


def jsonc_name(path: str) -> bool:
    """A configuration written as JSONC by its name or folder (`.vscode/launch.json`, `tsconfig.json`)."""
    parts = path.replace("\\", "/").split("/")
    return _JSONC_NAME.match(parts[-1]) is not None or any(p in JSONC_FOLDERS for p in parts[:-1])


def strip_jsonc(text: str) -> tuple[str, int]:
    """`text` without `//` and `/* */` comments and without commas before `}` or `]` (strings
    untouched), and how many comments there were."""
    comments = 0

    def drop_comment(m: re.Match[str]) -> str:
        nonlocal comments
        if m.group(1) is not None:
            return m.group(1)
        comments += 1
        return "\n" * m.group(0).count("\n") or " "

    text = _COMMENTS.sub(drop_comment, text)
    return _TRAILING_COMMA.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text), comments


def metadata_document(doc: Any) -> str | None:
    """What a JSON document is when its license fields describe other things (an SBOM's components,
    an SPDX document's packages, the terms of a JSON-LD vocabulary): None for data."""
    if not isinstance(doc, dict):
        return None
    for key, name in _DOCUMENT_KEYS:
        if key in doc:
            return name
    if len(doc) >= MIN_CONTEXT_TERMS and all(_iri_term(v) for v in doc.values()) and _uses_context(doc):
        return "JSON-LD context"
    return None


def _iri_term(value: Any) -> bool:
    """A JSON-LD context term: a prefix or IRI string ("core:License", "https://..."), or a term
    definition ({"@id": ..., "@type": ...})."""
    if isinstance(value, dict):
        return "@id" in value or "@reverse" in value
    return isinstance(value, str) and (":" in value or value.startswith("@")) and " " not in value


def _uses_context(doc: dict[Any, Any]) -> bool:
    """Something only a JSON-LD context has: a term definition, a keyword, or a compact IRI whose
    prefix is defined beside it ("licensing:License" beside "licensing"). A plain map of URLs
    ({"homepage": "https://...", "license": "https://..."}) has none."""
    for value in doc.values():
        if isinstance(value, dict) or value.startswith("@"):
            return True
        prefix = value.split(":", 1)[0]
        if prefix in doc and not value.startswith(f"{prefix}://"):
            return True
    return False


def json_format(name: str, head: bytes) -> str:
    """"jsonl", "json" or "jsonc" (a configuration read as JSON with comments when strict
    parsing fails) for a file named `name` whose first bytes are `head`."""
    lower = name.lower()
    if lower.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if jsonc_name(name):
        return "jsonc"
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
    field of its own, its records list ("data", "train", ... or else its longest list of objects),
    or its values when they are objects alike keyed by name ({"photo1.jpg": {...}, ...}); or the
    object itself."""
    if isinstance(doc, list):
        return doc
    if not isinstance(doc, dict):
        return []
    if any(isinstance(k, str) and k.lower() in OWN_FIELDS for k in doc):
        return [doc]
    lists = {k: v for k, v in doc.items() if isinstance(v, list) and v and isinstance(v[0], dict)}
    if not lists:
        return list(doc.values()) if _keyed_records(doc) else [doc]
    key = next((k for k in RECORD_LISTS if k in lists), None) or max(lists, key=lambda k: len(lists[k]))
    return lists[key]


def _keyed_records(doc: dict[Any, Any]) -> bool:
    """An object of objects keyed by name: at least two values, all objects, the first two sharing
    a field, and no key that wraps the document's own metadata (`meta`)."""
    values = list(doc.values())
    if len(values) < 2 or not all(isinstance(v, dict) for v in values):
        return False
    if any(isinstance(k, str) and k.lower() in ("meta", "metadata") for k in doc):
        return False
    return bool(set(values[0]) & set(values[1]))


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
        #: What a document whose license fields are its subject is (`metadata_document`), else None.
        self.document: str | None = None
        #: True when the document was read as JSON with comments.
        self.jsonc = False

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
            if start.lstrip(_WHITESPACE).startswith("[") and self.format != "jsonc":
                yield from self._array(stream, decoder, start)
                return
            if self.size > MAX_JSON_DOCUMENT:
                self.problem = (f"JSON document larger than {MAX_JSON_DOCUMENT // 2**20} MiB that is not an array"
                                " of records; not read (JSON Lines or an array can be of any size)")
                return
            text = start + decoder.decode(stream.read(MAX_JSON_DOCUMENT + 1), final=True)
        doc = self._parse(text)
        if self.problem:
            return
        self.document = metadata_document(doc)
        for i, obj in enumerate(json_records(doc)):
            self.records += 1
            yield f"row={i}", obj

    def _parse(self, text: str) -> Any:
        """The document; JSONC when strict JSON fails and the file is a configuration by name or
        has comments. Sets `problem` when it cannot be read."""
        try:
            return json.loads(text)
        except RecursionError:
            self.problem = "JSON nested too deeply"
            return None
        except ValueError as exc:
            error = f"invalid JSON: {str(exc)[:200]}"
        stripped, comments = strip_jsonc(text)
        if comments or self.format == "jsonc":
            try:
                doc = json.loads(stripped)
            except RecursionError:
                self.problem = "JSON nested too deeply"
                return None
            except ValueError:
                pass
            else:
                self.jsonc = True
                return doc
        self.problem = error
        return None

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
