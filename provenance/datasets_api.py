"""`datasets` objects in pipelines: scan a Dataset, IterableDataset or DatasetDict, and filter out
the records a scan says fail the policy. `datasets` is an optional extra: it is imported inside the
functions that receive its objects."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from provenance.api import ScanRequest, run_scan, scan
from provenance.detectors.lineage import card_license
from provenance.detectors.records import license_columns
from provenance.detectors.urls import host_of, load_optout, opted_out, url_columns
from provenance.licensing.expression import use_class
from provenance.licensing.kb import ALLOWED_FOR_USE
from provenance.licensing.names import normalize_license
from provenance.model import Rule
from provenance.results import ScanResult
from provenance.sources.datasets_object import ARROW_BATCH_ROWS, DatasetObjectSource, splits_of
from provenance.sources.hub_files import DEFAULT_SAMPLE_RECORDS


def scan_dataset(ds: Any, name: str = "dataset", output_dir: str | Path | None = None, *,
                 sample_records: int = DEFAULT_SAMPLE_RECORDS, all_records: bool = False,
                 **options: Any) -> ScanResult:
    """Scan a `datasets` object (or a save_to_disk folder, or an hf:// id) and return the result.

    Keyword options are the fields of `provenance.api.ScanRequest` (use, policy, declarations, ...);
    reports are written only when `reports=True` is given. Without `output_dir` the results go to a
    temporary folder removed with the returned result (see `provenance.scan`)."""
    if isinstance(ds, (str, Path)):
        return scan(ds, output_dir, sample_records=sample_records, all_records=all_records, **options)
    options.setdefault("reports", False)
    request = ScanRequest.of(name, output_dir=output_dir, sample_records=sample_records, all_records=all_records,
                             **options)
    # With a known-works registry the text columns are read too (every text item is checked).
    source = DatasetObjectSource(ds, name, sample_records=sample_records, all_records=all_records,
                                 text=bool(options.get("registry")))
    return run_scan(request, source=source).result


# -- filtering -------------------------------------------------------------------------------


class _Decider:
    """Keep or drop one record from its license value and URL; the reason names the rule."""

    def __init__(self, base: str | None, use: str, optout: frozenset[str]) -> None:
        self.base = base
        self.allowed = ALLOWED_FOR_USE[use]
        self.optout = optout
        self._by_value: dict[str, str | None] = {}

    def license_reason(self, value: Any) -> str | None:
        text = " AND ".join(str(v) for v in value if v) if isinstance(value, list) else str(value or "").strip()
        if text not in self._by_value:
            if not text:
                lic = self.base
                reason = Rule.UNLICENSED if lic is None else None
            else:
                lic = normalize_license(text).expression
                reason = Rule.UNKNOWN_LICENSE if lic is None else None
            if reason is None and lic is not None and use_class(lic) not in self.allowed:
                reason = Rule.USE_RESTRICTED
            self._by_value[text] = reason
        return self._by_value[text]

    def reason(self, value: Any, url: Any) -> str | None:
        if self.optout and isinstance(url, str):
            host = host_of(url)
            if host and opted_out(host, self.optout):
                return Rule.TDM_OPT_OUT
        return self.license_reason(value)


def _optout_for(result: ScanResult, optout: Iterable[str] | str | Path | None) -> frozenset[str]:
    if isinstance(optout, (str, Path)):
        return load_optout(optout)
    if optout is not None:
        return frozenset(optout)
    recorded = result.parameters.get("optout_domains")
    if isinstance(recorded, dict) and recorded.get("file") and Path(recorded["file"]).is_file():
        return load_optout(recorded["file"])
    return frozenset()


def filter_dataset(ds: Any, result: ScanResult, *,
                   optout_domains: Iterable[str] | str | Path | None = None) -> tuple[Any, dict[str, int]]:
    """The dataset without the records that fail the scan's policy, and how many were dropped and why.

    A record fails when its URL's domain is on the opt-out list (`tdm-opt-out`), when it has no
    license value and the dataset declares none (`unlicensed`), when its value is not identified
    (`unknown-license`), or when its license does not allow the scan's use (`use-restricted`); the
    first of these counts. For an IterableDataset the counts fill in as the returned dataset is iterated."""
    import datasets  # optional extra (hf)

    optout = _optout_for(result, optout_domains)
    counts: Counter[str] = Counter()
    if isinstance(ds, (datasets.DatasetDict, datasets.IterableDatasetDict)):
        kind = type(ds)
        return kind({k: _filter(v, result, optout, counts) for k, v in ds.items()}), counts
    splits_of(ds)  # raises the clear error for anything else
    return _filter(ds, result, optout, counts), counts


def _filter(ds: Any, result: ScanResult, optout: frozenset[str], counts: Counter[str]) -> Any:
    import datasets  # optional extra (hf)

    decide = _Decider(_base_license(ds, result), result.verdict.use, optout)
    names = list(ds.column_names or [])
    lic_col = next(iter(license_columns(names)), None)
    url_col = next(iter(url_columns(names)), None)
    if isinstance(ds, datasets.IterableDataset):

        def keep(record: dict[str, Any]) -> bool:
            reason = decide.reason(record.get(lic_col) if lic_col else None, record.get(url_col) if url_col else None)
            if reason:
                counts[reason] += 1
            return reason is None

        return ds.filter(keep)
    columns = [c for c in (lic_col, url_col) if c]
    if not columns:
        reason = decide.reason(None, None)
        if reason:
            counts[reason] += ds.num_rows
            return ds.select([])
        return ds
    keep_rows: list[int] = []
    offset = 0
    dropped = 0
    for table in ds.select_columns(columns).with_format("arrow").iter(batch_size=ARROW_BATCH_ROWS):
        lic_values = table.column(lic_col).to_pylist() if lic_col else [None] * table.num_rows
        url_values = table.column(url_col).to_pylist() if url_col else [None] * table.num_rows
        for i, (value, url) in enumerate(zip(lic_values, url_values, strict=True)):
            reason = decide.reason(value, url)
            if reason:
                counts[reason] += 1
                dropped += 1
            else:
                keep_rows.append(offset + i)
        offset += table.num_rows
    return ds.select(keep_rows) if dropped else ds


def _base_license(ds: Any, result: ScanResult) -> str | None:
    """The dataset-level license: the object's `info.license`, else the one the scan saw declared
    (streaming conversions drop `info`)."""
    text = (ds.info.license or "").strip() if ds.info else ""
    if not text and len(result.sources) == 1:
        details = result.sources[0].get("details") or {}
        card = details.get("card") or {}
        text = str(details.get("info_license") or (card.get("license") if isinstance(card, dict) else "") or "")
    return card_license({"license": text}) if text else None


class RecordFilter:
    """The keep-or-drop decision of `filter_dataset` for records that are not in a `datasets`
    object (Ray Data batches, pandas frames, plain Arrow): give each record's license value (and
    URL) and the license it inherits when it has none, get back why it is dropped (None: kept)."""

    def __init__(self, result: ScanResult, *, optout_domains: Iterable[str] | str | Path | None = None) -> None:
        self.use = result.verdict.use
        self.optout = _optout_for(result, optout_domains)
        self._deciders: dict[str | None, _Decider] = {}

    def reason(self, license_value: Any, url: Any = None, inherited: str | None = None) -> str | None:
        """`inherited`: the SPDX expression a record without a value of its own gets (its file's
        folder or declared license); None means such a record is unlicensed."""
        decider = self._deciders.get(inherited)
        if decider is None:
            decider = self._deciders[inherited] = _Decider(inherited, self.use, self.optout)
        return decider.reason(license_value, url)

    def reasons(self, licenses: Iterable[Any], urls: Iterable[Any] | None = None,
                inherited: Iterable[str | None] | str | None = None) -> list[str | None]:
        values = list(licenses)
        url_list = list(urls) if urls is not None else [None] * len(values)
        bases = [inherited] * len(values) if inherited is None or isinstance(inherited, str) else list(inherited)
        return [self.reason(v, u, b) for v, u, b in zip(values, url_list, bases, strict=True)]
