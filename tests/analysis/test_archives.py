"""Archives member by member: WebDataset shards, zip/tar/tar.gz, bombs, traversal, nesting."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import tarfile
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from provenance.analysis.context import Limits
from provenance.api import ScanRequest, scan_options
from provenance.detectors import default_detectors
from provenance.detectors.urls import with_optout
from provenance.scanner import Scanner
from provenance.sources.archive_reader import ArchiveLimits, sample_key, traversal
from provenance.sources.local import LocalSource
from tests.hubcache import jpeg_bytes

MIT_CARD = b"---\nlicense: mit\n---\n# inside\n"


def add(tf: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tf.addfile(info, io.BytesIO(data))


def webdataset_shard(path: Path, samples: int = 3) -> None:
    licenses = ["cc-by-4.0", "cc-by-nc-4.0", "cc0-1.0"]
    with tarfile.open(path, "w") as tf:
        for i in range(samples):
            key = f"{i:06d}"
            add(tf, f"{key}.jpg", jpeg_bytes(i))
            meta = {"license": licenses[i % 3], "url": f"https://www.site{i % 3}.com/{i}.jpg", "caption": "a cat"}
            add(tf, f"{key}.json", json.dumps(meta).encode())
            add(tf, f"{key}.txt", b"a cat")


def run(corpus: Path, out: Path, *, limits: Limits | None = None, optout: tuple[str, ...] = ()) -> dict[str, Any]:
    opts = scan_options(ScanRequest(corpus, limits=limits))
    if optout:
        opts = replace(opts, detectors=tuple(with_optout(default_detectors(), optout)))
    result = Scanner(LocalSource(corpus), opts).run(out)
    rows = {r["path"]: r for r in pq.read_table(out / "assets.parquet").to_pylist()}
    return {"result": result, "rows": rows}


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_sample_key_and_traversal() -> None:
    assert sample_key("shards/000123.seg.png") == ("shards/000123", "seg.png")
    for bad in ("../x", "a/../../x", "/etc/passwd", "C:\\x", "..\\x", ""):
        assert traversal(bad), bad
    assert not traversal("a/b..c/d.txt")


def test_webdataset_sidecar_license_per_sample(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    webdataset_shard(corpus / "shard-0001.tar")
    before = listing(tmp_path)
    got = run(corpus, tmp_path / "out", optout=("site1.com",))
    rows = got["rows"]
    assert rows["shard-0001.tar!000000.jpg"]["license"] == "CC-BY-4.0"
    assert rows["shard-0001.tar!000001.jpg"]["license"] == "CC-BY-NC-4.0"
    assert "use-restricted" in rows["shard-0001.tar!000001.jpg"]["findings"]
    assert rows["shard-0001.tar!000002.txt"]["license"] == "CC0-1.0"
    assert "tdm-opt-out" in rows["shard-0001.tar!000001.jpg"]["findings"]
    assert "tdm-opt-out" not in rows["shard-0001.tar!000000.jpg"]["findings"]
    facts = json.loads(rows["shard-0001.tar!000000.jpg"]["facts_json"])
    assert facts["webdataset"]["domain:site0.com"] == 1
    archive = json.loads(rows["shard-0001.tar"]["facts_json"])["archive"]
    assert archive["members"] == 9 and archive["samples"] == 3
    assert rows["shard-0001.tar"]["sha256"] and rows["shard-0001.tar!000000.jpg"]["sha256"]
    # Nothing was extracted: only the output folder is new.
    assert [p for p in listing(tmp_path) if not p.startswith("out")] == before


def test_license_inside_zip_covers_its_members(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "README.md").write_bytes(b"---\nlicense: cc-by-nc-4.0\n---\n")
    with zipfile.ZipFile(corpus / "bundle.zip", "w") as zf:
        zf.writestr("docs/README.md", MIT_CARD)
        zf.writestr("docs/a.txt", "hello")
        zf.writestr("other/b.txt", "world")
    rows = run(corpus, tmp_path / "out")["rows"]
    assert rows["bundle.zip!docs/a.txt"]["license"] == "MIT"
    assert rows["bundle.zip!other/b.txt"]["license"] == "CC-BY-NC-4.0"  # outside the card's folder


def test_zip_slip_reported_not_followed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with zipfile.ZipFile(corpus / "evil.zip", "w") as zf:
        zf.writestr("../../escaped.txt", "pwned")
        zf.writestr("/abs.txt", "pwned")
        zf.writestr("fine.txt", "ok")
    before = listing(tmp_path)
    got = run(corpus, tmp_path / "out")
    rows = got["rows"]
    bad = [p for p, r in rows.items() if r["error"] and "path traversal" in r["error"]]
    assert len(bad) == 2
    assert all(rows[p]["sha256"] is None for p in bad)  # never read
    assert rows["evil.zip!fine.txt"]["sha256"]
    assert [p for p in listing(tmp_path) if not p.startswith("out")] == before
    assert sum("path traversal" in e.reason for e in got["result"].errors) == 2


def test_tar_links_are_not_followed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with tarfile.open(corpus / "links.tar", "w") as tf:
        link = tarfile.TarInfo("passwd")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tf.addfile(link)
        add(tf, "a.txt", b"SPDX-License-Identifier: MIT\nhello\n")
    rows = run(corpus, tmp_path / "out")["rows"]
    assert "archive-member-skipped" in rows["links.tar!passwd"]["findings"]
    assert rows["links.tar!passwd"]["sha256"] is None
    assert rows["links.tar!a.txt"]["license"] == "MIT"


def test_zip_bomb_member_is_an_error(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with zipfile.ZipFile(corpus / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.bin", b"\0" * (20 * 2**20))
        zf.writestr("ok.txt", "fine")
    got = run(corpus, tmp_path / "out")
    row = got["rows"]["bomb.zip!zeros.bin"]
    assert "zip bomb" in row["error"]
    assert got["rows"]["bomb.zip!ok.txt"]["error"] is None


def test_tar_gz_bomb_stops_reading(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with tarfile.open(corpus / "bomb.tar.gz", "w:gz") as tf:
        for i in range(3):
            add(tf, f"z{i}.bin", b"\0" * (10 * 2**20))
    got = run(corpus, tmp_path / "out")
    assert "archive bomb" in got["rows"]["bomb.tar.gz"]["error"]
    assert got["result"].verdict.skipped >= 1


def test_member_count_and_total_size_limits(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with tarfile.open(corpus / "many.tar", "w") as tf:
        for i in range(20):
            add(tf, f"{i}.txt", b"x" * 100)
    limits = Limits(archives=ArchiveLimits(max_members=5))
    rows = run(corpus, tmp_path / "a", limits=limits)["rows"]
    assert "more than 5 members" in rows["many.tar"]["error"]
    assert sum(1 for p in rows if p.startswith("many.tar!")) == 5
    limits = Limits(archives=ArchiveLimits(max_total_size=450))
    rows = run(corpus, tmp_path / "b", limits=limits)["rows"]
    assert "expands to more than 450 bytes" in rows["many.tar"]["error"]


def test_nested_archives_and_depth_limit(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("a.txt", "SPDX-License-Identifier: Apache-2.0\nx\n")
    innermost = io.BytesIO()
    with zipfile.ZipFile(innermost, "w") as zf:
        zf.writestr("deep.zip", inner.getvalue())
    with tarfile.open(corpus / "outer.tar", "w") as tf:
        add(tf, "inner.zip", inner.getvalue())
        add(tf, "twice.zip", innermost.getvalue())
    rows = run(corpus, tmp_path / "out")["rows"]
    assert rows["outer.tar!inner.zip!a.txt"]["license"] == "Apache-2.0"
    assert "nested 3 levels deep" in rows["outer.tar!twice.zip!deep.zip"]["error"]


def test_single_gz_file_and_large_member_reread(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = b"".join(json.dumps({"text": "x" * 50, "license": "mit"}).encode() + b"\n" for _ in range(200))
    (corpus / "data.jsonl.gz").write_bytes(gzip.compress(lines))
    with tarfile.open(corpus / "plain.tar", "w") as tf:
        add(tf, "big.jsonl", lines)
    rows = run(corpus, tmp_path / "out", limits=Limits(head_bytes=1024))["rows"]
    gz = rows["data.jsonl.gz!data.jsonl"]
    assert gz["records"] == 200 and gz["license"] == "MIT"  # the whole member, not only its head
    big = rows["plain.tar!big.jsonl"]
    assert big["records"] == 200 and big["license"] == "MIT"  # re-read past the in-memory head


@pytest.mark.parametrize("suffix", ["bz2", "xz", "zst"])
def test_single_compressed_file_over_the_head_is_read_whole(tmp_path: Path, suffix: str) -> None:
    if suffix == "zst":
        zstandard = pytest.importorskip("zstandard")  # an optional extra (zstd); dev installs it
        compress = zstandard.ZstdCompressor().compress
    else:
        compress = {"bz2": bz2.compress, "xz": lzma.compress}[suffix]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = b"".join(json.dumps({"text": "y" * 50, "license": "cc-by-4.0"}).encode() + b"\n" for _ in range(300))
    (corpus / f"data.jsonl.{suffix}").write_bytes(compress(lines))
    row = run(corpus, tmp_path / "out", limits=Limits(head_bytes=1024))["rows"][f"data.jsonl.{suffix}!data.jsonl"]
    assert (row["records"], row["license"], row["error"]) == (300, "CC-BY-4.0", None)


@pytest.mark.parametrize("data,reason", [
    (b"7z\xbc\xaf\x27\x1c" + b"\0" * 100, "7z archives are not supported"),
    (b"this is not an archive at all", "not a zip, tar"),
    (b"\x1f\x8b\x08\x00" + b"garbage" * 10, "corrupt gz"),
    (b"PK\x03\x04" + b"\0" * 50, "damaged"),
])
def test_broken_or_unsupported_archives_are_error_entries(tmp_path: Path, data: bytes, reason: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    name = {"7z": "x.7z", "thi": "x.zip", "\x1f\x8b": "x.gz", "PK": "x.zip"}
    ext = next(v for k, v in name.items() if data.startswith(k.encode("latin-1")))
    (corpus / ext).write_bytes(data)
    got = run(corpus, tmp_path / "out")
    assert reason in (got["rows"][ext]["error"] or "")
    assert got["result"].verdict.skipped == 1


def test_zstandard_files_and_tars(tmp_path: Path) -> None:
    zstandard = pytest.importorskip("zstandard")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = b"".join(json.dumps({"text": "x", "license": "cc-by-sa-4.0"}).encode() + b"\n" for _ in range(30))
    (corpus / "part-00.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(lines))
    shard = tmp_path / "plain.tar"
    webdataset_shard(shard)
    (corpus / "shard.tar.zst").write_bytes(zstandard.ZstdCompressor().compress(shard.read_bytes()))
    rows = run(corpus, tmp_path / "out")["rows"]
    assert rows["part-00.jsonl.zst!part-00.jsonl"]["records"] == 30
    assert rows["part-00.jsonl.zst!part-00.jsonl"]["license"] == "CC-BY-SA-4.0"
    assert rows["shard.tar.zst!000001.jpg"]["license"] == "CC-BY-NC-4.0"
    assert json.loads(rows["shard.tar.zst"]["facts_json"])["archive"]["format"] == "tar+zst"


def test_many_ordinary_members_are_not_a_bomb(tmp_path: Path) -> None:
    import os

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with zipfile.ZipFile(corpus / "many.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for i in range(40):
            zf.writestr(f"{i}.bin", os.urandom(4096))  # incompressible: ratio about 1 per member
    limits = Limits(archives=ArchiveLimits(max_ratio=2, ratio_floor=8192))
    rows = run(corpus, tmp_path / "out", limits=limits)["rows"]
    assert rows["many.zip"]["error"] is None
    assert sum(1 for p in rows if p.startswith("many.zip!")) == 40


@pytest.mark.parametrize("mode", ["w:gz", "w:bz2", "w:xz"])
def test_compressed_tar_members_over_the_head_are_read_whole(tmp_path: Path, mode: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    small = b'{"text": "a", "license": "cc0-1.0"}\n'
    big = b"".join(json.dumps({"text": "z" * 50, "license": "cc-by-4.0"}).encode() + b"\n" for _ in range(400))
    suffix = mode.split(":")[1]
    with tarfile.open(corpus / f"shards.tar.{suffix}", mode) as tf:
        for name, data in (("a/first.jsonl", small), ("b/big.jsonl", big), ("c/last.jsonl", small)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    rows = run(corpus, tmp_path / "out", limits=Limits(head_bytes=1024))["rows"]
    archive = f"shards.tar.{suffix}"
    assert (rows[f"{archive}!b/big.jsonl"]["records"], rows[f"{archive}!b/big.jsonl"]["license"],
            rows[f"{archive}!b/big.jsonl"]["error"]) == (400, "CC-BY-4.0", None)
    assert rows[f"{archive}!c/last.jsonl"]["license"] == "CC0-1.0"
