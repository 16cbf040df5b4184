"""Descriptors kept beside the data are metadata, not data, and the license they declare is evidence."""

from __future__ import annotations

import json
from pathlib import Path

import datasets

import provenance


def _rows(result) -> dict[str, dict]:
    return {r["path"]: r for r in result.assets(columns=["path", "kind", "license", "findings"])}


def test_a_save_to_disk_folder_passes_like_the_same_data_through_scan_dataset(tmp_path: Path) -> None:
    ds = datasets.Dataset.from_dict({"text": ["a", "b", "c"]}, info=datasets.DatasetInfo(license="cc-by-4.0"))
    datasets.DatasetDict({"train": ds, "test": ds}).save_to_disk(str(tmp_path / "saved"))
    folder = provenance.scan(tmp_path / "saved", tmp_path / "out", reports=False)
    rows = _rows(folder)
    assert folder.exit_code == 0, folder.verdict.reasons
    for meta in ("dataset_dict.json", "train/dataset_info.json", "train/state.json"):
        assert rows[meta]["kind"] == "dataset-metadata" and not rows[meta]["findings"]
    assert rows["train/data-00000-of-00001.arrow"]["license"] == "CC-BY-4.0"
    direct = provenance.scan_dataset(ds, "direct", tmp_path / "direct")
    assert direct.exit_code == folder.exit_code == 0


def test_without_a_license_the_data_fails_and_the_descriptors_do_not(tmp_path: Path) -> None:
    datasets.Dataset.from_dict({"text": ["a"]}).save_to_disk(str(tmp_path / "saved"))
    result = provenance.scan(tmp_path / "saved", tmp_path / "out", reports=False)
    rows = _rows(result)
    assert dict(result.verdict.failed) == {"unlicensed": 1}
    assert rows["data-00000-of-00001.arrow"]["findings"] == ["unlicensed"]
    assert rows["state.json"]["kind"] == "dataset-metadata"


def test_a_state_json_that_is_not_beside_a_dataset_info_is_data(tree, tmp_path: Path) -> None:
    root = tree({"state.json": '[{"text": "a"}]', "sub/dataset_info.json": "{}", "sub/state.json": "{}"})
    rows = _rows(provenance.scan(root, tmp_path / "out", reports=False))
    assert rows["state.json"]["kind"] == "table" and "unlicensed" in rows["state.json"]["findings"]
    assert rows["sub/state.json"]["kind"] == "dataset-metadata"


def test_descriptors_of_other_formats_license_their_folder(tree, tmp_path: Path) -> None:
    root = tree({
        "fd/datapackage.json": json.dumps({"name": "x", "licenses": [{"name": "CC-BY-4.0", "path": "..."}]}),
        "fd/data.csv": "a,b\n1,2\n",
        "cr/croissant.json": json.dumps({"@type": "sc:Dataset",
                                         "license": "https://creativecommons.org/licenses/by-nc/4.0/"}),
        "cr/data.jsonl": '{"text": "a"}\n',
        "kg/dataset-metadata.json": json.dumps({"title": "t", "licenses": [{"name": "CC0-1.0"}]}),
        "kg/data.txt": "t",
        "zn/CITATION.cff": "cff-version: 1.2.0\ntitle: t\nlicense: MIT\n",
        "zn/x.py": "print(1)\n",
        ".gitattributes": "*.parquet filter=lfs diff=lfs merge=lfs -text\n",
    })
    result = provenance.scan(root, tmp_path / "out", reports=False)
    rows = _rows(result)
    assert rows["fd/data.csv"]["license"] == "CC-BY-4.0"
    assert rows["cr/data.jsonl"]["license"] == "CC-BY-NC-4.0" and "use-restricted" in rows["cr/data.jsonl"]["findings"]
    assert rows["kg/data.txt"]["license"] == "CC0-1.0"
    assert rows["zn/x.py"]["license"] == "MIT"
    assert rows[".gitattributes"]["kind"] == "dataset-metadata" and not rows[".gitattributes"]["findings"]


def test_legacy_infos_with_prose_warn_and_do_not_contradict_the_card(tree, tmp_path: Path) -> None:
    infos = {"plain": {"license": ""}, "other": {"license": "The dataset is distributed under the terms the"
                                                            " original authors chose; see their site."}}
    root = tree({"README.md": "---\nlicense: cc-by-4.0\n---\n", "dataset_infos.json": json.dumps(infos),
                 "data/train.jsonl": '{"text": "a"}\n'})
    rows = _rows(provenance.scan(root, tmp_path / "out", reports=False))
    assert rows["data/train.jsonl"]["license"] == "CC-BY-4.0"
    assert "license-conflict" not in rows["data/train.jsonl"]["findings"]
    assert rows["dataset_infos.json"]["findings"] == ["unknown-license"]
