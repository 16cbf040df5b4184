"""Fixtures for the image tests; helpers live in imgfixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from .imgfixtures import encode, make_photo


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
