"""`provenance diff` on two outputs of a million assets each: time and peak RSS, against the floor
of reading the same columns of both assets.parquet files.

    python bench/diff_million.py [--assets 1000000]

The old output is made by a real scan of a tiny corpus whose assets.parquet is then replaced by
synthetic rows of the same schema (paths like those of a crawled corpus, a few licenses, findings
on a tenth of the assets); the new one removes 1%, adds 1%, relicenses 2% and moves 1% to a
stricter use class. Each measurement runs in its own process (peak RSS = its VmHWM).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import provenance
from provenance.results import ASSET_SCHEMA, ASSETS_PARQUET

LICENSES = [("CC-BY-4.0", "commercial"), ("MIT", "commercial"), ("CC-BY-NC-4.0", "non-commercial"),
            ("Apache-2.0", "commercial"), (None, "unknown")]


def rows(n: int, seed: int, shift: int = 0) -> pa.Table:
    rng = np.random.default_rng(seed)
    ids = np.arange(shift, shift + n)
    paths = [f"crawl/site-{i % 997:03d}/2024/{i // 997:05d}/page-{i:08d}.jsonl" for i in ids]
    pick = rng.integers(0, len(LICENSES), n)
    lic = [LICENSES[k][0] for k in pick]
    use = [LICENSES[k][1] for k in pick]
    findings = [["unlicensed"] if lic[i] is None else (["attribution-required"] if i % 10 == 0 else [])
                for i in range(n)]
    cols = {
        "path": paths, "source": [p.split("/", 1)[0] for p in paths], "kind": ["table"] * n,
        "size": rng.integers(100, 100_000, n), "mtime_ns": [0] * n, "sha256": [None] * n, "sha1": [None] * n,
        "license": lic, "use_class": use, "license_source": [""] * n, "findings": findings,
        "findings_json": ["[]"] * n, "evidence_json": ["[]"] * n, "error": [None] * n, "records": [None] * n,
        "record_licenses_json": ["[]"] * n, "facts_json": ["{}"] * n,
    }
    return pa.Table.from_pydict(cols, schema=ASSET_SCHEMA)


def changed(table: pa.Table, n: int) -> pa.Table:
    """1% removed, 1% added, 2% relicensed, 1% of those to a stricter class."""
    keep = table.slice(n // 100)
    lic = keep.column("license").to_pylist()
    use = keep.column("use_class").to_pylist()
    for i in range(0, len(lic), 50):
        lic[i], use[i] = ("CC-BY-NC-4.0", "non-commercial") if i % 100 == 0 else ("CC0-1.0", "commercial")
    keep = keep.set_column(keep.schema.get_field_index("license"), "license", pa.array(lic, pa.string()))
    keep = keep.set_column(keep.schema.get_field_index("use_class"), "use_class", pa.array(use, pa.string()))
    return pa.concat_tables([keep, rows(n // 100, 9, shift=n)])


def output(root: Path, name: str, table: pa.Table) -> Path:
    corpus = root / f"corpus-{name}"
    corpus.mkdir()
    (corpus / "a.txt").write_text("x\n")
    out = root / name
    provenance.scan(corpus, out, reports=False, cache=False)
    pq.write_table(table, out / ASSETS_PARQUET, compression="zstd", row_group_size=65536)
    return out


CHILD = """
import resource, sys, time
start = time.perf_counter()
{body}
elapsed = time.perf_counter() - start
peak = 0
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        peak = int(line.split()[1]) // 1024
print(f"{{elapsed:.2f}} {{peak}}")
"""

FLOOR = """
import pyarrow.parquet as pq
cols = ["source", "path", "size", "license", "use_class", "findings"]
a = pq.read_table(sys.argv[1] + "/assets.parquet", columns=cols)
b = pq.read_table(sys.argv[2] + "/assets.parquet", columns=cols)
"""

DIFF = """
from provenance.diff import diff_scans, to_markdown
d = diff_scans(sys.argv[1], sys.argv[2])
text = to_markdown(d)
assert d.worse
"""

ONE_PASS = """
from provenance.diff import diff_scans, to_markdown
d = diff_scans(sys.argv[1], sys.argv[2], bucket_rows=10**12)
text = to_markdown(d)
assert d.worse
"""

IMPORTS = """
import provenance.diff
"""


def measure(body: str, old: Path, new: Path) -> tuple[float, int]:
    out = subprocess.run([sys.executable, "-c", CHILD.format(body=body), str(old), str(new)], capture_output=True,
                         text=True, check=True)
    seconds, peak = out.stdout.split()
    return float(seconds), int(peak)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=1_000_000)
    args = parser.parse_args()
    n = args.assets
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        before = rows(n, 1)
        old = output(root, "old", before)
        new = output(root, "new", changed(before, n))
        del before
        sizes = [(p / ASSETS_PARQUET).stat().st_size / 1e6 for p in (old, new)]
        print(f"built two outputs of {n:,} assets in {time.perf_counter() - t0:.0f} s "
              f"(assets.parquet {sizes[0]:.0f} MB and {sizes[1]:.0f} MB)")
        results = {name: measure(body, old, new) for name, body in
                   (("python + pyarrow + provenance imported", IMPORTS), ("read both tables (floor)", FLOOR),
                    ("provenance diff (buckets of 100k assets)", DIFF),
                    ("provenance diff (one pass, no buckets)", ONE_PASS))}
    for name, (seconds, peak) in results.items():
        print(f"{name:<44} {seconds:6.2f} s  peak RSS {peak:5d} MB")
    print(json.dumps({k: {"seconds": v[0], "peak_mb": v[1]} for k, v in results.items()}))


if __name__ == "__main__":
    main()
