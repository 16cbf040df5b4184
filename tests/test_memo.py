"""The folder memo: a rescan that reuses unchanged folders must give what a fresh scan gives."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from provenance import memo, scanner
from provenance.api import ScanRequest, scan_options
from provenance.declarations import Declarations
from provenance.model import SourceInfo
from provenance.policy import Policy, Waiver
from provenance.scanner import Scanner, runs
from provenance.sources.interface import Skipped, Unreadable
from provenance.sources.local import LocalSource

CORPUS: dict[str, str | bytes] = {
    "LICENSE": "Released under the MIT License.\n",
    "a.txt": "plain text at the top",
    "b.py": "# SPDX-License-Identifier: Apache-2.0\nprint(1)\n",
    "empty.txt": "",
    "bad.csv": 'text,license\n"unterminated,mit\n',
    # "m" sorts between the files of the top folder, so the top folder is two runs
    "m/one.txt": "one",
    "m/two.txt": "contact me at someone@example.com or 13812345678",
    "nc/LICENSE": "Released under CC BY-NC 4.0.\n",
    "nc/x.txt": "not for commerce",
    "nc/deep/y.txt": "inherits the restriction",
    "records.jsonl": '{"text": "a", "license": "cc-by-4.0"}\n{"text": "b", "license": "gpl-3.0"}\n',
    "z.txt": "last file of the top folder",
}


def _scan(root: Path, out: Path, cache: bool = True, **options: Any) -> tuple[dict[str, int], dict[str, Any],
                                                                              list[dict[str, Any]]]:
    opts = scan_options(ScanRequest(root, cache=cache, **options), out)
    s = Scanner(LocalSource(root, skip_dirs=[out]), opts)
    result = s.run(out)
    doc = result.to_dict()
    for key in ("created", "output_dir"):
        doc.pop(key, None)
    doc["parameters"].pop("root", None)
    return dict(s.stats), doc, pq.read_table(out / "assets.parquet").to_pylist()


def _same(got: tuple[dict[str, Any], list[dict[str, Any]]], want: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    assert [r["path"] for r in got[1]] == [r["path"] for r in want[1]]
    for a, b in zip(got[1], want[1], strict=True):
        assert a == b, a["path"]
    assert got[0] == want[0]


def _fresh(root: Path, tmp_path: Path, **options: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    _, doc, rows = _scan(root, tmp_path / "fresh", cache=False, **options)
    return doc, rows


def test_a_reused_rescan_equals_a_fresh_scan(tree, tmp_path: Path) -> None:
    root = tree(CORPUS)
    os.symlink("a.txt", root / "link.txt")  # a skipped item is part of its run
    out = tmp_path / "out"
    _scan(root, out)
    stats, doc, rows = _scan(root, out)
    assert stats["reused_folders"] >= 4 and stats.get("analysed", 0) == 0
    fresh_doc, fresh_rows = _fresh(root, tmp_path)
    _same((doc, rows), (fresh_doc, fresh_rows))  # rows in the same order; totals, findings, errors, verdict
    assert doc["verdict"]["status"] == "fail" and doc["skipped"]
    assert any(e["path"] == "bad.csv" for e in doc["errors"])


def test_a_change_is_seen_and_only_its_folder_is_redone(tree, tmp_path: Path) -> None:
    root = tree(CORPUS)
    out = tmp_path / "out"
    first_stats, _, _ = _scan(root, out)
    (root / "m" / "one.txt").write_text("# SPDX-License-Identifier: GPL-3.0-only\n")
    stats, doc, rows = _scan(root, out)
    assert stats["analysed"] == 1 and stats["cached"] >= 2  # m/two.txt from the per-file cache
    assert stats["reused_folders"] == first_stats.get("reused_folders", 0) + 4  # every other run
    assert next(r for r in rows if r["path"] == "m/one.txt")["license"] == "GPL-3.0-only"
    _same((doc, rows), _fresh(root, tmp_path))


def test_a_changed_license_above_a_folder_is_seen_below_it(tree, tmp_path: Path) -> None:
    root = tree(CORPUS)
    out = tmp_path / "out"
    _scan(root, out)
    (root / "nc" / "LICENSE").write_text("Released under the MIT License.\n")
    stats, doc, rows = _scan(root, out)
    assert stats["reused_folders"] == 3  # the two runs of the top folder and m/; not nc/ nor nc/deep/
    assert next(r for r in rows if r["path"] == "nc/deep/y.txt")["license"] == "MIT"
    _same((doc, rows), _fresh(root, tmp_path))


def test_a_changed_dist_info_is_seen_by_the_modules_it_installed_at_the_top(tree, tmp_path: Path) -> None:
    """A module at the top of site-packages takes its license from a dist-info folder that is not
    above it: that evidence is part of its run's key."""
    root = tree({"one-1.0.dist-info/METADATA": "Metadata-Version: 2.4\nName: one\nLicense-Expression: MIT\n",
                 "one-1.0.dist-info/RECORD": "one.py,sha256=x,1\n", "one.py": "x = 1\n", "zz.py": "y = 2\n"})
    out = tmp_path / "out"
    _scan(root, out)
    (root / "one-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.4\nName: one\n"
                                                          "License-Expression: GPL-3.0-only\n")
    _, doc, rows = _scan(root, out)
    assert next(r for r in rows if r["path"] == "one.py")["license"] == "GPL-3.0-only"
    _same((doc, rows), _fresh(root, tmp_path))


def test_policy_and_declarations_are_part_of_the_key(tree, tmp_path: Path) -> None:
    root = tree(CORPUS)
    out = tmp_path / "out"
    _scan(root, out)
    stats, doc, rows = _scan(root, out, use="research")
    assert stats.get("reused_folders", 0) == 0
    _same((doc, rows), _fresh(root, tmp_path, use="research"))
    decl = tmp_path / "declared.yaml"
    decl.write_text("sources:\n  - name: nc-part\n    path: nc/**\n    license: CC-BY-NC-4.0\n")
    stats, doc, rows = _scan(root, out, use="research", declarations=decl)
    assert stats.get("reused_folders", 0) == 0
    assert {r["source"] for r in rows if r["path"].startswith("nc/")} == {"nc-part"}
    _same((doc, rows), _fresh(root, tmp_path, use="research", declarations=decl))


def test_a_waiver_that_expires_makes_the_key_depend_on_the_day() -> None:
    info = SourceInfo(name="c", kind="local", root="/c")
    plain = Policy(waivers=(Waiver("copyleft", "x/**", "ok"),))
    expiring = Policy(waivers=(Waiver("copyleft", "x/**", "ok", dt.date(2027, 1, 1)),))
    day, next_day = dt.date(2026, 11, 29), dt.date(2026, 11, 30)

    def digest(policy: Policy, today: dt.date) -> str:
        return memo.context_digest(info, Declarations(), policy, False, today)

    assert digest(plain, day) == digest(plain, next_day)
    assert digest(expiring, day) != digest(expiring, next_day)
    assert digest(plain, day) != digest(expiring, day)


def test_unreadable_items_keep_their_folder_out_of_the_memo(tree, tmp_path: Path) -> None:
    root = tree({"LICENSE": "Released under the MIT License.\n", "d/a.txt": "a", "e/b.txt": "b"})
    os.mkfifo(root / "d" / "pipe")
    out = tmp_path / "out"
    _scan(root, out)
    stats, doc, rows = _scan(root, out)
    assert stats["reused_folders"] == 1  # e/ only: d/ is looked at again every time
    assert any(e["path"] == "d/pipe" for e in doc["errors"])
    _same((doc, rows), _fresh(root, tmp_path))


def test_a_damaged_memo_record_is_a_miss(tree, tmp_path: Path) -> None:
    root = tree(CORPUS)
    out = tmp_path / "out"
    _scan(root, out)
    with sqlite3.connect(out / ".cache" / "analyses.sqlite") as conn:
        conn.execute("UPDATE folders_v1 SET rows = x'00ff00ff'")
        conn.execute("UPDATE folders_v1 SET meta = '{' WHERE unit LIKE ?", ('["m"%',))
    stats, doc, rows = _scan(root, out)
    assert stats.get("reused_folders", 0) == 0 and stats.get("analysed", 0) == 0  # all from the per-file cache
    _same((doc, rows), _fresh(root, tmp_path))


def test_results_keep_the_walk_order_with_a_process_pool(tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files: dict[str, str | bytes] = {"LICENSE": "Released under the MIT License.\n"}
    files |= {f"d{i:02d}/f{j}.txt": f"text {i} {j}" for i in range(12) for j in range(3)}
    root = tree(files)
    monkeypatch.setattr(scanner, "BATCH_ITEMS", 2)  # 18 batches: past the 8 run in-process, so a pool starts
    out = tmp_path / "out"
    _scan(root, out, jobs=2)
    for i in range(0, 12, 2):  # every other folder changes: 12 batches, hits between them
        (root / f"d{i:02d}" / "f1.txt").write_text("changed")
    stats, doc, rows = _scan(root, out, jobs=2)
    assert stats["reused_folders"] == 6 and stats["analysed"] == 6
    _same((doc, rows), _fresh(root, tmp_path))


def test_runs_follow_folders_and_are_bounded() -> None:
    items = [Skipped("a/1", "r"), Unreadable("a/2", "r"), Skipped("a/b/3", "r"), Skipped("a/4", "r"),
             Skipped("a/5", "r"), Skipped("a/6", "r"), Skipped("a/7", "r")]
    got = [(folder, [i.path for i in run]) for folder, run in runs(items, most=3, cut=2**32)]
    assert got == [("a", ["a/1", "a/2"]), ("a/b", ["a/b/3"]), ("a", ["a/4", "a/5", "a/6"]), ("a", ["a/7"])]


def test_hits_behind_batches_in_flight_stay_bounded(tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files: dict[str, str | bytes] = {"LICENSE": "Released under the MIT License.\n"}
    files |= {f"d{i:02d}/f{j}.txt": f"text {i} {j}" for i in range(14) for j in range(3)}
    root = tree(files)
    out = tmp_path / "out"
    _scan(root, out)
    for i in range(7):  # 11 batches of misses (a pool after the first 8), then 7 runs to reuse
        (root / f"d{i:02d}" / "f0.txt").write_text("changed")
    monkeypatch.setattr(scanner, "BATCH_ITEMS", 2)
    monkeypatch.setattr(scanner, "MAX_WAITING_ROWS", 2)
    seen = {"most": 0, "empty": 0}
    original = scanner._Collector.batch

    def watched(self: Any, batch: scanner.Batch) -> None:
        seen["most"] = max(seen["most"], self.waiting_rows)
        seen["empty"] += not batch.parts
        original(self, batch)

    monkeypatch.setattr(scanner._Collector, "batch", watched)
    stats, doc, rows = _scan(root, out, jobs=2)
    assert stats["reused_folders"] == 7 and stats["analysed"] == 7
    assert seen["empty"] >= 1  # the engine was made to hand results back
    assert seen["most"] <= 2 + 5 * 3  # the threshold plus one run per batch the window holds
    _same((doc, rows), _fresh(root, tmp_path))


def test_a_large_folder_is_cut_where_names_say_so() -> None:
    names = [f"big/f{i:05d}.txt" for i in range(3000)]

    def cut(paths: list[str]) -> list[list[str]]:
        return [[i.path for i in run] for _, run in runs([Skipped(p, "r") for p in paths], cut=32)]

    before = cut(names)
    assert 40 < len(before) < 200 and max(map(len, before)) < 400
    after = cut([*names[:1501], "big/f01500a.txt", *names[1501:]])  # one file added in the middle
    changed = [run for run in after if run not in before]
    # Only the run around it differs (two when its own name is a cut point); the rest are reused.
    assert 1 <= len(changed) <= 2 and any("big/f01500a.txt" in run for run in changed)
    assert sum(map(len, changed)) < 300


def test_a_failed_archive_member_read_is_not_remembered(tree, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import zipfile

    from provenance.sources import archive_reader

    root = tree({"LICENSE": "Released under the MIT License.\n", "d/y.txt": "real file"})
    with zipfile.ZipFile(root / "d" / "b.zip", "w") as z:
        z.writestr("x.txt", "some text in the archive")
    out = tmp_path / "out"

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.EIO, "Input/output error")

    with monkeypatch.context() as m:
        m.setattr(archive_reader, "_read_member", failing)  # an I/O error on the first scan only
        _, first, _ = _scan(root, out)
    assert first["errors"] and first["verdict"]["status"] == "incomplete"
    stats, doc, rows = _scan(root, out)
    assert stats.get("reused_folders", 0) == 0 and not doc["errors"]
    _same((doc, rows), _fresh(root, tmp_path))


def test_records_with_the_wrong_shape_are_misses(tree, tmp_path: Path) -> None:
    import json

    import pyarrow as pa

    root = tree({"LICENSE": "Released under the MIT License.\n", "d/y.txt": "y", "e/z.txt": "z"})
    out = tmp_path / "out"
    _scan(root, out)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, pa.schema([("path", pa.string())])) as w:
        w.write_table(pa.table({"path": ["e/z.txt"]}))
    other_schema = sink.getvalue()
    with sqlite3.connect(out / ".cache" / "analyses.sqlite") as conn:
        for unit, meta in conn.execute("SELECT unit, meta FROM folders_v1").fetchall():
            doc = json.loads(meta)
            if json.loads(unit)[0] == "d":
                doc["summary"]["groups"] = [["x"]]  # valid JSON, wrong shape
                conn.execute("UPDATE folders_v1 SET meta=? WHERE unit=?", (json.dumps(doc), unit))
            else:
                doc["codec"], doc["size"] = None, other_schema.size  # a valid Arrow stream of another table
                conn.execute("UPDATE folders_v1 SET meta=?, rows=? WHERE unit=?",
                             (json.dumps(doc), other_schema.to_pybytes(), unit))
    stats, doc, rows = _scan(root, out)
    assert stats.get("reused_folders", 0) == 0
    _same((doc, rows), _fresh(root, tmp_path))


def test_a_real_folder_named_like_an_archive_member_is_part_of_the_key(tree, tmp_path: Path) -> None:
    import zipfile

    root = tree({"LICENSE": "Released under the MIT License.\n",
                 "a/b.zip!inner/LICENSE": "Released under the MIT License.\n", "a/b.zip!inner/y.txt": "y"})
    with zipfile.ZipFile(root / "a" / "b.zip", "w") as z:
        z.writestr("inner/x.txt", "some text in the archive")
    out = tmp_path / "out"
    _scan(root, out)
    (root / "a" / "b.zip!inner" / "LICENSE").write_text("Released under CC BY-NC 4.0.\n")
    _, doc, rows = _scan(root, out)
    assert next(r for r in rows if r["path"] == "a/b.zip!inner/x.txt")["license"] == "CC-BY-NC-4.0"
    _same((doc, rows), _fresh(root, tmp_path))


def test_a_root_whose_name_is_not_utf8_scans_and_rescans(tmp_path: Path) -> None:
    root = tmp_path / os.fsdecode(b"corpus\xff")
    root.mkdir()
    (root / "LICENSE").write_text("Released under the MIT License.\n")
    (root / "a.txt").write_text("a")
    out = tmp_path / "out"
    for _ in range(2):
        _, doc, _ = _scan(root, out)
        assert doc["verdict"]["status"] == "pass"
    assert doc["sources"][0]["root"].endswith("corpus\\xff")
