"""Registry files: real Parquet in tmp_path, recipe checked on load, exact Hamming search."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.errors import RegistryError
from provenance.images import Fingerprint, fingerprint_bytes
from provenance.registry import Registry, read_meta
from provenance.registry.build import add_to_registry, build_registry, read_hash_list, write_hash_list
from provenance.registry.search import within
from provenance.registry.store import META_KEY
from tests.imgfixtures import encode, make_photo


def test_build_and_load_round_trip(works_dir: Path, tmp_path: Path) -> None:
    meta_csv = tmp_path / "works.csv"
    meta_csv.write_text("file,title,owner,rights\nb.jpg,Harbour at Dawn,Studio Nord,All rights reserved\n")
    out = tmp_path / "reg.parquet"
    rep = build_registry(out, works_dir, metadata=meta_csv, variants=("crop-c", "rot+5"))
    assert (rep.works_added, rep.rows_added, rep.errors) == (5, 15, ())
    reg = Registry.load(out)
    assert reg.works == 5 and len(reg) == 15
    assert reg.meta.variants == ("crop-c", "rot+5")
    table = pq.read_table(out)
    rows = [r for r in table.to_pylist() if r["file"] == "b.jpg"]
    assert {r["title"] for r in rows} == {"Harbour at Dawn"}
    assert {r["owner"] for r in rows} == {"Studio Nord"}
    assert sorted(r["variant"] for r in rows) == ["crop-c", "original", "rot+5"]
    # The registered original matches itself exactly.
    fp = fingerprint_bytes((works_dir / "b.jpg").read_bytes())
    assert isinstance(fp, Fingerprint)
    best = reg.match(fp)[0]
    assert best.work.title == "Harbour at Dawn"
    assert (best.phash_distance, best.dhash_distance, best.mirrored) == (0, 0, False)
    assert not list(tmp_path.glob(".reg.parquet.*"))  # atomic write left no temp file


def test_registry_built_another_way_is_refused(works_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "reg.parquet"
    build_registry(out, works_dir)
    table = pq.read_table(out)
    meta = json.loads(table.schema.metadata[META_KEY])
    meta["algorithm"] = "imagehash.phash(hash_size=16,highfreq_factor=4)+dhash(16)"
    other = tmp_path / "other.parquet"
    pq.write_table(table.replace_schema_metadata({META_KEY: json.dumps(meta).encode()}), other)
    with pytest.raises(RegistryError, match=r"built with algorithm .*hash_size=16.*Rebuild"):
        read_meta(other)


def test_not_a_registry_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain.parquet"
    pq.write_table(pq.read_table(_tiny_table(tmp_path)).replace_schema_metadata({}), plain)
    with pytest.raises(RegistryError, match="not a provenance registry"):
        read_meta(plain)
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"not parquet")
    with pytest.raises(RegistryError, match="not a readable Parquet"):
        read_meta(junk)
    with pytest.raises(RegistryError, match="not found"):
        read_meta(tmp_path / "missing.parquet")


def _tiny_table(tmp_path: Path) -> Path:
    csv = tmp_path / "h.csv"
    csv.write_text("phash,title\n0123456789abcdef,x\n")
    out = tmp_path / "tiny.parquet"
    build_registry(out, hash_lists=[csv])
    return out


def test_hash_list_import_matches_without_images(tmp_path: Path) -> None:
    img = make_photo(42)
    fp = fingerprint_bytes(encode(img, "PNG"))
    assert isinstance(fp, Fingerprint)
    csv = tmp_path / "hashes.csv"
    csv.write_text(
        "phash,dhash,title,owner\n"
        f"{fp.phash_hex},{fp.dhash_hex},Night Train,Rail Photo Ltd\n"
        f"{fp.phash ^ 0xFFFF_0000_0000_0000:016x},,Unrelated,Someone\n"
    )
    out = tmp_path / "reg.parquet"
    build_registry(out, hash_lists=[csv])
    reg = Registry.load(out)
    copy = fingerprint_bytes(encode(img.resize((200, 150)), "JPEG", quality=40))
    assert isinstance(copy, Fingerprint)
    matches = reg.match(copy)
    assert [m.work.title for m in matches] == ["Night Train"]
    assert matches[0].work.owner == "Rail Photo Ltd"


def test_hash_list_with_bad_hex_is_refused(tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text("phash,title\nxyz,broken\n")
    with pytest.raises(RegistryError, match="line 2: phash must be 16 hex digits"):
        read_hash_list(csv)


def test_phash_only_rows_need_a_closer_phash(tmp_path: Path) -> None:
    fp = Fingerprint(0, 0, 0, 0, 0, 100, 100)
    csv = tmp_path / "h.csv"
    csv.write_text("phash,title\n00000000000000ff,eight-bits-away\n0000000000000007,three-bits-away\n")
    out = tmp_path / "reg.parquet"
    build_registry(out, hash_lists=[csv])
    titles = [m.work.title for m in Registry.load(out).match(fp)]
    assert titles == ["three-bits-away"]


def test_export_then_import_gives_the_same_fingerprints(works_dir: Path, tmp_path: Path) -> None:
    reg_path = tmp_path / "reg.parquet"
    build_registry(reg_path, works_dir, variants=("crop-c",))
    csv = tmp_path / "shared.csv"
    assert write_hash_list(reg_path, csv) == 10
    again = tmp_path / "again.parquet"
    build_registry(again, hash_lists=[csv])
    a, b = pq.read_table(reg_path), pq.read_table(again)
    for col in ("work_id", "variant", "phash", "dhash", "width", "height"):
        assert a.column(col).to_pylist() == b.column(col).to_pylist()


def test_add_skips_registered_works(works_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "reg.parquet"
    build_registry(out, works_dir, variants=("crop-c",))
    more = works_dir / "more"
    more.mkdir()
    (more / "f.png").write_bytes(encode(make_photo(77), "PNG"))
    rep = add_to_registry(out, works_dir)
    assert (rep.works_added, rep.rows_added, rep.skipped_existing) == (1, 2, 5)
    assert (rep.total_works, rep.total_rows) == (6, 12)
    assert Registry.load(out).meta.variants == ("crop-c",)


def test_bad_reference_images_are_reported_not_fatal(works_dir: Path, tmp_path: Path) -> None:
    (works_dir / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0garbage")
    rep = build_registry(tmp_path / "reg.parquet", works_dir)
    assert rep.works_added == 5
    assert [f for f, _ in rep.errors] == ["broken.jpg"]


def test_build_with_process_pool_equals_serial(works_dir: Path, tmp_path: Path) -> None:
    build_registry(tmp_path / "s.parquet", works_dir, variants=("crop-c",), jobs=1)
    build_registry(tmp_path / "p.parquet", works_dir, variants=("crop-c",), jobs=2)
    s, p = pq.read_table(tmp_path / "s.parquet"), pq.read_table(tmp_path / "p.parquet")
    assert s.column("phash").to_pylist() == p.column("phash").to_pylist()


@settings(max_examples=40, deadline=None)
@given(codes=st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=300),
       query=st.integers(0, 2**64 - 1), radius=st.integers(0, 64))
def test_vectorised_search_equals_python(codes: list[int], query: int, radius: int) -> None:
    arr = np.array(codes, dtype=np.uint64)
    idx, dist = within(arr, query, radius)
    dists = [(c ^ query).bit_count() for c in codes]
    expected = [(i, d) for i, d in enumerate(dists) if d <= radius]
    assert list(zip(idx.tolist(), dist.tolist(), strict=True)) == expected


def test_faiss_and_numpy_scans_agree() -> None:
    pytest.importorskip("faiss")
    from provenance.registry.search import CodeIndex

    rng = np.random.default_rng(3)
    codes = rng.integers(0, 2**64, size=5000, dtype=np.uint64, endpoint=False)
    fast, plain = CodeIndex(codes, use_faiss=True), CodeIndex(codes, use_faiss=False)
    assert (fast.backend, plain.backend) == ("faiss", "numpy")
    for q in [int(codes[7]), int(codes[9]) ^ 0xFF, 12345]:
        for radius in (0, 8, 22):
            assert fast.within(q, radius).tolist() == plain.within(q, radius).tolist()


def test_faiss_is_the_default_and_survives_fork() -> None:
    faiss = pytest.importorskip("faiss")
    import multiprocessing as mp

    from provenance.registry.search import CodeIndex

    rng = np.random.default_rng(5)
    codes = rng.integers(0, 2**64, size=20000, dtype=np.uint64, endpoint=False)
    index = CodeIndex(codes)
    assert index.backend == "faiss" and faiss.omp_get_max_threads() == 1
    expected = index.within(int(codes[11]), 22).tolist()
    assert 11 in expected
    # Many queries at once open an OpenMP parallel region when threads > 1.
    index._faiss.range_search(np.zeros((64, 8), np.uint8), 23)  # type: ignore[attr-defined]
    # A child forked after the parent searched must be able to search too (a libgomp pool
    # with threads hung here).
    _FORKED["index"] = index
    ctx = mp.get_context("fork")
    with ctx.Pool(1) as pool:
        result = pool.apply_async(_search_in_child, (int(codes[11]),))
        assert result.get(timeout=60) == expected


_FORKED: dict[str, object] = {}  # the faiss index reaches the child by fork, not by pickle


def _search_in_child(query: int) -> list[int]:
    return _FORKED["index"].within(query, 22).tolist()  # type: ignore[attr-defined]


def test_numpy_backend_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance.registry.search import CodeIndex

    monkeypatch.setenv("PROVENANCE_FAISS", "0")
    codes = np.arange(100, dtype=np.uint64)
    assert CodeIndex(codes).backend == "numpy"
    assert CodeIndex(codes).within(0, 1).tolist() == [0, 1, 2, 4, 8, 16, 32, 64]


def test_hash_list_with_bad_size_is_refused(tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text("phash,width\n0123456789abcdef,wide\n")
    with pytest.raises(RegistryError, match="line 2: width is not a whole number"):
        read_hash_list(csv)


def test_metadata_needs_a_file_column(works_dir: Path, tmp_path: Path) -> None:
    meta = tmp_path / "works.csv"
    meta.write_text("name,title\na.png,x\n")
    with pytest.raises(RegistryError, match="needs a 'file' column"):
        build_registry(tmp_path / "r.parquet", works_dir, metadata=meta)
    meta.write_text("filename,title\na.png,Red Square\n")
    build_registry(tmp_path / "r.parquet", works_dir, metadata=meta)
    assert "Red Square" in pq.read_table(tmp_path / "r.parquet").column("title").to_pylist()


def test_rotation_variants_need_a_closer_match(tmp_path: Path) -> None:
    ten_bits = f"{(1 << 10) - 1:016x}"
    csv = tmp_path / "h.csv"
    csv.write_text("work_id,variant,phash,dhash,shash\n"
                   f"plain,original,{ten_bits},{ten_bits},{0:016x}\n"
                   f"turned,rot+4,{ten_bits},{ten_bits},{0:016x}\n")
    out = tmp_path / "reg.parquet"
    build_registry(out, hash_lists=[csv])
    far = (1 << 64) - 1
    query = Fingerprint(0, 0, 0, far, far, 100, 100)  # pHash 10 + dHash 10 = 20 from both rows
    assert [m.work.work_id for m in Registry.load(out).match(query)] == ["plain"]
