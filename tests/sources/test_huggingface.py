"""Hub ids and Hub caches, offline, against a cache made of plain files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from provenance.api import scan
from provenance.cli.scan import scan as scan_cmd
from provenance.errors import SourceError
from provenance.sources import open_source
from provenance.sources.huggingface import HubCacheSource, parse_hub_spec
from provenance.sources.interface import Entry, Skipped, Unreadable
from tests.hubcache import TOKEN_MARKER, add_dataset, card, jpeg_bytes, sha_of


def rows(out: Path) -> dict[str, dict[str, Any]]:
    return {r["path"]: r for r in pq.read_table(out / "assets.parquet").to_pylist()}


def no_token(out: Path) -> None:
    for path in out.rglob("*"):
        if path.is_file():
            assert TOKEN_MARKER.encode() not in path.read_bytes(), path


def test_parse_hub_spec() -> None:
    ref = parse_hub_spec("hf://datasets/org/name@v1.0")
    assert ref is not None and (ref.repo_id, ref.revision) == ("org/name", "v1.0")
    assert parse_hub_spec("hf:/datasets/org/name") == parse_hub_spec("hf://datasets/org/name")
    assert parse_hub_spec("/some/folder") is None
    with pytest.raises(SourceError):
        parse_hub_spec("hf://models/org/name")
    with pytest.raises(SourceError):
        parse_hub_spec("hf://datasets/../etc")


def test_hub_id_offline_paths_within_repo(hub_env: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = scan("hf://datasets/acme/permissive", out)
    assert result.passed
    (src,) = result.sources
    assert src["name"] == "acme/permissive"
    assert src["revision"] == sha_of("acme/permissive")
    assert src["details"]["repo_id"] == "acme/permissive"
    assert src["details"]["origin"] == "cache"
    assert set(src["details"]["configs"]["default"]) == {"train", "test"}
    assert result.parameters["root"] == f"hf://datasets/acme/permissive@{sha_of('acme/permissive')}"
    table = rows(out)
    assert set(table) == {"README.md", "data/train-00000-of-00001.parquet", "data/test-00000-of-00001.parquet"}
    assert table["data/train-00000-of-00001.parquet"]["license"] == "CC-BY-4.0"
    assert table["data/train-00000-of-00001.parquet"]["records"] == 3
    no_token(out)


def test_revision_by_branch_and_sha(hub_env: Path, tmp_path: Path) -> None:
    old = sha_of("acme/permissive", "old")
    add_dataset(hub_env, "acme/permissive", {"README.md": card("license: cc-by-nc-4.0"), "a.txt": b"x"},
                sha=old, refs=("v0",))
    for spec in ("hf://datasets/acme/permissive@v0", f"hf://datasets/acme/permissive@{old}"):
        out = tmp_path / spec[-6:]
        result = scan(spec, out)
        assert result.sources[0]["revision"] == old
        assert rows(out)["a.txt"]["license"] == "CC-BY-NC-4.0"
        assert not result.passed


def test_missing_dataset_and_revision_are_error_entries(hub_env: Path, tmp_path: Path) -> None:
    result = scan("hf://datasets/acme/absent", tmp_path / "a")
    assert result.exit_code == 3
    assert "not in the local Hub cache" in result.errors[0].reason
    result = scan("hf://datasets/acme/permissive@nope", tmp_path / "b")
    assert result.exit_code == 3
    assert "revision 'nope'" in result.errors[0].reason
    no_token(tmp_path)


def test_cache_one_source_per_dataset(hub_env: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = scan(hub_env, out)
    by_name = {s["name"]: s for s in result.sources}
    assert set(by_name) == {"acme/permissive", "acme/custom", "acme/nolicense", "acme/images",
                            "acme/strict-upstream", "acme/derived"}
    for name, s in by_name.items():
        assert s["revision"] == sha_of(name)
        assert s["kind"] == "huggingface"
        assert s["paths"] == f"{name}/**"
    assert set(by_name["acme/permissive"]["by_license"]) == {"CC-BY-4.0"}
    # The card names a custom license; its LICENSE says "research only": both apply.
    assert set(by_name["acme/custom"]["by_license"]) == {"LicenseRef-Research-Only AND LicenseRef-acme-data-license"}
    assert by_name["acme/nolicense"]["findings_by_rule"]["unlicensed"] == 1
    table = rows(out)
    images = table["acme/images/data/train-00000-of-00001.parquet"]
    values = {r["value"]: r["count"] for r in json.loads(images["record_licenses_json"]) if r["count"]}
    assert values == {"cc-by-4.0": 2, "cc-by-nc-4.0": 1, "cc0-1.0": 1}
    assert "use-restricted" in images["findings"]
    # A dataset without a license does not inherit another dataset's card.
    assert table["acme/nolicense/data.csv"]["license"] is None
    assert not result.passed
    assert result.errors == ()  # version.txt, .locks, models: not broken datasets
    no_token(out)


def test_legacy_dataset_without_org(hub_env: Path, tmp_path: Path) -> None:
    add_dataset(hub_env, "legacy", {"README.md": card("license: mit"), "a.txt": b"hi"})
    result = scan("hf://datasets/legacy", tmp_path / "one")
    assert result.passed and result.sources[0]["name"] == "legacy"
    result = scan(hub_env, tmp_path / "all")
    assert "legacy" in {s["name"] for s in result.sources}


def test_hf_home_is_accepted_as_cache(hub_env: Path) -> None:
    source = open_source(hub_env.parent)
    assert isinstance(source, HubCacheSource)
    assert "acme/derived" in source.children


def test_links_out_of_the_repo_are_skipped(hub_env: Path, tmp_path: Path) -> None:
    secret = tmp_path / "outside.txt"
    secret.write_text("not part of the dataset")
    snap = add_dataset(hub_env, "acme/linked", {"README.md": card("license: mit")})
    os.symlink(secret, snap / "escape.txt")
    source = open_source("hf://datasets/acme/linked")
    assert source is not None
    listed = list(source.entries())
    assert [e.asset.path for e in listed if isinstance(e, Entry)] == ["README.md"]
    assert any(isinstance(e, Skipped) and e.path == "escape.txt" for e in listed)


def test_broken_cache_entry_is_reported(hub_env: Path, tmp_path: Path) -> None:
    (hub_env / "datasets--acme--broken").mkdir()  # no snapshots, no refs
    source = open_source(hub_env)
    assert source is not None
    problems = [e for e in source.entries() if isinstance(e, Unreadable)]
    assert problems and all(p.reason for p in problems)


def test_cli_scans_hub_id_and_never_prints_token(hub_env: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    res = CliRunner().invoke(scan_cmd, ["hf://datasets/acme/strict-upstream", "-o", str(out), "--json"])
    assert res.exit_code == 1, res.output
    assert TOKEN_MARKER not in res.output
    summary = json.loads(res.output)
    assert summary
    data = json.loads((out / "scan.json").read_text())
    assert data["sources"][0]["revision"] == sha_of("acme/strict-upstream")
    no_token(out)


def test_save_to_disk_folder_license(tmp_path: Path, hub_env: Path) -> None:
    import datasets

    ds = datasets.Dataset.from_dict({"text": ["a", "b"]}, info=datasets.DatasetInfo(license="cc-by-sa-4.0"))
    folder = tmp_path / "saved"
    ds.save_to_disk(str(folder))
    out = tmp_path / "out"
    result = scan(folder, out)
    arrow = [r for p, r in rows(out).items() if p.endswith(".arrow")]
    assert arrow and all(r["license"] == "CC-BY-SA-4.0" for r in arrow)
    assert all(r["records"] == 2 for r in arrow)
    assert result.sources[0]["kind"] == "datasets-saved"


def test_cache_without_main_ref_uses_newest_snapshot(hub_env: Path, tmp_path: Path) -> None:
    add_dataset(hub_env, "acme/tagged", {"README.md": card("license: mit"), "a.txt": b"x"}, refs=("v1",))
    result = scan("hf://datasets/acme/tagged", tmp_path / "out")
    details = result.sources[0]["details"]
    assert result.sources[0]["revision"] == sha_of("acme/tagged")
    assert "newest cached snapshot" in details["note"] and details["refs"] == ["v1"]
    assert result.passed


def test_other_cached_revisions_are_recorded(hub_env: Path, tmp_path: Path) -> None:
    old = sha_of("acme/permissive", "old")
    add_dataset(hub_env, "acme/permissive", {"README.md": card("license: mit")}, sha=old, refs=("v0",))
    result = scan("hf://datasets/acme/permissive", tmp_path / "out")
    assert result.sources[0]["details"]["other_cached_revisions"] == [old]


def test_missing_blob_is_an_error_entry(hub_env: Path, tmp_path: Path) -> None:
    snap = add_dataset(hub_env, "acme/partial", {"README.md": card("license: mit"), "a.txt": b"x"}, blobs=True)
    (snap / "a.txt").resolve().unlink()
    result = scan("hf://datasets/acme/partial", tmp_path / "out")
    assert [e.path for e in result.errors] == ["a.txt"]


def test_webdataset_shards_in_a_cached_dataset(hub_env: Path, tmp_path: Path) -> None:
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in (("000000.jpg", jpeg_bytes(0)), ("000000.json", b'{"license": "cc-by-nc-4.0"}'),
                           ("000001.jpg", jpeg_bytes(1)), ("000001.json", b'{"url": "https://a.com/1"}')):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    add_dataset(hub_env, "acme/wds", {"README.md": card("license: cc-by-4.0"),
                                      "shards/shard-0000.tar": buf.getvalue()})
    out = tmp_path / "out"
    scan("hf://datasets/acme/wds", out)
    table = rows(out)
    assert table["shards/shard-0000.tar!000000.jpg"]["license"] == "CC-BY-NC-4.0"
    assert table["shards/shard-0000.tar!000001.jpg"]["license"] == "CC-BY-4.0"  # no sidecar license: the card's


def test_redact_hides_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance.hub import redact

    monkeypatch.setenv("HF_TOKEN", TOKEN_MARKER)
    text = redact(f"401 for url with Authorization: Bearer {TOKEN_MARKER} and hf_abcdefghijklmnopqrstuvwxyz123")
    assert TOKEN_MARKER not in text and "hf_abcdefghijklmnopqrstuvwxyz123" not in text


def test_one_cached_repo_folder_or_snapshot(hub_env: Path, tmp_path: Path) -> None:
    repo = hub_env / "datasets--acme--permissive"
    result = scan(repo, tmp_path / "a")
    assert result.sources[0]["name"] == "acme/permissive" and result.passed
    assert "data/train-00000-of-00001.parquet" in rows(tmp_path / "a")  # blobs are read through the links
    snap = repo / "snapshots" / sha_of("acme/permissive")
    result = scan(snap, tmp_path / "b")
    assert result.sources[0]["revision"] == sha_of("acme/permissive")
