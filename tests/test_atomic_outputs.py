"""The README's "scan.json, assets.parquet and reports are written atomically, never half": a scan
stopped while it writes an output (Ctrl-C, a kill, a full disk at the last step) leaves the previous
complete file byte for byte, or no file at all on a first scan, never a truncated one, and no
temporary file behind.

The faults are injected below the product's own writing code: `os.fsync` and `os.replace` (every
output is flushed to disk and then put in place), pyarrow's `ParquetWriter.write_table` after a row
group is already in the file, and the SPDX 2.3 writer after its first batch of files has reached the
disk. The stop is a KeyboardInterrupt, which no `except Exception` clean-up sees, as with a real
interrupt; an output written in place would be left half-written (or rewritten) and fail here."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

import provenance

OUTPUTS = ("scan.json", "assets.parquet", "data-legality.en.md", "data-legality.en.html",
           "eu-training-summary.md", "manifest.spdx.json", "manifest.spdx3.jsonld")
FILES: dict[str, str | bytes] = {
    "LICENSE": "SPDX-License-Identifier: CC0-1.0\n",
    "notes/a.txt": "text one\n",
    "notes/b.txt": "text two\n",
    "rows.jsonl": "".join(f'{{"text": "row {i}", "license": "mit"}}\n' for i in range(5)),
    "code/x.py": "# SPDX-License-Identifier: MIT\nx = 1\n",
    "code/y.py": "# SPDX-License-Identifier: Apache-2.0\ny = 2\n",
}


class Stopped(KeyboardInterrupt):
    """The process was stopped in the middle of writing an output."""


def _scan(corpus: Path, out: Path) -> None:
    provenance.scan(corpus, out, jobs=1, langs=("en",), formats=("md", "html"))


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}


def _leftovers(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.name.endswith((".tmp", ".new")))


def _fd_name(fd: int) -> str:
    return os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))


def _stop_at_fsync(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The file holding `name`'s new content is complete but the disk refuses to sync it."""
    real = os.fsync

    def fsync(fd: Any) -> None:
        if isinstance(fd, int) and name in _fd_name(fd):
            raise Stopped(f"stopped while syncing {name}")
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def _stop_at_replace(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Everything is written; the process stops as the new file would be put in place."""
    real = os.replace

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if os.path.basename(os.fsdecode(dst)) == name:
            raise Stopped(f"stopped before {name} was put in place")
        real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


def _stop_after_first_row_group(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """assets.parquet in row groups of 2 rows; the process stops after the first is written."""
    from provenance.results import AssetTableWriter

    monkeypatch.setattr(AssetTableWriter, "GROUP_ROWS", 2)
    real = pq.ParquetWriter.write_table
    calls = [0]

    def write_table(self: pq.ParquetWriter, *args: Any, **kwargs: Any) -> None:
        calls[0] += 1
        if calls[0] > 1:
            raise Stopped("stopped after the first row group of assets.parquet")
        real(self, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", write_table)


def _stop_after_first_manifest_batch(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The SPDX 2.3 manifest in batches of 2 files, each written to disk at once; the process
    stops after the first batch."""
    from provenance.reporting import manifest_rows, spdx2, stream

    monkeypatch.setattr(manifest_rows, "BATCH_ROWS", 2)
    monkeypatch.setattr(stream, "FLUSH_CHARS", 1)
    real = spdx2.Spdx2Writer.add_batch
    calls = [0]

    def add_batch(self: Any, batch: Any) -> None:
        calls[0] += 1
        if calls[0] > 1:
            raise Stopped("stopped after the first batch of manifest.spdx.json")
        real(self, batch)

    monkeypatch.setattr(spdx2.Spdx2Writer, "add_batch", add_batch)


Fault = Callable[[pytest.MonkeyPatch, str], None]
CASES: list[tuple[str, Fault]] = [
    *((name, _stop_at_fsync) for name in OUTPUTS),
    *((name, _stop_at_replace) for name in OUTPUTS),
    ("assets.parquet", _stop_after_first_row_group),
    ("manifest.spdx.json", _stop_after_first_manifest_batch),
]


@pytest.mark.parametrize(("name", "fault"), CASES, ids=[f"{n}-{f.__name__.strip('_')}" for n, f in CASES])
def test_a_rescan_stopped_while_writing_keeps_the_previous_file(tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                name: str, fault: Fault) -> None:
    corpus = tree(FILES)
    out = tmp_path / "out"
    _scan(corpus, out)
    before = _files(out)
    assert set(OUTPUTS) <= set(before)
    (corpus / "notes" / "c.txt").write_text("a new file: every output changes\n", encoding="utf-8")
    (corpus / "more.jsonl").write_text("".join(f'{{"text": "more {i}"}}\n' for i in range(5)), encoding="utf-8")

    with monkeypatch.context() as patch:
        fault(patch, name)
        with pytest.raises(Stopped):
            _scan(corpus, out)

    if name == "scan.json":
        # A rescan removes the previous verdict before it starts (scanner.run), so that a scan that
        # dies leaves no result rather than an old one beside new rows: none, and never half of one.
        assert not (out / name).exists()
    else:
        assert (out / name).read_bytes() == before[name], f"{name} was changed by a scan stopped while writing it"
    assert _leftovers(out) == []
    if name == "assets.parquet":
        assert pq.ParquetFile(out / name).metadata.num_rows > 0  # whole and readable
    # Not vacuous: the same rescan without the fault does change the file.
    _scan(corpus, out)
    assert (out / name).read_bytes() != before[name]


@pytest.mark.parametrize("name", OUTPUTS)
def test_a_first_scan_stopped_while_writing_leaves_no_file(tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           name: str) -> None:
    corpus = tree(FILES)
    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        _stop_at_fsync(patch, name)
        with pytest.raises(Stopped):
            _scan(corpus, out)
    assert not (out / name).exists(), f"a scan stopped while writing {name} left one"
    assert _leftovers(out) == []

