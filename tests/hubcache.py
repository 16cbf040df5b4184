"""A Hugging Face Hub cache made of plain files, as the Hub client lays it out:
`datasets--ORG--NAME/refs/main` holds the commit sha, `snapshots/<sha>/...` the files."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

TOKEN_MARKER = "hf_TOKENMARKERshouldneverappear0123456789"


def sha_of(repo_id: str, salt: str = "") -> str:
    return hashlib.sha1(f"{repo_id}{salt}".encode()).hexdigest()


def add_dataset(cache: Path, repo_id: str, files: dict[str, bytes], *, sha: str | None = None,
                refs: tuple[str, ...] = ("main",), blobs: bool = False) -> Path:
    """Write one cached dataset; `blobs` stores files in blobs/ with snapshot symlinks (the real layout)."""
    sha = sha or sha_of(repo_id)
    repo = cache / ("datasets--" + repo_id.replace("/", "--"))
    snap = repo / "snapshots" / sha
    for name, data in files.items():
        target = snap / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if blobs:
            blob = repo / "blobs" / hashlib.sha256(data).hexdigest()
            blob.parent.mkdir(parents=True, exist_ok=True)
            blob.write_bytes(data)
            os.symlink(os.path.relpath(blob, target.parent), target)
        else:
            target.write_bytes(data)
    for ref in refs:
        path = repo / "refs" / ref
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sha)
    return snap


def card(meta: str, body: str = "# Dataset\n\nSome prose about the data.\n") -> bytes:
    return f"---\n{meta.strip()}\n---\n{body}".encode()


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def png_bytes(seed: int) -> bytes:
    from PIL import Image

    img = Image.new("RGB", (8, 8), (seed * 40 % 256, 10, 200))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes(seed: int, size: int = 16) -> bytes:
    from PIL import Image

    img = Image.new("RGB", (size, size), (seed * 37 % 256, seed * 91 % 256, 90))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=80)
    return out.getvalue()


APACHE_LIKE = b"ACME Data License 1.0\n\nYou may use this data for research only. Redistribution is not permitted.\n"


def build_standard_cache(cache: Path) -> dict[str, str]:
    """The five datasets the issue lists; returns repo id -> sha."""
    shas = {}
    rows = pa.table({"text": ["a", "b", "c"], "id": [1, 2, 3]})
    shas["acme/permissive"] = sha_of("acme/permissive")
    add_dataset(cache, "acme/permissive", {
        "README.md": card("license: cc-by-4.0\npretty_name: Permissive"),
        "data/train-00000-of-00001.parquet": parquet_bytes(rows),
        "data/test-00000-of-00001.parquet": parquet_bytes(rows.slice(0, 1)),
    }, blobs=True)
    shas["acme/custom"] = sha_of("acme/custom")
    add_dataset(cache, "acme/custom", {
        "README.md": card("license: other\nlicense_name: acme-data-license\nlicense_link: LICENSE"),
        "LICENSE": APACHE_LIKE,
        "train.jsonl": b'{"text": "x"}\n{"text": "y"}\n',
    })
    shas["acme/nolicense"] = sha_of("acme/nolicense")
    add_dataset(cache, "acme/nolicense", {
        "README.md": card("pretty_name: No license"),
        "data.csv": b"text,label\nhello,1\nworld,0\n",
    })
    images = pa.table({
        "image": [{"bytes": png_bytes(i), "path": f"{i}.png"} for i in range(4)],
        "license": ["cc-by-4.0", "cc-by-nc-4.0", "cc0-1.0", "cc-by-4.0"],
        "url": ["https://www.example.com/a.png", "https://img.flickr.com/b.png", "http://blocked.org/x.png",
                "https://sub.blocked.org/y.png"],
    })
    shas["acme/images"] = sha_of("acme/images")
    add_dataset(cache, "acme/images", {
        "README.md": card("license: cc-by-4.0\ntask_categories:\n- image-classification"),
        "data/train-00000-of-00001.parquet": parquet_bytes(images),
    })
    shas["acme/strict-upstream"] = sha_of("acme/strict-upstream")
    add_dataset(cache, "acme/strict-upstream", {
        "README.md": card("license: cc-by-nc-4.0"),
        "data/train.parquet": parquet_bytes(rows),
    })
    shas["acme/derived"] = sha_of("acme/derived")
    add_dataset(cache, "acme/derived", {
        "README.md": card("license: mit\nsource_datasets:\n- extended|acme/strict-upstream\n- original"),
        "data/train.parquet": parquet_bytes(rows),
    })
    # What real caches also hold, none of it a dataset.
    (cache / "version.txt").write_text("1")
    (cache / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n")
    (cache / ".locks" / "datasets--acme--permissive").mkdir(parents=True)
    model = cache / "models--acme--model" / "snapshots" / sha_of("model")
    model.mkdir(parents=True)
    (model / "config.json").write_text("{}")
    return shas
