"""The text part of a registry: build, formats, recipe check, add, export/import, CLI, images kept."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from provenance.cli.registry import registry as registry_cli
from provenance.errors import RegistryError
from provenance.registry.build import build_registry, read_hash_list
from provenance.registry.matcher import Registry
from provenance.registry.store import read_extra, read_table
from provenance.registry.text_build import add_text, export_text, import_text
from provenance.registry.text_store import TEXT_KEY, TextRegistry, check_text_part, read_text_part, sidecar
from provenance.textworks.fingerprint import Recipe, fingerprint, fingerprint_stream
from tests.imgfixtures import encode, make_photo
from tests.registry.textcorpus import build_text_registry, chinese, english, words_of


def _found(reg: Path, text: str | list[str]) -> dict[str, float]:
    tr = TextRegistry.open(reg)
    assert tr is not None
    fp = fingerprint_stream([text] if isinstance(text, str) else text, tr.recipe)
    return {tr.work(m.work).work_id: m.longest.units for m in tr.match(fp)}


def test_build_reads_every_format_and_keeps_no_text(tmp_path: Path) -> None:
    reg, works = build_text_registry(tmp_path)
    tr = TextRegistry.open(reg)
    assert tr is not None
    table = tr.works_table.to_pylist()
    assert {r["work_id"] for r in table} == set(works)
    novel = next(r for r in table if r["work_id"] == "isbn:111")
    assert (novel["title"], novel["rights_holder"], novel["license"], novel["source_url"]) == (
        "The Long Road", "Acme Books", "All rights reserved", "https://example.org/road")
    assert novel["words"] == 3000 and novel["cjk"] == 0
    poems = next(r for r in table if r["work_id"] == "poems:1")
    assert poems["cjk"] == 2501  # the heading 诗 and the poems
    # every work is found from a passage of its own (HTML, Markdown, JSON Lines and EPUB too)
    for wid, text in works.items():
        passage = words_of(text, 100, 80) if wid != "poems:1" else text[200:400]
        assert _found(reg, passage).get(wid, 0) >= 50, wid
    # only fingerprints are stored: no 8-word phrase of a work appears in any registry file
    phrase = words_of(works["isbn:111"], 500, 8).encode()
    for f in [reg, *sidecar(reg).rglob("*")]:
        if f.is_file():
            assert phrase not in f.read_bytes() and phrase.lower() not in f.read_bytes()


def test_recipe_is_recorded_and_a_mismatch_is_refused(tmp_path: Path) -> None:
    reg, _ = build_text_registry(tmp_path)
    part = read_text_part(reg)
    assert part is not None and part.recipe == Recipe()
    table, meta = read_table(reg)
    record = json.loads(read_extra(reg)[TEXT_KEY])
    record["recipe"]["n_word"] = 13
    from provenance.registry.store import write_table

    write_table(reg, table, meta, {TEXT_KEY: json.dumps(record).encode()})
    with pytest.raises(RegistryError, match=r"n_word 13 \(this version uses 8\)"):
        read_text_part(reg)


def test_missing_or_changed_arrays_are_refused(tmp_path: Path) -> None:
    reg, _ = build_text_registry(tmp_path)
    part = read_text_part(reg)
    assert part is not None
    bloom = sidecar(reg) / part.segments[0].name / "bloom.npy"
    data = bytearray(bloom.read_bytes())
    data[-1] ^= 0xFF
    bloom.write_bytes(bytes(data))
    check_text_part(part, reg)  # same size: only --verify reads the bytes
    with pytest.raises(RegistryError, match="sha256"):
        check_text_part(part, reg, verify=True)
    bloom.write_bytes(bytes(data[:-8]))
    with pytest.raises(RegistryError, match="bytes"):
        read_text_part(reg)
    bloom.unlink()
    with pytest.raises(RegistryError, match="missing"):
        read_text_part(reg)


def test_add_appends_a_segment_and_skips_registered_works(tmp_path: Path) -> None:
    reg, works = build_text_registry(tmp_path)
    more = tmp_path / "more"
    more.mkdir()
    (more / "essay.txt").write_text(english(40, 900), encoding="utf-8")
    (more / "novel.txt").write_text(works["isbn:111"], encoding="utf-8")  # same id as before: skipped
    meta = tmp_path / "more.csv"
    meta.write_text("file,work_id,title\nessay.txt,essay:1,An Essay\nnovel.txt,isbn:111,The Long Road\n")
    from provenance.registry.build import read_metadata

    rep = add_text(reg, more, read_metadata(meta))
    assert (rep.works_added, rep.skipped_existing, rep.total_works) == (1, 1, 6)
    part = read_text_part(reg)
    assert part is not None and len(part.segments) == 2
    assert _found(reg, words_of(english(40, 900), 300, 60)).get("essay:1", 0) >= 50
    assert _found(reg, words_of(works["isbn:111"], 1000, 60)).get("isbn:111", 0) >= 50
    # earlier revisions' files are gone; the two segments and one works table remain
    assert sorted(p.name.split("-")[0] for p in sidecar(reg).iterdir()) == ["seg", "seg", "works"]


def test_several_files_one_work_and_one_work_per_record(tmp_path: Path) -> None:
    root = tmp_path / "w"
    root.mkdir()
    a, b = english(50, 400), english(51, 400)
    (root / "ch1.txt").write_text(a)
    (root / "ch2.txt").write_text(b)
    with open(root / "poems.jsonl", "w") as fh:
        for i in range(3):
            fh.write(json.dumps({"id": f"p{i}", "title": f"Poem {i}", "text": chinese(60 + i, 300)}) + "\n")
    meta = tmp_path / "m.csv"
    meta.write_text("file,work_id,title,unit\nch1.txt,book:1,Book,\nch2.txt,book:1,Book,\npoems.jsonl,,,record\n")
    from provenance.registry.build import read_metadata

    rep = add_text(tmp_path / "r.parquet", root, read_metadata(meta))
    assert rep.total_works == 4 and not rep.errors
    tr = TextRegistry.open(tmp_path / "r.parquet")
    assert tr is not None
    assert sorted(tr.works_table.column("work_id").to_pylist()) == ["book:1", "p0", "p1", "p2"]
    # a passage across the two files of one work is one span of that work
    across = " ".join(a.split()[-40:] + b.split()[:40])
    assert _found(tmp_path / "r.parquet", across)["book:1"] >= 75


def test_export_then_import_into_another_registry(tmp_path: Path) -> None:
    reg, works = build_text_registry(tmp_path)
    shared = tmp_path / "shared" / "fingerprints.parquet"
    shared.parent.mkdir()
    rep = export_text(reg, shared)
    assert rep.total_works == 5
    assert read_table(shared)[0].num_rows == 0  # text only
    other_root = tmp_path / "other"
    other_root.mkdir()
    (other_root / "x.txt").write_text(english(70, 500))
    mine = tmp_path / "mine.parquet"
    add_text(mine, other_root)
    rep = import_text(mine, shared)
    assert rep.total_works == 6
    found = _found(mine, [words_of(works["isbn:111"], 10, 60), words_of(english(70, 500), 10, 60)])
    assert found.get("isbn:111", 0) >= 50 and found.get("x.txt", 0) >= 50
    with pytest.raises(RegistryError, match="already"):
        import_text(mine, shared)


def test_images_and_text_in_one_registry(tmp_path: Path) -> None:
    folder = tmp_path / "known"
    folder.mkdir()
    (folder / "photo.png").write_bytes(encode(make_photo(7), "PNG"))
    (folder / "story.txt").write_text(english(80, 600))
    reg = tmp_path / "reg.parquet"
    runner = CliRunner()
    res = runner.invoke(registry_cli, ["build", str(folder), "-o", str(reg), "--variants", "none", "-j", "1"])
    assert res.exit_code == 0, res.output
    assert "added 1 works (1 fingerprints)" in res.output and "text: added 1 works" in res.output
    assert Registry.load(reg).works == 1
    assert _found(reg, words_of(english(80, 600), 100, 60)).get("story.txt", 0) >= 50
    # adding an image keeps the text part, adding text keeps the images
    more = tmp_path / "more"
    more.mkdir()
    (more / "other.png").write_bytes(encode(make_photo(8), "PNG"))
    res = runner.invoke(registry_cli, ["add", str(reg), str(more), "-j", "1"])
    assert res.exit_code == 0, res.output
    assert read_text_part(reg) is not None and Registry.load(reg).works == 2
    (more / "poem.txt").write_text(chinese(81, 400))
    res = runner.invoke(registry_cli, ["add", str(reg), str(more / "poem.txt"), "-j", "1"])
    assert res.exit_code == 0, res.output
    assert Registry.load(reg).works == 2 and (read_text_part(reg) or pytest.fail()).works == 2
    res = runner.invoke(registry_cli, ["info", str(reg), "--verify"])
    assert res.exit_code == 0, res.output
    assert "text works:   2" in res.output and "sha256 verified" in res.output
    assert "GB per GB of text" in res.output
    csv_out, text_out = tmp_path / "hashes.csv", tmp_path / "text.parquet"
    assert runner.invoke(registry_cli, ["export", str(reg), "-o", str(csv_out)]).exit_code == 0
    assert len(read_hash_list(csv_out)) == 2
    res = runner.invoke(registry_cli, ["export", str(reg), "-o", str(text_out)])
    assert res.exit_code == 0 and "2 text works" in res.output, res.output
    # an image registry made before text works existed is still read as it was
    plain = tmp_path / "plain.parquet"
    build_registry(plain, folder / "photo.png")
    assert read_text_part(plain) is None and pq.read_schema(plain).metadata is not None


def test_fingerprints_ignore_what_corpora_do_to_text() -> None:
    text = english(90, 200)
    base = fingerprint(text, Recipe()).grams.hash
    edited = [
        text.upper(),
        " ".join(text.split()),  # rewrapped
        text.replace("'", "\u2019").replace(",", " ,"),
        "<p>" + text.replace("\n", "</p>\n<p>") + "</p><br/>",
        "".join(ch for ch in text if ch.isalnum() or ch.isspace()),  # punctuation stripped
    ]
    for e in edited:
        assert (fingerprint(e, Recipe()).grams.hash == base).all()
    zh = chinese(91, 200)
    zbase = fingerprint(zh, Recipe()).grams.hash
    spaced = "\n".join(zh[i:i + 20] for i in range(0, len(zh), 20)).replace("，", ",")
    assert (fingerprint(spaced, Recipe()).grams.hash == zbase).all()


def test_cli_builds_from_one_text_file_and_refuses_text_export_of_images(tmp_path: Path) -> None:
    story = tmp_path / "story.md"
    story.write_text(english(82, 300))
    reg = tmp_path / "r.parquet"
    runner = CliRunner()
    res = runner.invoke(registry_cli, ["build", str(story), "-o", str(reg), "-j", "1"])
    assert res.exit_code == 0 and "text: added 1 works" in res.output and "fingerprints)" not in res.output, res.output
    photo = tmp_path / "p.png"
    photo.write_bytes(encode(make_photo(9), "PNG"))
    images = tmp_path / "img.parquet"
    assert runner.invoke(registry_cli, ["build", str(photo), "-o", str(images), "-j", "1"]).exit_code == 0
    res = runner.invoke(registry_cli, ["export", str(images), "-o", str(tmp_path / "t.parquet")])
    assert res.exit_code == 1 and "holds no text works" in res.output
