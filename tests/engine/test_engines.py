"""Every engine gives the same results: serial, process pool, and Ray (a small local Ray)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import provenance


def _corpus(tree) -> Path:
    files: dict[str, str | bytes] = {"LICENSE": "Released under the MIT License.\n"}
    for i in range(12):
        files[f"part-{i}/README.md"] = f"---\nlicense: {'cc-by-nc-4.0' if i % 3 == 0 else 'cc-by-4.0'}\n---\n"
        for j in range(60):
            files[f"part-{i}/doc-{j:03d}.txt"] = f"document {i}-{j}: surface finish and hinge design notes\n"
    files["part-1/r.jsonl"] = '{"text": "x", "license": "cc0-1.0"}\n{"text": "y"}\n'
    files["bad.txt"] = b"\x00\x01binary"
    return tree(files)


def _normalised(result) -> tuple[list[dict], dict]:
    rows = sorted(result.assets(), key=lambda r: r["path"])
    data = result.to_dict()
    data.pop("created")
    return rows, {k: v for k, v in data.items() if k != "parameters"}




def test_process_pool_equals_serial(tree, tmp_path: Path) -> None:
    root = _corpus(tree)
    serial = provenance.scan(root, tmp_path / "serial", jobs=1, cache=False, reports=False)
    pooled = provenance.scan(root, tmp_path / "pool", jobs=2, cache=False, reports=False)
    assert serial.summary["assets"] == 12 * 61 + 3
    assert _normalised(serial) == _normalised(pooled)


def test_ray_equals_serial(tree, tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="the ray extra is not installed")
    root = _corpus(tree)
    serial = provenance.scan(root, tmp_path / "serial", jobs=1, cache=False, reports=False)
    on_ray = provenance.scan(root, tmp_path / "ray", jobs=2, engine="ray", cache=False, reports=False)
    assert _normalised(serial) == _normalised(on_ray)
    assert on_ray.verdict == serial.verdict


def _die_on_two(_context: object, item: int) -> int:
    if item == 2:
        os._exit(1)
    return item


def test_a_dying_worker_ends_the_scan_with_an_error_not_a_hang() -> None:
    from provenance.engine.local import ProcessEngine
    from provenance.errors import ScanAbortedError

    with pytest.raises(ScanAbortedError, match="worker process died"):
        list(ProcessEngine(2).map(None, _die_on_two, range(6)))
