"""RecordFilter: filter_dataset's decision for records outside `datasets` (Ray Data, Arrow)."""

from __future__ import annotations

from pathlib import Path

import pytest

import provenance
from provenance.datasets_api import RecordFilter
from provenance.model import Rule


def test_record_filter_agrees_with_filter_dataset(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    values = ["cc-by-4.0", "cc-by-nc-4.0", None, "who knows", "mit"]
    ds = datasets.Dataset.from_dict({"text": [f"r{i}" for i in range(5)], "license": values})
    result = provenance.scan_dataset(ds, name="demo", output_dir=tmp_path / "out")
    kept, _ = provenance.filter_dataset(ds, result)
    gate = RecordFilter(result)
    reasons = gate.reasons(values)
    assert reasons == [None, Rule.USE_RESTRICTED, Rule.UNLICENSED, Rule.UNKNOWN_LICENSE, None]
    assert [v for v, r in zip(values, reasons, strict=True) if r is None] == kept["license"]
    # A record without a value inherits what it is given; the inherited license is judged too.
    assert gate.reasons([None, None], inherited=["CC-BY-4.0", "CC-BY-NC-4.0"]) == [None, Rule.USE_RESTRICTED]
    assert gate.reason(None, inherited="CC-BY-4.0") is None
    # An opted-out domain drops the record whatever its license.
    optout = RecordFilter(result, optout_domains=["blocked.example"])
    assert optout.reasons(["mit", "mit"], urls=["https://blocked.example/a", "https://ok.example/b"]) == [
        Rule.TDM_OPT_OUT, None]
