"""Reruns give the same bytes: the same corpus scanned twice, in fresh processes with other hash
seeds, into other output folders and without the cache, writes an identical assets.parquet (rows
are written in walk order, in row groups of a fixed size) and, with SOURCE_DATE_EPOCH fixing the
scan time, an identical scan.json."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tests.imgfixtures import encode, make_photo

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z


def _zip(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in members.items():
            zf.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), text)
    return buf.getvalue()


def _parquet(rows: list[dict]) -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buf)
    return buf.getvalue()


def _varied_corpus(tree) -> Path:
    """Folder evidence at several levels, tables with per-record licenses, personal data, an image,
    an archive, a conflict, unreadable and empty files: every column of assets.parquet has values."""
    jsonl = "".join(json.dumps({"id": i, "text": f"page {i}, call 1380013{i:04d}",
                                "url": f"https://site{i % 3}.example.com/p/{i}",
                                "license": ["cc-by-4.0", "cc0-1.0", "N/A"][i % 3]}) + "\n" for i in range(30))
    return tree({
        "LICENSE": "Released under the MIT License.\n",
        "web/README.md": "---\nlicense: cc-by-nc-4.0\n---\n# Web pages\n",
        "web/pages.jsonl": jsonl,
        "web/table.csv": "text,license\n" + "".join(f"row {i},{'mit' if i % 2 else 'cc-by-sa-4.0'}\n"
                                                     for i in range(20)),
        "web/bundle.zip": _zip({"a.txt": "archived text a\n", "b/c.txt": "archived text c\n"}),
        "books/b.parquet": _parquet([{"text": f"book row {i}", "license": "cc-by-4.0"} for i in range(15)]),
        "books/notes.md": "All rights reserved.\n\nNotes on the books, e-mail someone@example.org\n",
        "code/tool.py": "# SPDX-License-Identifier: Apache-2.0\nprint('hello')\n",
        "conflict/LICENSE": "Released under the GNU General Public License v3.0.\n",
        "conflict/README.md": "---\nlicense: mit\n---\n",
        "conflict/sketch.txt": "a sketch\n",
        "images/photo.png": encode(make_photo(5), "PNG"),
        "bad.bin": b"\x00\x01\x02binary",
        "broken.parquet": b"PAR1 not really a table PAR1",
        "empty.txt": "",
    })


def _scan(corpus: Path, out: Path, hash_seed: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONHASHSEED": hash_seed}
    return subprocess.run([sys.executable, "-m", "provenance", "scan", str(corpus), "-o", str(out), "--no-cache",
                           "--no-reports", "-q"], env=env, capture_output=True, text=True, timeout=600)


def test_rescans_write_byte_identical_assets_parquet_and_scan_json(tree, tmp_path: Path) -> None:
    corpus = _varied_corpus(tree)
    first = _scan(corpus, tmp_path / "first", "1")
    second = _scan(corpus, tmp_path / "second" / "nested", "2")
    assert first.returncode == second.returncode == 1, first.stderr  # the gate fails (conflict, unlicensed)
    a, b = tmp_path / "first" / "assets.parquet", tmp_path / "second" / "nested" / "assets.parquet"
    table = pq.read_table(a)
    assert table.num_rows >= 15 and "web/bundle.zip!b/c.txt" in table.column("path").to_pylist()
    assert table.column("error").null_count < table.num_rows  # broken.parquet
    if a.read_bytes() != b.read_bytes():
        other = pq.read_table(b)
        differing = [n for n in table.column_names if not table.column(n).equals(other.column(n))]
        raise AssertionError(f"assets.parquet differs between reruns; columns that differ: {differing}"
                             f"; key-value metadata {pq.read_schema(a).metadata} vs {pq.read_schema(b).metadata}")
    scan_a = (tmp_path / "first" / "scan.json").read_text(encoding="utf-8")
    scan_b = (tmp_path / "second" / "nested" / "scan.json").read_text(encoding="utf-8")
    assert json.loads(scan_a)["created"] == "2026-01-01T00:00:00Z"
    assert scan_a == scan_b
