"""Per-record license fields in JSONL, JSON, CSV/TSV, Parquet and Arrow tables.

Tables are read column-wise with pyarrow (only the license columns); JSONL line by line with a
bounded line length. Distinct values are counted and normalised once each. A license value held
in a structure is read through its `license`, `expression`, `id` or `name` ({"license": {"id":
"MIT"}}, CycloneDX style).

License fields that are the data's subject rather than its terms are not read as its license:
- documents recognised by their top-level keys (`json_records.metadata_document`): CycloneDX
  SBOMs (`bomFormat`), SPDX documents (`spdxVersion`), JSON-LD (`@context`, `@graph`, and bare
  contexts mapping terms to IRIs);
- license catalogues: at least CATALOGUE_MIN_RECORDS records, at least CATALOGUE_DISTINCT of the
  values distinct (a list of licenses names each once; a dataset's records share a few terms),
  and no content field (text, image, url... by name, or any long string in a JSON record).
  A dataset whose records carry five licenses beside a text column is read as before.
What they were taken for is said in the detector's facts (`license_fields`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from provenance.detectors.csv_records import CsvRecords
from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.detectors.json_records import JSONL_SUFFIXES, JsonRecords, json_format
from provenance.detectors.record_credits import Credits, batch_credits, record_credit
from provenance.licensing.names import normalize_license
from provenance.model import (
    Asset,
    AssetKind,
    Evidence,
    EvidenceKind,
    Finding,
    Level,
    Location,
    RecordLicense,
    Rule,
    Severity,
)
from provenance.tables import MAX_LINE, arrow_batches
from provenance.textio import clean_text

LICENSE_FIELDS = ("license", "licence", "license_name", "licence_name", "license_id", "licenses",
                  "license_url", "rights", "copyright_license", "spdx_license", "license_spdx")
NESTED_PARENTS = ("meta", "metadata")
#: Fields that hold a record's content: a table with one of them is data, whatever its license
#: column looks like.
CONTENT_FIELDS = frozenset({
    "text", "content", "body", "document", "sentence", "sentences", "paragraph", "title", "abstract",
    "instruction", "input", "output", "prompt", "response", "completion", "question", "answer",
    "answers", "context", "conversation", "conversations", "messages", "dialogue", "code", "caption",
    "image", "images", "audio", "video", "file", "file_name", "filename", "path", "url", "image_url",
})
#: The field name given to licenses credited in record text.
CREDITED = "(credited in record text)"
#: A string this long in a JSON record is content.
CONTENT_CHARS = 200
#: A license catalogue has at least this many records, and this share of distinct license values.
CATALOGUE_MIN_RECORDS = 20
CATALOGUE_DISTINCT = 0.5
#: Keys through which a structured license value is read, in order.
STRUCT_KEYS = ("license", "expression", "id", "spdx_id", "spdxid", "licenseid", "license_id", "name", "url")
MAX_NORMALIZED = 10_000  # distinct values read per asset; past that, records are reported unchecked
MAX_SHOWN = 64  # unidentified values listed by name per asset
BATCH_ROWS = 65536


def license_columns(names: Iterable[str]) -> list[str]:
    by_lower = {n.lower(): n for n in names}
    return [by_lower[f] for f in LICENSE_FIELDS if f in by_lower]


class _LicenseCounts:
    """Counts license values and rows; collects problems."""

    def __init__(self) -> None:
        self.values: Counter[str] = Counter()
        self.rows = 0
        self.field = ""
        self.errors: list[str] = []
        #: Parts deliberately passed over while the rest was read (malformed rows): warnings.
        self.skipped: list[str] = []
        #: Whether the records have a content field (text, image, ...; a long string).
        self.content = False
        #: What the license fields were taken for when not the data's terms (a document kind).
        self.describes: str | None = None
        #: Licenses credited in the text of records without a license value.
        self.credits = Credits()
        #: Of those, how many were also counted as missing in `values` (column-wise counting).
        self.credited_missing = 0

    def catalogue(self) -> bool:
        """The license values name licenses, one per record: a license list, not terms."""
        valued = sum(c for v, c in self.values.items() if v)
        distinct = sum(1 for v in self.values if v)
        return (not self.content and valued >= CATALOGUE_MIN_RECORDS
                and distinct >= CATALOGUE_DISTINCT * valued)

    def output(self, asset: Asset, has_column: bool) -> DetectorOutput:
        partial = tuple(Finding(Rule.PARTIALLY_CHECKED, Severity.WARNING, asset.path, m) for m in self.skipped)
        if has_column and not self.describes and self.catalogue():
            distinct = sum(1 for v in self.values if v)
            self.describes = f"license catalogue ({distinct} distinct values in {self.field!r}, no content field)"
        if self.describes:
            facts = {"license_fields": f"{self.describes}: its license fields describe other works, not its terms"}
            return DetectorOutput(findings=partial, facts=facts, records=self.rows, errors=tuple(self.errors))
        credited = self.credits.total
        if not has_column and not credited:
            return DetectorOutput(findings=partial, records=self.rows, errors=tuple(self.errors))
        if not has_column:  # only credits: every other record has no license value
            self.values = Counter({"": self.rows - credited} if self.rows > credited else {})
        elif self.credited_missing:
            self.values[""] -= self.credited_missing
            self.values += Counter()  # drops a count that reached zero
        # Every distinct value (up to MAX_NORMALIZED) is read, then grouped by what it means, so
        # 70 spellings of Apache-2.0 cannot push a non-commercial value out of sight.
        by_license: Counter[str] = Counter()
        example: dict[str, str] = {}
        unidentified: Counter[str] = Counter()
        missing = 0
        read = self.values.most_common(MAX_NORMALIZED)
        for value, count in read:
            if not value:
                missing += count
                continue
            lic = normalize_license(value).expression
            if lic:
                by_license[lic] += count
                example.setdefault(lic, value)
            else:
                unidentified[value] += count
        unread = sum(self.values.values()) - sum(c for _, c in read)
        if unread:
            self.errors.append(f"{unread} record(s) carry more than {MAX_NORMALIZED} distinct license values;"
                               " those values were not identified")
        shown = unidentified.most_common(MAX_SHOWN)
        rest = unread + sum(unidentified.values()) - sum(c for _, c in shown)
        records = [RecordLicense(example[lic][:200], lic, c, self.field) for lic, c in by_license.most_common()]
        records += [RecordLicense(v[:200], None, c, self.field) for v, c in shown]
        if rest:
            records.append(RecordLicense("(other values)", None, rest, self.field))
        records += [RecordLicense(self.credits.example[lic][:200], lic, n, CREDITED)
                    for lic, n in self.credits.counts.most_common()]
        if missing:
            records.append(RecordLicense("", None, missing, self.field or CREDITED))
        evidence = tuple(
            Evidence(kind=EvidenceKind.RECORD_FIELD, level=Level.RECORD,
                     location=Location(asset.path, field=r.field), license=r.license, raw=r.value,
                     confidence=(0.9 if r.field == CREDITED else 1.0) if r.license else 0.0,
                     matcher="record-credit" if r.field == CREDITED else "record-field", records=r.count)
            for r in records if r.value
        )
        facts = {"license_credits": self.credits.summary()} if credited else {}
        return DetectorOutput(evidence=evidence, findings=partial, records=self.rows, facts=facts,
                              record_licenses=tuple(records), errors=tuple(self.errors))


class RecordLicenseDetector(Detector):
    id = "records"
    version = "7"  # 2: keys in any case; an empty license field does not hide a license_url; records
    # of a JSON document under "data" (and the like) and license fields in meta structs are read;
    # 3: CSV encodings sniffed (GB18030, UTF-16), undecodable bytes replaced and counted; 4: SBOMs,
    # SPDX, JSON-LD and license catalogues are not terms; struct values read through their id;
    # objects of objects are records; JSONC configurations read; 5: a JSON document listing plain
    # values is not a file of bad records, nor a license field listing many licenses one record;
    # 6: licenses credited in record text (record_credits.py); 7: "#" comment lines between CSV rows
    # are not malformed rows

    def applies(self, asset: Asset) -> bool:
        return asset.kind is AssetKind.TABLE

    def detect(self, content: AssetContent) -> DetectorOutput:
        name = content.asset.path.lower()
        tally = _LicenseCounts()
        try:
            if name.endswith((".json", *JSONL_SUFFIXES)):
                has = _json(content, tally)
            elif name.endswith((".csv", ".tsv")):
                has = _csv(content, tally)
            elif name.endswith(".parquet"):
                has = _parquet(content, tally)
            else:
                has = _arrow(content, tally)
        except (OSError, ValueError, MemoryError) as exc:
            tally.errors.append(f"cannot read table: {_short(exc)}")
            has = bool(tally.values)
        return tally.output(content.asset, has)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


_FIELD_RANK = {name: i for i, name in enumerate(LICENSE_FIELDS)}
#: Fields never read for credits: the license fields themselves.
_SKIP = frozenset(LICENSE_FIELDS)


def _value(obj: dict[str, Any], tally: _LicenseCounts) -> tuple[bool, str]:
    """The record's license value: the first non-empty license field (keys read case-blind, at the
    top or under `meta`/`metadata`), and whether it has a license field at all."""
    present = False
    for prefix, container in (("", obj), *((f"{p}.", obj.get(p)) for p in NESTED_PARENTS)):
        if not isinstance(container, dict):
            continue
        keys = sorted((k for k in container if isinstance(k, str) and k.lower() in _FIELD_RANK),
                      key=lambda k: _FIELD_RANK[k.lower()])
        for key in keys:
            present = True
            tally.field = tally.field or f"{prefix}{key}"
            if _lists_licenses(container[key]):
                # {"licenses": [{"licenseId": "0BSD", ...}, ... 700 more]}: the SPDX list, a
                # package's license database; not one record under all of them at once
                tally.describes = tally.describes or (
                    f"license catalogue ({len(container[key])} entries under {prefix}{key!r})")
                return True, ""
            text = _as_text(container[key])
            if text:  # `"license": null` beside a `license_url` is not the end of it
                return True, text
    return present, ""


def _lists_licenses(value: Any) -> bool:
    """A license field holding a long list of mostly different licenses: a catalogue."""
    if not isinstance(value, list) or len(value) < CATALOGUE_MIN_RECORDS:
        return False
    texts = [_as_text(v, 1) for v in value[:1000]]
    return len(set(texts)) >= CATALOGUE_DISTINCT * len(texts)


def _as_text(value: Any, depth: int = 0) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and depth < 4:
        parts = [p for p in (_as_text(v, depth + 1) for v in value if v) if p]
        return parts[0] if len(parts) == 1 else " AND ".join(f"({p})" for p in parts)
    if isinstance(value, dict) and depth < 4:
        # {"license": {"id": "MIT"}}, {"expression": "MIT OR Apache-2.0"}, {"name": "Acme terms"}
        by_lower = {k.lower(): v for k, v in value.items() if isinstance(k, str)}
        for key in STRUCT_KEYS:
            inner = by_lower.get(key)
            if inner not in (None, "", [], {}):
                return _as_text(inner, depth + 1)
    return clean_text(str(value).strip())


def _has_content(obj: dict[str, Any]) -> bool:
    return any(isinstance(k, str) and (k.lower() in CONTENT_FIELDS or (isinstance(v, str) and len(v) >= CONTENT_CHARS))
               for k, v in obj.items())


def _json(content: AssetContent, tally: _LicenseCounts) -> bool:
    reader = JsonRecords(content.open(), json_format(content.asset.path, content.head), content.asset.size)
    has_column = False
    for _, obj in reader:
        if not isinstance(obj, dict):
            # A JSON Lines file is records; a JSON document may be a plain list of values
            # (["n<1K", "1K<n<10K"]): nothing to read a license from, and nothing wrong.
            if reader.format == "jsonl":
                reader.bad += 1
            continue
        tally.describes = tally.describes or reader.document
        tally.rows += 1
        tally.content = tally.content or _has_content(obj)
        found, value = _value(obj, tally)
        has_column = has_column or found
        credit = None if value else record_credit(obj, _SKIP)
        if credit:
            tally.credits.add(*credit)
        else:
            tally.values[value] += 1
    for lineno in reader.overlong:
        tally.errors.append(f"line {lineno} is longer than {MAX_LINE // 2**20} MiB; skipped")
    if reader.problem:
        tally.errors.append(reader.problem)
    if reader.bad:
        where = f" (first at line {reader.first_bad})" if reader.first_bad else ""
        what = "line(s)" if reader.format == "jsonl" else "record(s)"
        message = f"{reader.bad} {what} are not JSON objects{where}"
        # Some bad lines among good records: what parsed is checked and the rest is said. Nothing
        # readable at all: the file could not be read.
        (tally.skipped if tally.rows else tally.errors).append(message)
    if not has_column:
        tally.values.clear()
    return has_column


def _count_arrow(column: Any, tally: _LicenseCounts) -> None:
    kind = column.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_struct(kind):
        # Rare: lists of licenses, or structs ({"id": "MIT"}). List elements are parenthesised,
        # so ["CC-BY-NC-4.0", "MIT OR Apache-2.0"] stays a conjunction.
        for value in column.to_pylist():
            tally.values[_as_text(value)] += 1
        return
    elif pa.types.is_dictionary(column.type):
        pass  # counted by dictionary code, never decoded row by row
    elif not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = pc.cast(column, pa.string())
    if column.null_count:
        tally.values[""] += column.null_count
    for item in pc.value_counts(column.drop_null() if column.null_count else column).to_pylist():
        tally.values[(item["values"] or "").strip()] += item["counts"]


def nested_license(schema: Any) -> tuple[str, str] | None:
    """(struct column, child) for a license field inside a `meta`/`metadata` struct column."""
    for field in schema:
        if field.name.lower() in NESTED_PARENTS and pa.types.is_struct(field.type):
            children = license_columns(child.name for child in field.type)
            if children:
                return field.name, children[0]
    return None


def _parquet(content: AssetContent, tally: _LicenseCounts) -> bool:
    source: Any = str(content.local_path) if content.local_path else content.open()
    pf = pq.ParquetFile(source)
    columns = license_columns(pf.schema_arrow.names)
    tally.content = _content_columns(pf.schema_arrow.names)
    if not columns and (nested := nested_license(pf.schema_arrow)):
        parent, child = nested
        tally.field = f"{parent}.{child}"
        for batch in pf.iter_batches(columns=[parent], batch_size=BATCH_ROWS):
            tally.rows += batch.num_rows
            _count_arrow(batch.column(0).field(child), tally)
        return True
    text = [f.name for f in pf.schema_arrow if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    if not columns:
        tally.rows = pf.metadata.num_rows
        if text:  # the text columns, for licenses credited in records
            for batch in pf.iter_batches(columns=text, batch_size=BATCH_ROWS):
                _credits(batch, None, tally)
        return False
    tally.field = columns[0]
    kind = pf.schema_arrow.field(columns[0]).type
    if str(kind) in ("string", "large_string"):
        # License strings read dictionary-encoded: counting codes beats decoding every string
        source = str(content.local_path) if content.local_path else content.open()
        pf = pq.ParquetFile(source, read_dictionary=[columns[0]])
    others = [c for c in text if c != columns[0]]
    for batch in pf.iter_batches(columns=[columns[0], *others], batch_size=BATCH_ROWS):
        tally.rows += batch.num_rows
        _count_arrow(batch.column(0), tally)
        if others:
            _credits(batch, batch.column(0), tally)
    return True


def _arrow(content: AssetContent, tally: _LicenseCounts) -> bool:
    schema, batches = arrow_batches(str(content.local_path) if content.local_path else None, content.open)
    columns = license_columns(schema.names)
    tally.content = _content_columns(schema.names)
    nested = None if columns else nested_license(schema)
    name, child = (columns[0], None) if columns else nested if nested else ("", None)
    index = schema.names.index(name) if name else -1
    tally.field = f"{name}.{child}" if child else name
    for batch in batches:
        tally.rows += batch.num_rows
        column = None
        if index >= 0:
            column = batch.column(index)
            column = column.field(child) if child else column
            _count_arrow(column, tally)
        _credits(batch, column, tally)
    return index >= 0


def _credits(batch: pa.RecordBatch, license_column: Any, tally: _LicenseCounts) -> None:
    """Credits in the text of the batch's rows that have no license value."""
    unlicensed = None
    if license_column is not None:
        if pa.types.is_dictionary(license_column.type):
            license_column = license_column.dictionary_decode()
        if not (pa.types.is_string(license_column.type) or pa.types.is_large_string(license_column.type)):
            return  # lists and structs of licenses: every row's value is read as it is
        unlicensed = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(license_column), ""), True)
    credited = batch_credits(batch, _SKIP, unlicensed, tally.credits)
    if license_column is not None:
        tally.credited_missing += credited


def _csv(content: AssetContent, tally: _LicenseCounts) -> bool:
    table = CsvRecords(content)
    columns: list[str] = []
    try:
        reader = table.reader()
        columns = license_columns(reader.schema.names)
        tally.content = _content_columns(reader.schema.names)
        index = reader.schema.names.index(columns[0]) if columns else -1
        tally.field = columns[0] if columns else ""
        for batch in reader:
            tally.rows += batch.num_rows
            column = batch.column(index) if index >= 0 else None
            if column is not None:
                _count_arrow(column, tally)
            _credits(batch, column, tally)
    except pa.ArrowInvalid as exc:
        tally.errors.append(f"malformed CSV after {tally.rows} rows: {_short(exc)}")
    for note in table.notes():  # skipped rows, replaced bytes: a warning when the rest was read
        (tally.skipped if tally.rows else tally.errors).append(note)
    return bool(columns)


def _content_columns(names: Iterable[str]) -> bool:
    return any(name.lower() in CONTENT_FIELDS for name in names)
