"""Shared fixtures: corpora are built by code in tmp_path; nothing touches the network."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from tests.hubcache import TOKEN_MARKER, build_standard_cache
from tests.imgfixtures import encode, make_photo

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create files under root; str content is written as UTF-8."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def tree_digest(root: Path) -> str:
    """Digest of names, types, modes, link targets and contents; never opens special files."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(os.fsencode(root), followlinks=False):
        dirnames.sort()
        for name in sorted(filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]):
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            h.update(os.path.relpath(path, os.fsencode(root)) + b"\0" + str(stat.S_IMODE(st.st_mode)).encode())
            if stat.S_ISLNK(st.st_mode):
                h.update(b"L" + os.readlink(path))
            elif stat.S_ISREG(st.st_mode):
                h.update(b"F" + str(st.st_size).encode())
                if st.st_size < 64 * 2**20 and st.st_blocks:
                    with open(path, "rb") as f:
                        h.update(hashlib.sha256(f.read()).digest())
            else:
                h.update(b"S" + str(stat.S_IFMT(st.st_mode)).encode())
    return h.hexdigest()


@pytest.fixture
def digest():
    """digest(root) -> hex digest of a tree (see tree_digest)."""
    return tree_digest


@pytest.fixture
def tree(tmp_path: Path):
    """tree(files) -> a corpus folder under tmp_path."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()

    def make(files: dict[str, str | bytes]) -> Path:
        return write_tree(corpus, files)

    return make


@pytest.fixture()
def hub_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An offline Hub cache with the standard datasets; HF_* settings point into tmp_path."""
    home = tmp_path / "hf_home"
    cache = home / "hub"
    cache.mkdir(parents=True)
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "ds_cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_TOKEN", TOKEN_MARKER)
    build_standard_cache(cache)
    return cache


@pytest.fixture
def works_dir(tmp_path: Path) -> Path:
    """Five reference works as files of mixed formats."""
    folder = tmp_path / "known"
    folder.mkdir()
    for seed, name in zip(range(5), ("a.png", "b.jpg", "c.png", "d.webp", "e.tif"), strict=True):
        img = make_photo(100 + seed)
        fmt = {"png": "PNG", "jpg": "JPEG", "webp": "WEBP", "tif": "TIFF"}[name.rsplit(".", 1)[1]]
        kw = {"quality": 95} if fmt in ("JPEG", "WEBP") else {}
        (folder / name).write_bytes(encode(img, fmt, **kw))
    return folder
