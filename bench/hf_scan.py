"""Benchmarks for Hugging Face data and archives; prints figures and ratios against named baselines.

1. Per-record license counting on a local Parquet dataset of several million rows
   (RecordLicenseDetector) against pyarrow reading the same column alone. Aim: at least 0.5.
2. Members/s on WebDataset shards (analyze_archive: hashing, detectors, sidecar linking)
   against Python's tarfile streaming the same members and reading their bytes.

    PYTHONPATH=. python bench/hf_scan.py [--rows 3000000] [--shards 2 --samples 5000]
"""

from __future__ import annotations

import argparse
import io
import json
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from provenance.analysis.archives import analyze_archive
from provenance.analysis.context import Limits, WorkContext
from provenance.detectors import default_detectors
from provenance.detectors.interface import AssetContent
from provenance.detectors.records import RecordLicenseDetector
from provenance.detectors.urls import UrlDomainDetector
from provenance.model import Asset, AssetKind
from provenance.sources.interface import Entry
from provenance.sources.local import LocalSource, open_regular

LICENSES = ["cc-by-4.0", "cc-by-sa-4.0", "cc0-1.0", "cc-by-nc-4.0", "mit", "", "apache-2.0", "CC BY 4.0"]


def best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def make_parquet(path: Path, rows: int) -> None:
    chunk = 500_000
    schema = pa.schema([("text", pa.string()), ("license", pa.string()), ("url", pa.string())])
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            idx = [(start + i) * 7919 % len(LICENSES) for i in range(n)]
            writer.write_table(pa.table({
                "text": [f"record {start + i}" for i in range(n)],
                "license": [LICENSES[j] for j in idx],
                "url": [f"https://site{j}.example.com/p/{start + i}" for i, j in enumerate(idx)],
            }, schema=schema), row_group_size=128_000)


def bench_parquet(folder: Path, rows: int) -> None:
    path = folder / "train.parquet"
    make_parquet(path, rows)
    asset = Asset(path="train.parquet", kind=AssetKind.TABLE, size=path.stat().st_size, source="bench")
    content = AssetContent(asset, b"", False, lambda: open_regular(str(path)), path)

    def baseline() -> None:
        for _ in pq.ParquetFile(path).iter_batches(columns=["license"], batch_size=65536):
            pass

    detector = RecordLicenseDetector()
    out = detector.detect(content)
    assert out.records == rows, out
    t_base = best(baseline)
    t_ours = best(lambda: detector.detect(content))
    domains = UrlDomainDetector()
    t_dom = best(lambda: domains.detect(content))
    print(f"parquet: {rows:,} rows, {path.stat().st_size / 2**20:.1f} MiB")
    print(f"  baseline pyarrow read of 'license' alone : {rows / t_base / 1e6:8.2f} M records/s ({t_base:.3f} s)")
    print(f"  per-record license counting (records)    : {rows / t_ours / 1e6:8.2f} M records/s ({t_ours:.3f} s)"
          f"  ratio {t_base / t_ours:.2f} (aim >= 0.50)")
    print(f"  URL domain counting (url-domains)        : {rows / t_dom / 1e6:8.2f} M records/s ({t_dom:.3f} s)"
          f"  ratio {t_base / t_dom:.2f}")


def make_shard(path: Path, samples: int) -> int:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (120, 30, 200)).save(buf, format="JPEG")
    with tarfile.open(path, "w") as tf:
        for i in range(samples):
            key = f"{i:06d}"
            for ext, data in (("jpg", buf.getvalue()),
                              ("json", json.dumps({"license": LICENSES[i % len(LICENSES)],
                                                   "url": f"https://s{i % 50}.example.org/{i}.jpg",
                                                   "caption": "a photo"}).encode()),
                              ("txt", b"a photo of something")):
                info = tarfile.TarInfo(f"{key}.{ext}")
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return samples * 3


def bench_shards(folder: Path, shards: int, samples: int) -> None:
    corpus = folder / "shards"
    corpus.mkdir()
    members = sum(make_shard(corpus / f"shard-{s:04d}.tar", samples) for s in range(shards))
    paths = sorted(corpus.iterdir())

    def baseline() -> None:
        for p in paths:
            with tarfile.open(p, "r|") as tf:
                for info in tf:
                    stream = tf.extractfile(info)
                    if stream is not None:
                        stream.read()

    source = LocalSource(corpus)
    ctx = WorkContext(source, tuple(default_detectors()), Limits())
    entries = [e for e in source.entries() if isinstance(e, Entry)]

    def ours() -> None:
        for entry in entries:
            done = analyze_archive(ctx, entry)
            assert len(done.members) == samples * 3, done.problems

    t_base = best(baseline)
    t_ours = best(ours, repeat=2)
    print(f"webdataset: {shards} shard(s) x {samples:,} samples = {members:,} members")
    print(f"  baseline tarfile stream + read           : {members / t_base:10,.0f} members/s ({t_base:.3f} s)")
    print(f"  analyze_archive (hash, detectors, links) : {members / t_ours:10,.0f} members/s ({t_ours:.3f} s)"
          f"  ratio {t_base / t_ours:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--samples", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hf-bench-") as tmp:
        bench_parquet(Path(tmp), args.rows)
        bench_shards(Path(tmp), args.shards, args.samples)


if __name__ == "__main__":
    main()
