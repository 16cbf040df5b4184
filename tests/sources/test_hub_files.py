"""Remote data files are sampled through `datasets` streaming. The Hub is unreachable in tests, so the
same code path runs over the cached snapshot's files (what `datasets` reads is a local path there)."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from provenance.api import ScanRequest, scan, scan_options
from provenance.scanner import Scanner
from provenance.sources.huggingface import HubDatasetSource, HubRef, Sampling, resolve_cached, sample_records
from provenance.sources.interface import Entry, Skipped
from tests.hubcache import add_dataset, card, parquet_bytes


def as_remote(cache: Path, repo_id: str) -> HubDatasetSource:
    resolved = resolve_cached(HubRef(repo_id), cache)
    return HubDatasetSource(replace(resolved, origin="hub"), sampling=Sampling(records=2))


def test_sample_records_reads_licensing_fields_and_raw_media(hub_env: Path) -> None:
    snap = resolve_cached(HubRef("acme/images"), hub_env)
    files = [f.handle for f in snap.files if f.path.endswith(".parquet")]
    table = pq.read_table(io.BytesIO(sample_records(files, 3, media_limit=2)))
    assert table.column("license").to_pylist() == ["cc-by-4.0", "cc-by-nc-4.0", "cc0-1.0"]
    assert table.column("url").to_pylist()[2] == "http://blocked.org/x.png"
    images = table.column("image").to_pylist()
    assert images[0]["bytes"].startswith(b"\x89PNG") and images[2] is None  # media only for the first 2
    assert b"Image" in table.schema.metadata[b"huggingface"]
    assert pq.read_table(io.BytesIO(sample_records(files, None))).num_rows == 4


def test_remote_dataset_is_sampled_per_split(hub_env: Path, tmp_path: Path) -> None:
    source = as_remote(hub_env, "acme/images")
    listed = list(source.entries())
    skipped = [e for e in listed if isinstance(e, Skipped)]
    assert [s.path for s in skipped] == ["data/train-00000-of-00001.parquet"]
    assert "sampled" in skipped[0].reason
    out = tmp_path / "out"
    result = Scanner(source, scan_options(ScanRequest(tmp_path))).run(out)
    rows = {r["path"]: r for r in pq.read_table(out / "assets.parquet").to_pylist()}
    sample = rows[".provenance-sample/default/train.parquet"]
    assert sample["records"] == 2
    assert sample["license"] == "CC-BY-4.0 AND CC-BY-NC-4.0"
    assert result.sources[0]["details"]["sampling"]["records_per_split"] == 2
    assert result.verdict.skipped == 1
    # The sampled records' images are members of the sample, with their record's license.
    assert rows[".provenance-sample/default/train.parquet!00000001.png"]["license"] == "CC-BY-NC-4.0"


def test_configs_from_card_and_csv_sample(hub_env: Path, tmp_path: Path) -> None:
    meta = ("license: mit\nconfigs:\n- config_name: en\n  data_files:\n  - split: train\n    path: en/*.csv\n"
            "- config_name: fr\n  data_files: fr/train.parquet")
    add_dataset(hub_env, "acme/multi", {
        "README.md": card(meta),
        "en/part1.csv": b"text,license\nhello,mit\nbye,\n",
        "fr/train.parquet": parquet_bytes(pa.table({"text": ["bonjour"]})),
    })
    source = as_remote(hub_env, "acme/multi")
    paths = [e.asset.path for e in source.entries() if isinstance(e, Entry)]
    assert ".provenance-sample/en/train.parquet" in paths and ".provenance-sample/fr/train.parquet" in paths
    out = tmp_path / "out"
    Scanner(source, scan_options(ScanRequest(tmp_path))).run(out)
    rows = {r["path"]: r for r in pq.read_table(out / "assets.parquet").to_pylist()}
    assert rows[".provenance-sample/en/train.parquet"]["records"] == 2
    assert rows[".provenance-sample/fr/train.parquet"]["records"] == 1
    assert rows[".provenance-sample/fr/train.parquet"]["license"] == "MIT"


def test_cached_datasets_are_read_in_full(hub_env: Path, tmp_path: Path) -> None:
    result = scan("hf://datasets/acme/images", tmp_path / "out", sample_records=1)
    assert result.parameters["sample_records"] == 1
    rows = {r["path"]: r for r in pq.read_table(tmp_path / "out" / "assets.parquet").to_pylist()}
    assert rows["data/train-00000-of-00001.parquet"]["records"] == 4  # local Parquet: every record, column-wise


def test_sample_is_rebuilt_in_a_fresh_copy_of_the_source(hub_env: Path) -> None:
    import pickle

    source = as_remote(hub_env, "acme/images")
    fresh = pickle.loads(pickle.dumps(source))  # as a worker process gets it, before any listing
    entry = next(e for e in source.entries() if isinstance(e, Entry) and e.asset.path.startswith(".provenance"))
    with fresh.open(entry) as stream:
        assert stream.read() == source.open(entry).read()


def test_remote_webdataset_is_sampled_with_its_sidecars(hub_env: Path, tmp_path: Path) -> None:
    from tests.analysis.test_archives import webdataset_shard

    shard = tmp_path / "shard.tar"
    webdataset_shard(shard)
    add_dataset(hub_env, "acme/wds-remote", {"README.md": card("license: mit"),
                                             "train/shard-0000.tar": shard.read_bytes()})
    source = as_remote(hub_env, "acme/wds-remote")
    out = tmp_path / "out"
    Scanner(source, scan_options(ScanRequest(tmp_path))).run(out)
    rows = {r["path"]: r for r in pq.read_table(out / "assets.parquet").to_pylist()}
    assert rows[".provenance-sample/default/train.parquet"]["records"] == 2
    assert rows[".provenance-sample/default/train.parquet!00000001.jpg"]["license"] == "CC-BY-NC-4.0"
    assert "train/shard-0000.tar" not in rows  # sampled, not downloaded
