"""scan_dataset / filter_dataset on real `datasets` objects."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from provenance.cli.scan import scan as scan_cmd
from provenance.datasets_api import filter_dataset, scan_dataset
from provenance.errors import ConfigError
from tests.hubcache import TOKEN_MARKER

LICENSES = ["cc-by-4.0", "cc-by-nc-4.0", "", "not a license", "mit", None]
URLS = ["https://a.com/1", "https://blocked.org/2", "https://a.com/3", "https://b.com/4", "https://x.blocked.org/5",
        "https://c.com/6"]


def make(license: str | None = "cc-by-4.0") -> datasets.Dataset:
    info = datasets.DatasetInfo(license=license) if license else datasets.DatasetInfo()
    return datasets.Dataset.from_dict({"text": [f"t{i}" for i in range(6)], "license": LICENSES, "url": URLS},
                                      info=info)


def rows(out: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    return {r["path"]: r for r in pq.read_table(out / "assets.parquet").to_pylist()}


def test_scan_dataset_counts_record_licenses(tmp_path: Path, hub_env: Path) -> None:
    out = tmp_path / "out"
    result = scan_dataset(make(), name="mine", output_dir=out)
    row = rows(out)["data.arrow"]
    assert row["records"] == 6
    values = {r["value"]: r["count"] for r in json.loads(row["record_licenses_json"]) if r["count"]}
    assert values == {"cc-by-4.0": 1, "cc-by-nc-4.0": 1, "": 2, "not a license": 1, "mit": 1}
    assert "use-restricted" in row["findings"] and "unknown-license" in row["findings"]
    facts = json.loads(row["facts_json"])["url-domains"]
    assert facts["domain:a.com"] == 2
    assert result.sources[0]["name"] == "mine" and result.sources[0]["kind"] == "datasets"
    assert not result.passed


def test_scan_datasetdict_and_info_license(tmp_path: Path, hub_env: Path) -> None:
    plain = datasets.Dataset.from_dict({"text": ["a", "b"]}, info=datasets.DatasetInfo(license="apache-2.0"))
    dd = datasets.DatasetDict(train=plain, test=plain.select([0]))
    out = tmp_path / "out"
    result = scan_dataset(dd, name="dd", output_dir=out)
    table = rows(out)
    assert table["train.arrow"]["license"] == "Apache-2.0" and table["train.arrow"]["records"] == 2
    assert table["test.arrow"]["records"] == 1
    assert result.passed


def test_iterable_dataset_is_sampled(tmp_path: Path, hub_env: Path) -> None:
    big = datasets.Dataset.from_dict({"license": ["mit"] * 50, "text": ["x"] * 50})
    stream = big.to_iterable_dataset()
    out = tmp_path / "a"
    scan_dataset(stream, name="s", output_dir=out, sample_records=10)
    assert rows(out)["data.jsonl"]["records"] == 10
    out = tmp_path / "b"
    result = scan_dataset(stream, name="s", output_dir=out, all_records=True)
    assert rows(out)["data.jsonl"]["records"] == 50
    assert result.parameters["all_records"] is True


def test_scan_dataset_accepts_saved_folder(tmp_path: Path, hub_env: Path) -> None:
    folder = tmp_path / "saved"
    make().save_to_disk(str(folder))
    out = tmp_path / "out"
    result = scan_dataset(folder, output_dir=out)
    assert result.sources[0]["kind"] == "datasets-saved"
    assert result.sources[0]["details"]["format"] == "save_to_disk"
    table = rows(out)
    assert table["dataset_info.json"]["license"] == "CC-BY-4.0"  # the license the saved info declares
    # The saved records themselves are read: the same counts as scanning the in-memory dataset.
    (path,) = [p for p, r in table.items() if r["records"] is not None]
    row = table[path]
    assert path.endswith(".arrow") and row["records"] == 6
    values = {r["value"]: r["count"] for r in json.loads(row["record_licenses_json"]) if r["count"]}
    assert values == {"cc-by-4.0": 1, "cc-by-nc-4.0": 1, "": 2, "not a license": 1, "mit": 1}
    assert "use-restricted" in row["findings"] and not result.passed


def test_filter_dataset_drops_failing_records(tmp_path: Path, hub_env: Path) -> None:
    ds = make()
    result = scan_dataset(ds, name="mine", output_dir=tmp_path / "out")
    kept, dropped = filter_dataset(ds, result, optout_domains=["blocked.org"])
    # row 1 blocked (also NC), row 3 unknown value, row 4 blocked; rows 0, 2 (inherits CC-BY), 5 (inherits) kept
    assert kept["text"] == ["t0", "t2", "t5"]
    assert dropped == {"tdm-opt-out": 2, "unknown-license": 1}
    kept, dropped = filter_dataset(ds, result)
    assert dropped == {"use-restricted": 1, "unknown-license": 1}
    assert len(kept) == 4


def test_filter_without_dataset_license_and_research_use(tmp_path: Path, hub_env: Path) -> None:
    ds = make(license=None)
    result = scan_dataset(ds, name="mine", output_dir=tmp_path / "out", use="research")
    kept, dropped = filter_dataset(ds, result)
    assert dropped == {"unlicensed": 2, "unknown-license": 1}  # NC is fine for research
    assert kept["text"] == ["t0", "t1", "t4"]


def test_filter_iterable_and_dict(tmp_path: Path, hub_env: Path) -> None:
    ds = make()
    result = scan_dataset(ds, name="mine", output_dir=tmp_path / "out")
    kept, dropped = filter_dataset(ds.to_iterable_dataset(), result)
    assert [r["text"] for r in kept] == ["t0", "t2", "t4", "t5"]
    assert dropped == {"use-restricted": 1, "unknown-license": 1}
    kept, dropped = filter_dataset(datasets.DatasetDict(a=ds, b=ds), result)
    assert len(kept["a"]) == 4 and dropped == {"use-restricted": 2, "unknown-license": 2}


def test_filter_uses_the_scans_optout_file(tmp_path: Path, hub_env: Path) -> None:
    listing = tmp_path / "optout.txt"
    listing.write_text("blocked.org\n")
    ds = make()
    result = scan_dataset(ds, name="mine", output_dir=tmp_path / "out", optout_domains=listing)
    assert result.parameters["optout_domains"]["domains"] == 1
    assert ("tdm-opt-out", 1) in result.verdict.failed
    _, dropped = filter_dataset(ds, result)
    assert dropped["tdm-opt-out"] == 2


def test_not_a_dataset_is_a_clear_error(tmp_path: Path, hub_env: Path) -> None:
    with pytest.raises(ConfigError):
        scan_dataset([1, 2, 3], output_dir=tmp_path / "out")


def test_cli_optout_on_hub_cache(tmp_path: Path, hub_env: Path) -> None:
    listing = tmp_path / "optout.txt"
    listing.write_text("blocked.org\n")
    out = tmp_path / "cli"
    res = CliRunner().invoke(scan_cmd, [str(hub_env), "-o", str(out), "--optout-domains", str(listing), "-q"])
    assert res.exit_code == 1
    data = json.loads((out / "scan.json").read_text())
    assert data["summary"]["findings_by_rule"]["tdm-opt-out"] == 3  # acme/images' table and 2 of its images
    assert TOKEN_MARKER not in (out / "scan.json").read_text()
