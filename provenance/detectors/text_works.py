"""`text-works`: passages of registered text works (books, articles, lyrics) in text items.

Every text item is checked: a text file whole (streamed past the head), every record of a table
(not a sample), archive members and tables of `datasets` objects alike. The records of a table
are one token stream in batches of about 1 MB of consecutive records (the last record repeated at
the head of the next batch), so a passage split across records is measured as one span.

A span of at least `error_words` words / `error_chars` CJK characters is `known-work` (error),
a span longer than a short quote (`quote_words` / `quote_chars`) is `known-work-excerpt`
(warning); shorter ones are never reported (provenance.textworks.thresholds). Registries are
opened once per process, memory-mapped: worker processes share one copy through the page cache.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.detectors.text_items import TEXT_DETECTOR_KINDS, iter_record_items, read_items
from provenance.model import Asset, AssetKind, Finding, Rule, Severity
from provenance.registry.text_store import TextRegistry
from provenance.text.items import TextItem
from provenance.textworks.fingerprint import Recipe, StreamFP, fingerprint_stream
from provenance.textworks.match import WorkMatch
from provenance.textworks.normalize import strip_markup
from provenance.textworks.thresholds import SpanThresholds

#: Characters of consecutive records fingerprinted as one stream.
BATCH_CHARS = 1 << 20
#: Lines of a streamed text repeated at the head of the next piece, and lines per located record.
OVERLAP_LINES = 32
LINES_PER_RECORD = 64
#: Matched works listed per asset (the facts keep the count of the others).
MAX_WORKS = 20
_OPEN: dict[str, TextRegistry | None] = {}


def open_text_registry(path: str) -> TextRegistry | None:
    """The text part of a registry, opened once per process (memory-mapped, shared by page cache)."""
    if path not in _OPEN:
        _OPEN[path] = TextRegistry.open(path)
    return _OPEN[path]


@dataclass
class _Best:
    """What one asset holds of one work (mutable while the asset is read)."""

    registry: int
    work: int
    units: float = 0.0
    lo_units: float = 0.0
    words: int = 0
    cjk: int = 0
    covered: int = 0
    item_tokens: int = 0
    span_tokens: int = 0
    where: str = ""
    records: set[str] = field(default_factory=set)


class TextWorksDetector(Detector):
    """Matches text items against the text part of the given registries."""

    id: ClassVar[str] = "text-works"
    version: ClassVar[str] = "1"

    def __init__(self, registries: Sequence[str] = (), thresholds: SpanThresholds | None = None) -> None:
        self.thresholds = thresholds or SpanThresholds()
        # Checked now, so a bad or mismatched registry fails the scan at start with its reason;
        # only registries that hold text works are kept.
        self.registries = tuple(p for p in registries if TextRegistry.open(p) is not None)

    def applies(self, asset: Asset) -> bool:
        return bool(self.registries) and asset.kind in TEXT_DETECTOR_KINDS

    def detect(self, content: AssetContent) -> DetectorOutput:
        opened = [r for r in (open_text_registry(p) for p in self.registries) if r is not None]
        table = content.asset.kind is AssetKind.TABLE
        streams: Iterable[Sequence[TextItem]] = _record_batches(content) if table else _text_batches(content)
        recipe = opened[0].recipe if opened else Recipe()
        quote = self.thresholds.quote_units
        found: dict[tuple[int, int], _Best] = {}
        items = tokens = 0
        errors: list[str] = []
        try:
            for n, batch in enumerate(streams):
                items += len(batch) - (1 if n and table else 0)  # a batch repeats the previous one's last record
                # text assets come here with their markup stripped whole (see _lines)
                fp = fingerprint_stream([i.text for i in batch], recipe, markup=table)
                tokens += fp.n_tokens
                for ri, reg in enumerate(opened):
                    for m in reg.match(fp, quote + 0.5):
                        _merge(found, ri, m, fp, batch, table, quote)
        except (OSError, ValueError, MemoryError, RecursionError) as exc:
            errors.append(f"text-works: cannot read all records: {type(exc).__name__}: {exc}")
        if not table:
            items = 1
        return self._output(content.asset, opened, found, items, tokens, errors)

    def _output(self, asset: Asset, opened: list[TextRegistry], found: dict[tuple[int, int], _Best],
                items: int, tokens: int, errors: list[str]) -> DetectorOutput:
        facts: dict[str, Any] = {"items": items, "tokens": tokens}
        th = self.thresholds
        best = sorted((b for b in found.values() if b.lo_units > th.quote_units),
                      key=lambda b: (-b.units, b.registry, b.work))
        if not best:
            return DetectorOutput(facts=facts, errors=tuple(errors))
        findings: list[Finding] = []
        listed: list[dict[str, Any]] = []
        for b in best[:MAX_WORKS]:
            reg = opened[b.registry]
            work = reg.work(b.work)
            error = b.units >= th.error_units
            share_item = b.span_tokens / max(1, b.item_tokens)
            share_work = min(1.0, b.covered / max(1, work.tokens))
            span = _span_words(b.words, b.cjk)
            title = work.title or work.work_id
            msg = (f"{'copy' if error else 'excerpt'} of known text work '{title}' (id {work.work_id}, "
                   f"rights holder {work.rights_holder or 'unknown'}"
                   f"{', license ' + work.license if work.license else ''}): longest passage {span} at "
                   f"{b.where}, {share_item:.0%} of the item, {share_work:.1%} of the work")
            findings.append(Finding(Rule.KNOWN_WORK if error else Rule.KNOWN_WORK_EXCERPT,
                                    Severity.ERROR if error else Severity.WARNING, asset.path, msg,
                                    count=max(1, len(b.records)) if asset.kind is AssetKind.TABLE else 1,
                                    locations=_locations(b.records, work.source_url)))
            listed.append({"kind": "text", "registry": str(reg.path), "work_id": work.work_id, "title": work.title,
                           "rights_holder": work.rights_holder, "license": work.license,
                           "source_url": work.source_url, "words": b.words, "cjk": b.cjk,
                           "units": b.units, "share_item": round(share_item, 4), "share_work": round(share_work, 4),
                           "where": b.where, "records": len(b.records), "level": "error" if error else "warning"})
        facts["matches"] = listed
        if len(best) > MAX_WORKS:
            facts["more_works"] = len(best) - MAX_WORKS
        return DetectorOutput(findings=tuple(findings), facts=facts, errors=tuple(errors))


def _locations(records: set[str], source_url: str | None) -> tuple[str, ...]:
    """Where the passages are (up to 20 records), then where the work comes from."""
    return tuple(sorted(records))[:20] + ((source_url,) if source_url else ())


def _span_words(words: int, cjk: int) -> str:
    parts = ([f"{words} words"] if words else []) + ([f"{cjk} CJK characters"] if cjk else [])
    return " and ".join(parts) or "0 words"


def _merge(found: dict[tuple[int, int], _Best], ri: int, m: WorkMatch, fp: StreamFP,
           batch: Sequence[TextItem], table: bool, quote: float) -> None:
    b = found.setdefault((ri, m.work), _Best(ri, m.work))
    b.covered += m.covered_tokens
    for s in m.spans:
        if s.lo_units > quote:
            r0, r1 = _records(fp, s.start, s.end)
            b.records.update(_locator(batch[r], table) for r in range(r0, r1 + 1))
    s = m.longest
    if (s.units, s.lo_units) > (b.units, b.lo_units):
        r0, r1 = _records(fp, s.start, s.end)
        b.units, b.lo_units, b.words, b.cjk = s.units, max(x.lo_units for x in m.spans), s.words, s.cjk
        b.span_tokens = s.end - s.start
        end = int(fp.rec_tok[r1 + 1]) if r1 + 1 < len(fp.rec_tok) else fp.n_tokens
        b.item_tokens = end - int(fp.rec_tok[r0])
        first, last = _locator(batch[r0], table), _locator(batch[r1], table)
        b.where = first if first == last else f"{first} to {last}"


def _records(fp: StreamFP, t0: int, t1: int) -> tuple[int, int]:
    r0 = int(np.searchsorted(fp.rec_tok, t0, side="right") - 1)
    r1 = int(np.searchsorted(fp.rec_tok, max(t0, t1 - 1), side="right") - 1)
    return max(0, r0), max(0, r1)


def _locator(item: TextItem, table: bool) -> str:
    if item.locator is None:
        return "the text"
    return f"record {item.locator}" if table and not item.locator.startswith(("row=", "line ")) else item.locator


def _record_batches(content: AssetContent) -> Iterator[list[TextItem]]:
    """Consecutive records in batches of ~BATCH_CHARS, the last record of a batch repeated first in
    the next. Tables the other text detectors read whole are not parsed again."""
    items, read = read_items(content)
    source: Iterable[TextItem] = items if not read.get("sampled") else iter_record_items(content)
    batch: list[TextItem] = []
    size = 0
    for item in source:
        batch.append(item)
        size += len(item.text)
        if size >= BATCH_CHARS:
            yield batch
            batch, size = batch[-1:], len(batch[-1].text)
    if batch and (len(batch) > 1 or size < BATCH_CHARS):
        yield batch


def _text_batches(content: AssetContent) -> Iterator[list[TextItem]]:
    """A text asset: whole when the head holds it, else streamed in pieces of ~BATCH_CHARS cut at
    line ends, each repeating the last OVERLAP_LINES lines of the previous one (a passage across a
    cut is one span)."""
    if content.complete:
        text, _ = content.text()
        if text:
            yield _lines(text, 1)
        return
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    pending, line = "", 1
    overlap: list[str] = []
    with content.open() as fh:
        while True:
            chunk = fh.read(BATCH_CHARS)
            pending += decoder.decode(chunk, final=not chunk)
            if chunk and len(pending) < BATCH_CHARS:
                continue
            cut = (pending.rfind("\n") if "\n" in pending[-BATCH_CHARS:] else pending.rfind(" ")) if chunk else -1
            if chunk and cut < 0:
                cut = len(pending) - 1  # one very long word: cut anywhere
            piece, pending = (pending[:cut + 1], pending[cut + 1:]) if chunk else (pending, "")
            lines = piece.split("\n")
            yield _lines("\n".join(overlap + lines), line - len(overlap))
            line += piece.count("\n")
            overlap = lines[-OVERLAP_LINES - 1:-1] if piece.endswith("\n") else lines[-OVERLAP_LINES:]
            if not chunk:
                return


def _lines(text: str, first_line: int) -> list[TextItem]:
    """A text, its markup stripped whole, as records of LINES_PER_RECORD lines located `line N`,
    so a match says where it is (lines counted after markup removal: close to the file's)."""
    lines = strip_markup(text).split("\n")
    return [TextItem("\n".join(lines[i:i + LINES_PER_RECORD]), locator=f"line {first_line + i}")
            for i in range(0, len(lines), LINES_PER_RECORD)]
