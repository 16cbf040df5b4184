"""The index: built from the shipped SPDX data, cached on disk, loaded fast, versioned."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from provenance.licensing.identify import cache as index_module
from provenance.licensing.identify import identify_file, index_version
from provenance.licensing.identify.reference import load_bundle


@pytest.fixture
def fresh_index(monkeypatch: pytest.MonkeyPatch):
    """Forget the in-memory index for the test, and again afterwards."""
    index_module.get_index.cache_clear()
    yield monkeypatch
    index_module.get_index.cache_clear()


def test_index_version_names_spdx_list_and_engine() -> None:
    version = index_version()
    assert re.fullmatch(r"spdx-\d+\.\d+(?:\.\d+)?\+provenance-\d+", version)
    assert version.startswith(f"spdx-{load_bundle().version}+")


def test_index_covers_every_spdx_text() -> None:
    index = index_module.get_index()
    members = {m for e in index.entries for m in e.members}
    with_text = {lic.id for lic in load_bundle().licenses if lic.text and not lic.deprecated}
    assert members == with_text
    assert len(with_text) > 700


def test_cache_is_written_once_and_loaded_fast(fresh_index: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fresh_index.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = index_module.cache_path()
    assert path.parent == tmp_path / "provenance" and not path.exists()
    built = index_module.get_index()
    assert path.exists()
    index_module.get_index.cache_clear()
    start = time.perf_counter()
    loaded = index_module.get_index()
    assert time.perf_counter() - start < 1.0
    assert loaded.version == built.version and len(loaded.entries) == len(built.entries)
    assert (loaded.ref_hashes == built.ref_hashes).all()
    assert loaded.vocab == built.vocab
    mit = next(lic.text for lic in load_bundle().licenses if lic.id == "MIT")
    assert identify_file(mit).expression == "MIT"  # the loaded index identifies texts


def test_unwritable_cache_falls_back_to_memory(fresh_index: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should go")
    fresh_index.setenv("XDG_CACHE_HOME", str(blocker))
    mit = next(lic.text for lic in load_bundle().licenses if lic.id == "MIT")
    assert identify_file(mit).expression == "MIT"
    assert not (blocker / "provenance").exists()


def test_corrupt_cache_is_rebuilt(fresh_index: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fresh_index.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = index_module.cache_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not an npz file")
    isc = next(lic.text for lic in load_bundle().licenses if lic.id == "ISC")
    assert identify_file(isc).expression == "ISC"
    assert path.stat().st_size > 1000
