"""Every engine gives the same results: serial, process pool, and Ray (a small local Ray)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import provenance
from provenance.detectors import default_detectors
from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.engine.local import AutoEngine
from provenance.model import Asset
from provenance.results import ScanResult
from provenance.scanner import BATCH_ITEMS, Scanner, ScanOptions
from provenance.sources import open_source


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
    """jobs=2 on ~3 batches: the auto engine does them all in this process (it starts a pool only
    after its warm-up batches); the pool itself is tested below."""
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


class _WhichProcess(Detector):
    """Records the process that analysed each asset (a string: numeric facts are summed per source)."""

    id = "which-process"

    def applies(self, asset: Asset) -> bool:
        return True

    def detect(self, content: AssetContent) -> DetectorOutput:
        return DetectorOutput(facts={"pid": str(os.getpid())})


def _scan_recording_pids(root: Path, out: Path, jobs: int) -> tuple[ScanResult, list[dict], dict[str, str]]:
    """A scan with the default detectors and _WhichProcess; its rows without the pid facts, and
    the pid each path was analysed in."""
    options = ScanOptions(jobs=jobs, detectors=(*default_detectors(), _WhichProcess()))
    result = Scanner(open_source(root), options).run(out)
    rows, pids = [], {}
    for row in sorted(result.assets(), key=lambda r: r["path"]):
        facts = json.loads(row["facts_json"])
        pids[row["path"]] = facts.pop(_WhichProcess.id)["pid"]
        rows.append({**row, "facts_json": facts})
    return result, rows, pids


@pytest.mark.slow
def test_the_process_pool_really_runs_and_equals_serial(tree, tmp_path: Path) -> None:
    """The auto engine analyses the first batches in this process and starts a pool only after
    them: the corpus has enough data files for several batches beyond those, so workers must run."""
    per_batch, serial_batches = BATCH_ITEMS, AutoEngine(2).serial_first
    data_files = per_batch * (serial_batches + 4)
    files: dict[str, str | bytes] = {"LICENSE": "Released under the MIT License.\n"}
    for i in range(data_files):
        folder = f"part-{i % 16:02d}"
        if i < 16:
            files[f"{folder}/README.md"] = f"---\nlicense: {'cc-by-nc-4.0' if i % 3 == 0 else 'cc-by-4.0'}\n---\n"
        files[f"{folder}/doc-{i:05d}.txt"] = f"document {i}: surface finish and hinge design notes\n"
    files["part-01/r.jsonl"] = '{"text": "x", "license": "cc0-1.0"}\n{"text": "y"}\n'
    root = tree(files)

    serial, serial_rows, serial_pids = _scan_recording_pids(root, tmp_path / "serial", jobs=1)
    pooled, pooled_rows, pooled_pids = _scan_recording_pids(root, tmp_path / "pool", jobs=2)

    me = str(os.getpid())
    assert set(serial_pids.values()) == {me}
    in_workers = [path for path, pid in pooled_pids.items() if pid != me]
    # At least a batch went to worker processes (not this one); every asset was analysed once.
    assert len(in_workers) >= per_batch, f"{len(in_workers)} of {len(pooled_pids)} assets analysed in a worker"
    assert len(pooled_pids) == serial.summary["assets"] == data_files + 16 + 2
    # ...and the pool's results are the serial ones, row for row and in scan.json.
    assert pooled_rows == serial_rows
    assert _normalised(pooled)[1] == _normalised(serial)[1]
    assert pooled.verdict == serial.verdict


def test_a_dead_worker_ends_a_wait_the_executor_never_ends() -> None:
    """CPython's executor can miss a worker killed while it holds a queue's lock and leave a future
    pending forever (a CI run hung 300 s on the SIGKILL test once). The engine's wait watches the
    workers itself: a real pool, a real worker SIGKILLed, and a future nobody will ever complete."""
    import multiprocessing as mp
    import signal
    import time
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from provenance.engine.local import _result, _stop

    pool = ProcessPoolExecutor(2, mp_context=mp.get_context("forkserver"))
    try:
        pool.submit(time.sleep, 0).result(timeout=60)  # a worker is up
        workers = list(pool._processes.values())  # type: ignore[attr-defined]
        victim = workers[0]
        os.kill(victim.pid, signal.SIGKILL)
        victim.join(10)
        started = time.monotonic()
        with pytest.raises(BrokenProcessPool):  # WorkerLost, from the engine's own watch
            _result(Future(), pool)
        assert time.monotonic() - started < 10
    finally:
        _stop(pool)
    assert all(p.exitcode is not None for p in workers)  # no worker left behind
