"""The `registry` click group through CliRunner."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from provenance.cli.registry import registry
from tests.imgfixtures import encode, make_photo


def test_build_add_info_export(works_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    meta = tmp_path / "works.csv"
    meta.write_text("file,title,owner,rights\na.png,Red Square,Studio Nord,All rights reserved\n")
    reg = tmp_path / "registry.parquet"
    res = runner.invoke(registry, ["build", str(works_dir), "-o", str(reg), "--metadata", str(meta),
                                   "--variants", "crop", "-j", "1"])
    assert res.exit_code == 0, res.output
    assert "added 5 works (30 fingerprints)" in res.output
    more = tmp_path / "more"
    more.mkdir()
    (more / "g.png").write_bytes(encode(make_photo(300), "PNG"))
    res = runner.invoke(registry, ["add", str(reg), str(more), "-j", "1"])
    assert res.exit_code == 0, res.output
    assert "registry now holds 6 works (36 fingerprints)" in res.output
    res = runner.invoke(registry, ["info", str(reg)])
    assert res.exit_code == 0, res.output
    assert "works:        6" in res.output and "crop-c" in res.output
    assert "Studio Nord: 1 works" in res.output
    shared = tmp_path / "shared.csv"
    res = runner.invoke(registry, ["export", str(reg), "-o", str(shared)])
    assert res.exit_code == 0 and shared.read_text().startswith("work_id,title,owner")
    res = runner.invoke(registry, ["add", str(reg), str(shared)])
    assert "added 0 works" in res.output  # all ids already registered
    assert "skipped 6 works already registered" in res.output


def test_build_from_hash_list_only(tmp_path: Path) -> None:
    csv = tmp_path / "h.csv"
    csv.write_text("phash,title,owner\n8f0f0f0f0f0f0f0f,Work,Owner\n")
    reg = tmp_path / "r.parquet"
    res = CliRunner().invoke(registry, ["build", "--hashes", str(csv), "-o", str(reg)])
    assert res.exit_code == 0, res.output
    assert pq.read_table(reg).column("title").to_pylist() == ["Work"]


def test_clear_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(registry, ["build", "-o", str(tmp_path / "r.parquet")])
    assert res.exit_code == 2 and "give a FOLDER" in res.output
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"junk")
    res = runner.invoke(registry, ["info", str(bad)])
    assert res.exit_code == 1 and "not a readable Parquet file" in res.output
    res = runner.invoke(registry, ["build", str(tmp_path), "-o", str(tmp_path / "x.parquet"),
                                   "--variants", "zoom"])
    assert res.exit_code == 2 and "unknown variant set" in res.output


def test_unreadable_reference_image_exits_3(tmp_path: Path) -> None:
    folder = tmp_path / "w"
    folder.mkdir()
    (folder / "ok.png").write_bytes(encode(make_photo(1), "PNG"))
    (folder / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    res = CliRunner().invoke(registry, ["build", str(folder), "-o", str(tmp_path / "r.parquet"), "-j", "1",
                                        "--variants", "none"])
    assert res.exit_code == 3
    assert "bad.png" in res.output
