"""Images embedded in Hugging Face tables become member assets with their record's license."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import datasets
import pyarrow.parquet as pq
from PIL import Image

from provenance.analysis.context import Limits
from provenance.api import ScanRequest, scan, scan_options
from provenance.scanner import Scanner
from provenance.sources.archive_reader import ArchiveLimits
from provenance.sources.local import LocalSource


def image_dataset(n: int = 3) -> datasets.Dataset:
    images = [Image.new("RGB", (6, 6), (i * 60, 0, 0)) for i in range(n)]
    licenses = ["cc-by-4.0", "cc-by-nc-4.0", None][:n] + ["mit"] * max(0, n - 3)
    return datasets.Dataset.from_dict(
        {"image": images, "license": licenses, "url": [f"https://s{i}.com/i.png" for i in range(n)]},
        features=datasets.Features({"image": datasets.Image(), "license": datasets.Value("string"),
                                    "url": datasets.Value("string")}))


def rows(out: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    return {r["path"]: r for r in pq.read_table(out / "assets.parquet").to_pylist()}


def test_parquet_images_are_members_with_record_licenses(tmp_path: Path, hub_env: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "README.md").write_text("---\nlicense: cc0-1.0\n---\n")
    image_dataset().to_parquet(str(corpus / "train.parquet"))
    out = tmp_path / "out"
    scan(corpus, out)
    table = rows(out)
    members = sorted(p for p in table if p.startswith("train.parquet!"))
    assert members == ["train.parquet!00000000.png", "train.parquet!00000001.png", "train.parquet!00000002.png"]
    assert table["train.parquet!00000000.png"]["kind"] == "image"
    assert table["train.parquet!00000000.png"]["license"] == "CC-BY-4.0"
    assert "use-restricted" in table["train.parquet!00000001.png"]["findings"]
    assert table["train.parquet!00000002.png"]["license"] == "CC0-1.0"  # no value: the card's license
    first = pq.read_table(corpus / "train.parquet").column("image")[0].as_py()["bytes"]
    assert table["train.parquet!00000000.png"]["sha256"] == hashlib.sha256(first).hexdigest()
    facts = json.loads(table["train.parquet!00000001.png"]["facts_json"])
    assert facts["record"]["domain:s1.com"] == 1
    # The table keeps its own findings: it is data, not a container.
    assert "use-restricted" in table["train.parquet"]["findings"]
    assert table["train.parquet"]["records"] == 3


def test_embedded_limit_and_saved_arrow(tmp_path: Path, hub_env: Path) -> None:
    folder = tmp_path / "saved"
    image_dataset(5).save_to_disk(str(folder))
    out = tmp_path / "out"
    opts = scan_options(ScanRequest(folder, limits=Limits(archives=ArchiveLimits(max_embedded=2))))
    result = Scanner(LocalSource(folder), opts).run(out)
    media = [p for p in rows(out) if "!" in p]
    assert len(media) == 2 and all(p.endswith(".png") for p in media)
    # The sample is said, as a warning of its own that does not count as a read error.
    group = next(g for g in result.findings if g.rule == "partially-checked")
    assert group.severity.value == "warning" and group.assets == 1
    assert not result.errors and result.verdict.status.value != "incomplete"


def test_tables_without_media_have_no_members(tmp_path: Path, hub_env: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    datasets.Dataset.from_dict({"text": ["a"], "license": ["mit"]}).to_parquet(str(corpus / "t.parquet"))
    scan(corpus, tmp_path / "out")
    assert list(rows(tmp_path / "out")) == ["t.parquet"]


def test_undecodable_image_bytes_are_still_members(tmp_path: Path, hub_env: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    import pyarrow as pa

    table = pa.table({"image": [{"bytes": b"\x89PNG broken", "path": None}], "license": ["mit"]})
    pq.write_table(table, corpus / "x.parquet")
    scan(corpus, tmp_path / "out")
    got = rows(tmp_path / "out")
    assert got["x.parquet!00000000.png"]["license"] == "MIT"


def test_scan_dataset_object_with_images(tmp_path: Path, hub_env: Path) -> None:
    from provenance.datasets_api import scan_dataset

    out = tmp_path / "out"
    scan_dataset(image_dataset(3), name="imgs", output_dir=out)
    table = rows(out)
    assert table["data.arrow"]["records"] == 3
    assert table["data.arrow!00000001.png"]["license"] == "CC-BY-NC-4.0"
    assert table["data.arrow!00000000.png"]["kind"] == "image"


def test_dataset_object_media_are_a_sample(hub_env: Path) -> None:
    import pyarrow as pa

    from provenance.sources.datasets_object import arrow_stream

    table = pa.ipc.open_stream(arrow_stream(image_dataset(3), media_limit=1)).read_all()
    assert table.num_rows == 3 and table.column("image").null_count == 2
    assert table.column("license").to_pylist() == ["cc-by-4.0", "cc-by-nc-4.0", None]
