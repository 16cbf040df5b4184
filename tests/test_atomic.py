"""Atomic writes follow the umask like any other file: scan.json and the reports were 0600 while
assets.parquet was 0644."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import provenance
from provenance.atomic import current_umask, ensure_output_dir, write_text
from provenance.errors import ConfigError


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_umask_is_read_without_changing_it(umask: None) -> None:
    assert current_umask() == 0o027
    assert current_umask() == 0o027


def test_every_output_follows_the_umask(umask: None, tree, tmp_path: Path) -> None:
    corpus = tree({"LICENSE": "SPDX-License-Identifier: CC0-1.0\n", "a.txt": "text\n", "t.jsonl": '{"text": "x"}\n'})
    out = tmp_path / "out"
    provenance.scan(corpus, out, langs=("en",), formats=("md", "html"))
    files = [p for p in out.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"scan.json", "assets.parquet", "data-legality.en.md", "manifest.spdx.json"} <= names
    assert {p.name: oct(_mode(p)) for p in files} == {p.name: oct(0o640) for p in files}


def test_write_text_with_a_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0o002)
    try:
        write_text(tmp_path / "x.json", "{}\n")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "x.json") == 0o664
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_registry_file_follows_the_umask(umask: None, works_dir: Path, tmp_path: Path) -> None:
    from provenance.registry.build import build_registry

    target = tmp_path / "registry.parquet"
    build_registry(target, works_dir, (), None, (), 1)
    assert _mode(target) == 0o640


def test_output_dir_checks(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(ConfigError, match="is a file"):
        ensure_output_dir(tmp_path / "f")
    with pytest.raises(ConfigError, match="cannot create"):
        ensure_output_dir(tmp_path / "f" / "g")
    made = ensure_output_dir(tmp_path / "new" / "deeper")
    assert made.is_dir() and list(made.iterdir()) == []  # the write check leaves nothing behind
