"""Crawled data: per-record URL domains (not subject domains), counted, and checked against a user's opt-out list.

The EU training-data summary asks for the top domains a crawl came from; a domain that reserved
its rights against text and data mining (an opt-out) must not be in the data: a `tdm-opt-out`.
URL columns are read column-wise with pyarrow (Parquet, Arrow, CSV) or line by line (JSON Lines);
hosts are extracted with one vectorised regex and counted with `value_counts`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from provenance.detectors.csv_records import CsvRecords
from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.detectors.json_records import JSONL_SUFFIXES, JsonRecords, json_format
from provenance.detectors.records import NESTED_PARENTS
from provenance.errors import ConfigError
from provenance.model import Asset, AssetKind, Finding, Rule, Severity
from provenance.tables import arrow_batches

URL_FIELDS = ("url", "image_url", "source_url", "page_url", "img_url", "link", "href", "uri", "website")
# Per-record provenance named rather than linked ("wikipedia", "common_crawl/2023-06").
SOURCE_FIELDS = ("source", "data_source", "source_dataset", "origin", "subset", "collection")
# Prefix of numeric facts holding a domain's record count; the scan sums them per source.
DOMAIN_FACT = "domain:"
# Prefix of numeric facts holding the record count of one value of a per-record source field.
SOURCE_FACT = "source:"
TOP_PER_ASSET = 50
TOP_PER_SOURCE = 20
_HOST = r"^\s*[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?(?P<host>\[[^\]]*\]|[^/:?#\s]+)"
_HOST_FAST = r"^\s*[A-Za-z][A-Za-z0-9+.-]*://(?P<host>[^/:?#@\s]+)"


def host_of(url: str) -> str | None:
    """Lower-case host of a URL without a leading `www.`, or None when it has none."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return normalize_host(host) if host else None


def normalize_host(host: str) -> str:
    host = host.strip().strip(".").lower()
    return host[4:] if host.startswith("www.") else host


def opted_out(host: str, optout: frozenset[str]) -> str | None:
    """The opt-out entry covering `host` (itself or a parent domain), if any."""
    parts = host.split(".")
    for i in range(len(parts) - 1):
        candidate = ".".join(parts[i:])
        if candidate in optout:
            return candidate
    return host if host in optout else None


def load_optout(path: str | Path) -> frozenset[str]:
    """Domains from a file: one a line (a bare domain or a URL), `#` starts a comment."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the opt-out domain list {path}: {exc}") from None
    domains = set()
    for line in text.splitlines():
        item = line.split("#", 1)[0].strip()
        if not item:
            continue
        host = host_of(item) if "://" in item else normalize_host(item.split("/", 1)[0])
        if host:
            domains.add(host)
    return frozenset(domains)


def url_columns(names: Iterable[str]) -> list[str]:
    by_lower = {n.lower(): n for n in names}
    return [by_lower[f] for f in URL_FIELDS if f in by_lower]


def count_hosts(column: Any) -> Counter[str]:
    """Host counts of a pyarrow array of URLs (values that are not URLs are left out)."""
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = pc.cast(column, pa.string())
    counts: Counter[str] = Counter()
    # A fast pattern for plain URLs; the few with user info (`a.com@b.org`) take the full one,
    # so a host cannot hide behind a user name.
    userinfo = pc.fill_null(pc.match_substring(column, "@"), False)
    has_userinfo = pc.any(userinfo).as_py()
    parts = [(pc.filter(column, pc.invert(userinfo)), _HOST_FAST), (pc.filter(column, userinfo), _HOST)] \
        if has_userinfo else [(column, _HOST_FAST)]
    for values, pattern in parts:
        if len(values) == 0:
            continue
        hosts = pc.struct_field(pc.extract_regex(values, pattern), "host")
        for item in pc.value_counts(hosts.drop_null() if hosts.null_count else hosts).to_pylist():
            if item["values"]:
                counts[normalize_host(item["values"])] += item["counts"]
    return counts


def domain_output(path: str, counts: Counter[str], records: int, optout: frozenset[str],
                  field: str = "url") -> DetectorOutput:
    """Facts (records with a URL, top domains) and the opt-out finding for one asset."""
    facts: dict[str, Any] = {"url_records": sum(counts.values()), "url_field": field}
    for host, n in counts.most_common(TOP_PER_ASSET):
        facts[DOMAIN_FACT + host] = n
    findings: tuple[Finding, ...] = ()
    if optout:
        hits: Counter[str] = Counter()
        for host, n in counts.items():
            entry = opted_out(host, optout)
            if entry:
                hits[entry] += n
        if hits:
            total = sum(hits.values())
            shown = ", ".join(f"{d} ({n})" for d, n in hits.most_common(10))
            findings = (Finding(Rule.TDM_OPT_OUT, Severity.ERROR, path,
                                f"{total} record(s) come from domains that opted out of text and data mining: "
                                f"{shown}", count=total),)
    return DetectorOutput(findings=findings, facts=facts)


def top_domains(totals: Mapping[str, float], limit: int = TOP_PER_SOURCE,
                prefix: str = DOMAIN_FACT) -> list[tuple[str, int]]:
    """Top domains (or, with SOURCE_FACT, top source values) of a source from its summed facts."""
    items = [(k[len(prefix):], int(v)) for k, v in totals.items() if k.startswith(prefix)]
    return sorted(items, key=lambda kv: (-kv[1], kv[0]))[:limit]


class UrlDomainDetector(Detector):
    """URL domains of the records of a table, and records from opted-out domains."""

    id = "url-domains"
    version = "2"  # 2: CSV in GB18030 and with bad bytes, JSONC and objects keyed by name read

    def __init__(self, optout: Iterable[str] = ()) -> None:
        self.optout = frozenset(normalize_host(d) for d in optout)

    def applies(self, asset: Asset) -> bool:
        return asset.kind is AssetKind.TABLE

    def detect(self, content: AssetContent) -> DetectorOutput:
        name = content.asset.path.lower()
        try:
            if name.endswith((".json", *JSONL_SUFFIXES)):
                tally = _json(content)
            elif name.endswith(".parquet"):
                tally = _columns(_parquet_batches(content))
            elif name.endswith((".arrow", ".feather", ".ipc")):
                tally = _columns(_arrow_batches(content))
            elif name.endswith((".csv", ".tsv")):
                tally = _columns(_csv_batches(content))
            else:
                return DetectorOutput()
        except (OSError, ValueError, MemoryError) as exc:
            # The license detector reads the same table and reports why it cannot; no second error.
            return DetectorOutput(facts={"url_error": str(exc)[:200]})
        if not (tally.url_field or tally.source_field):
            return DetectorOutput()
        out = domain_output(content.asset.path, tally.hosts, tally.rows, self.optout, tally.url_field) \
            if tally.url_field else DetectorOutput()
        facts = dict(out.facts)
        if tally.source_field:
            facts["source_field"] = tally.source_field
            facts["source_records"] = sum(tally.sources.values())
            for value, n in tally.sources.most_common(TOP_PER_ASSET):
                facts[SOURCE_FACT + value] = n
        return DetectorOutput(findings=out.findings, facts=facts)

    def source_findings(self, source: str, totals: Mapping[str, float]) -> tuple[Finding, ...]:
        out = []
        top = top_domains(totals)
        if top:
            shown = ", ".join(f"{d} ({n})" for d, n in top)
            out.append(Finding(Rule.URL_DOMAINS, Severity.INFO, f"source:{source}",
                               f"{int(totals.get('url_records', 0))} record(s) with a URL; top domains: {shown}",
                               count=int(totals.get("url_records", 0))))
        named = top_domains(totals, prefix=SOURCE_FACT)
        if named:
            shown = ", ".join(f"{d} ({n})" for d, n in named)
            out.append(Finding(Rule.RECORD_SOURCES, Severity.INFO, f"source:{source}",
                               f"{int(totals.get('source_records', 0))} record(s) name their source: {shown}",
                               count=int(totals.get("source_records", 0))))
        return tuple(out)


class _UrlCounts:
    """Hosts of a table's URL column and values of its source column."""

    def __init__(self) -> None:
        self.hosts: Counter[str] = Counter()
        self.sources: Counter[str] = Counter()
        self.rows = 0
        self.url_field = ""
        self.source_field = ""


Batches = tuple[list[str], Iterator[Any]]


def _pick(names: list[str]) -> tuple[str | None, str | None]:
    urls = url_columns(names)
    url = urls[0] if urls else None
    by_lower = {n.lower(): n for n in names}
    source = next((by_lower[f] for f in SOURCE_FIELDS if f in by_lower and by_lower[f] != url), None)
    return url, source


def _columns(found: Batches | None) -> _UrlCounts:
    """Count over (column names, batches of those columns) from a columnar reader."""
    tally = _UrlCounts()
    if found is None:
        return tally
    names, batches = found
    url, source = _pick(names)
    tally.url_field, tally.source_field = url or "", source or ""
    for batch in batches:
        tally.rows += batch.num_rows
        if url:
            tally.hosts.update(count_hosts(batch.column(names.index(url))))
        if source:
            column = batch.column(names.index(source))
            if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
                column = pc.cast(column, pa.string())
            # A source column may hold links: those count as URLs (when there is no URL column), the rest by value.
            linked = pc.fill_null(pc.match_substring(column, "://"), False)
            if pc.any(linked).as_py():
                if not url:
                    tally.url_field = tally.url_field or source
                    tally.hosts.update(count_hosts(pc.filter(column, linked)))
                column = pc.filter(column, pc.invert(linked))
            for item in pc.value_counts(column.drop_null() if column.null_count else column).to_pylist():
                if item["values"]:
                    tally.sources[str(item["values"]).strip()[:100]] += item["counts"]
    return tally


def _parquet_batches(content: AssetContent) -> Batches | None:
    source: Any = str(content.local_path) if content.local_path else content.open()
    pf = pq.ParquetFile(source)
    url, src = _pick(pf.schema_arrow.names)
    names = [c for c in (url, src) if c]
    return (names, pf.iter_batches(columns=names, batch_size=65536)) if names else None


def _arrow_batches(content: AssetContent) -> Batches | None:
    schema, batches = arrow_batches(str(content.local_path) if content.local_path else None, content.open)
    url, src = _pick(schema.names)
    names = [c for c in (url, src) if c]
    return (names, (b.select(names) for b in batches)) if names else None


def _csv_batches(content: AssetContent) -> Batches | None:
    reader = CsvRecords(content).reader()
    url, src = _pick(reader.schema.names)
    names = [c for c in (url, src) if c]
    return (names, (b.select(names) for b in reader)) if names else None


def url_of(obj: Mapping[str, Any]) -> tuple[str, str] | None:
    """(field, value) of the first URL field of a record, looking one level into `meta`/`metadata`."""
    for key in URL_FIELDS + SOURCE_FIELDS:
        value = obj.get(key)
        if isinstance(value, str) and "://" in value:
            return key, value
    for parent in NESTED_PARENTS:
        inner = obj.get(parent)
        if isinstance(inner, dict):
            found = url_of(inner)
            if found:
                return f"{parent}.{found[0]}", found[1]
    return None


def _json(content: AssetContent) -> _UrlCounts:
    tally = _UrlCounts()
    reader = JsonRecords(content.open(), json_format(content.asset.path, content.head), content.asset.size)
    for _, obj in reader:  # lines that do not parse are the license reader's to report
        if not isinstance(obj, dict):
            continue
        tally.rows += 1
        found = url_of(obj)
        if found:
            tally.url_field = tally.url_field or found[0]
            host = host_of(found[1])
            if host:
                tally.hosts[host] += 1
        key, value = _source_of(obj)
        if key and key != tally.url_field:
            tally.source_field = tally.source_field or key
            tally.sources[value[:100]] += 1
    return tally


def _source_of(obj: Mapping[str, Any]) -> tuple[str, str]:
    for key in SOURCE_FIELDS:
        value = obj.get(key)
        if isinstance(value, str) and value.strip() and "://" not in value:
            return key, value.strip()
    return "", ""


def with_optout(detectors: Iterable[Detector], optout: Iterable[str]) -> list[Detector]:
    """The detectors with the URL-domain detector replaced by one that checks `optout`."""
    found = list(detectors)
    out: list[Detector] = [UrlDomainDetector(optout) if isinstance(d, UrlDomainDetector) else d for d in found]
    if not any(isinstance(d, UrlDomainDetector) for d in found):
        out.append(UrlDomainDetector(optout))
    return out
