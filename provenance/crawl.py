"""Crawled data: per-record URL domains (not subject domains), counted, and checked against a user's opt-out list.

The EU training-data summary asks for the top domains a crawl came from; a domain that reserved
its rights against text and data mining (an opt-out) must not be in the data: a `tdm-opt-out`.
URL columns are read column-wise with pyarrow (Parquet, Arrow, CSV) or line by line (JSON Lines);
hosts are extracted with one vectorised regex and counted with `value_counts`.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.errors import ConfigError
from provenance.model import Asset, AssetKind, Finding, Severity

URL_FIELDS = ("url", "image_url", "source_url", "page_url", "img_url", "link", "href", "uri", "website", "source")
NESTED_PARENTS = ("meta", "metadata")
# Prefix of numeric facts holding a domain's record count; the scan sums them per source.
DOMAIN_FACT = "domain:"
TOP_PER_ASSET = 50
TOP_PER_SOURCE = 20
_HOST = r"^\s*[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?(?P<host>\[[^\]]*\]|[^/:?#\s]+)"
_HOST_FAST = r"^\s*[A-Za-z][A-Za-z0-9+.-]*://(?P<host>[^/:?#@\s]+)"
MAX_LINE = 16 * 2**20


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
    import pyarrow as pa
    import pyarrow.compute as pc

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
            findings = (Finding("tdm-opt-out", Severity.ERROR, path,
                                f"{total} record(s) come from domains that opted out of text and data mining: "
                                f"{shown}", count=total),)
    return DetectorOutput(findings=findings, facts=facts)


def top_domains(totals: Mapping[str, float], limit: int = TOP_PER_SOURCE) -> list[tuple[str, int]]:
    """Top domains of a source from its summed facts."""
    items = [(k[len(DOMAIN_FACT):], int(v)) for k, v in totals.items() if k.startswith(DOMAIN_FACT)]
    return sorted(items, key=lambda kv: (-kv[1], kv[0]))[:limit]


class UrlDomainDetector(Detector):
    """URL domains of the records of a table, and records from opted-out domains."""

    id = "url-domains"
    version = "1"

    def __init__(self, optout: Iterable[str] = ()) -> None:
        self.optout = frozenset(normalize_host(d) for d in optout)

    def applies(self, asset: Asset) -> bool:
        return asset.kind is AssetKind.TABLE

    def detect(self, content: AssetContent) -> DetectorOutput:
        name = content.asset.path.lower()
        try:
            if name.endswith((".jsonl", ".ndjson")):
                found = _jsonl(content)
            elif name.endswith(".parquet"):
                found = _parquet(content)
            elif name.endswith((".arrow", ".feather", ".ipc")):
                found = _arrow(content)
            elif name.endswith((".csv", ".tsv")):
                found = _csv(content, "\t" if name.endswith(".tsv") else ",")
            else:
                return DetectorOutput()
        except (OSError, ValueError, MemoryError) as exc:
            # The license detector reads the same table and reports why it cannot; no second error.
            return DetectorOutput(facts={"url_error": str(exc)[:200]})
        if found is None:
            return DetectorOutput()
        field, counts, records = found
        return domain_output(content.asset.path, counts, records, self.optout, field)

    def source_findings(self, source: str, totals: Mapping[str, float]) -> tuple[Finding, ...]:
        top = top_domains(totals)
        if not top:
            return ()
        shown = ", ".join(f"{d} ({n})" for d, n in top)
        return (Finding("url-domains", Severity.INFO, f"source:{source}",
                        f"{int(totals.get('url_records', 0))} record(s) with a URL; top domains: {shown}",
                        count=int(totals.get("url_records", 0))),)


Found = tuple[str, Counter[str], int] | None


def _parquet(content: AssetContent) -> Found:
    import pyarrow.parquet as pq

    source: Any = str(content.local_path) if content.local_path else content.open()
    pf = pq.ParquetFile(source)
    columns = url_columns(pf.schema_arrow.names)
    if not columns:
        return None
    counts: Counter[str] = Counter()
    rows = 0
    for batch in pf.iter_batches(columns=[columns[0]], batch_size=65536):
        rows += batch.num_rows
        counts.update(count_hosts(batch.column(0)))
    return columns[0], counts, rows


def _arrow(content: AssetContent) -> Found:
    import pyarrow as pa

    source: Any = pa.memory_map(str(content.local_path)) if content.local_path else content.open()
    try:
        reader: Any = pa.ipc.open_file(source)
        batches = (reader.get_batch(i) for i in range(reader.num_record_batches))
    except pa.ArrowInvalid:
        source.seek(0)
        reader = pa.ipc.open_stream(source)
        batches = iter(reader)
    columns = url_columns(reader.schema.names)
    if not columns:
        return None
    index = reader.schema.get_field_index(columns[0])
    counts: Counter[str] = Counter()
    rows = 0
    for batch in batches:
        rows += batch.num_rows
        counts.update(count_hosts(batch.column(index)))
    return columns[0], counts, rows


def _csv(content: AssetContent, delimiter: str) -> Found:
    import pyarrow.csv as pcsv

    reader = pcsv.open_csv(content.open(), parse_options=pcsv.ParseOptions(delimiter=delimiter,
                                                                            newlines_in_values=True),
                           convert_options=pcsv.ConvertOptions(column_types={}, strings_can_be_null=False))
    columns = url_columns(reader.schema.names)
    if not columns:
        return None
    index = reader.schema.get_field_index(columns[0])
    counts: Counter[str] = Counter()
    rows = 0
    for batch in reader:
        rows += batch.num_rows
        counts.update(count_hosts(batch.column(index)))
    return columns[0], counts, rows


def url_of(obj: Mapping[str, Any]) -> tuple[str, str] | None:
    """(field, value) of the first URL field of a record, looking one level into `meta`/`metadata`."""
    for key in URL_FIELDS:
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


def _jsonl(content: AssetContent) -> Found:
    counts: Counter[str] = Counter()
    rows = 0
    field = ""
    with io.BufferedReader(content.open(), buffer_size=1 << 20) as stream:  # type: ignore[type-var]
        while line := stream.readline(MAX_LINE + 1):
            if len(line) > MAX_LINE and not line.endswith(b"\n"):
                while (rest := stream.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                    pass  # an overlong line is skipped without holding it in memory
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError):
                continue
            if not isinstance(obj, dict):
                continue
            rows += 1
            found = url_of(obj)
            if found:
                field = field or found[0]
                host = host_of(found[1])
                if host:
                    counts[host] += 1
    return (field, counts, rows) if field else None


def with_optout(detectors: Iterable[Detector], optout: Iterable[str]) -> list[Detector]:
    """The detectors with the domain detector replaced by one that checks `optout`."""
    found = list(detectors)
    out: list[Detector] = [UrlDomainDetector(optout) if isinstance(d, UrlDomainDetector) else d for d in found]
    if not any(isinstance(d, UrlDomainDetector) for d in found):
        out.append(UrlDomainDetector(optout))
    return out
