"""Cases a review found where the gate passed over restrictive terms or a scan crashed."""

from __future__ import annotations

import json
from pathlib import Path

import provenance


def _scan(root: Path, out: Path, **kw):
    return provenance.scan(root, out, reports=False, **kw)


def _rows(result) -> dict[str, dict]:
    return {r["path"]: r for r in result.assets()}


def test_restrictive_record_values_without_a_license_name_fail(tree, tmp_path: Path) -> None:
    lines = [{"t": 1, "license": "All rights reserved"}, {"t": 2, "license": "non-commercial"},
             {"t": 3, "license": "cc-by-nc"}, {"t": 4, "license": "research only"}, {"t": 5, "license": "mit"}]
    root = tree({"LICENSE": "Released under the MIT License.\n",
                 "r.jsonl": "".join(json.dumps(x) + "\n" for x in lines)})
    result = _scan(root, tmp_path / "out")
    row = _rows(result)["r.jsonl"]
    assert row["license"] and "LicenseRef-All-Rights-Reserved" in row["license"]
    assert "use-restricted" in row["findings"] and result.exit_code == 1


def test_many_spellings_cannot_hide_a_restrictive_value(tree, tmp_path: Path) -> None:
    spellings = ["apache-2.0", "Apache-2.0", "APACHE-2.0", "apache-2.0 "]
    lines = [{"license": s + " " * i} for i in range(20) for s in spellings] + [{"license": "cc-by-nc-4.0"}] * 2
    root = tree({"r.jsonl": "".join(json.dumps(x) + "\n" for x in lines)})
    row = _rows(_scan(root, tmp_path / "out"))["r.jsonl"]
    assert row["license"] == "Apache-2.0 AND CC-BY-NC-4.0" and "use-restricted" in row["findings"]


def test_list_values_keep_their_own_operators(tree, tmp_path: Path) -> None:
    root = tree({"r.jsonl": json.dumps({"license": ["CC-BY-NC-4.0", "MIT OR Apache-2.0"]}) + "\n"})
    row = _rows(_scan(root, tmp_path / "out"))["r.jsonl"]
    assert row["license"] == "CC-BY-NC-4.0 AND (MIT OR Apache-2.0)" and row["use_class"] == "non-commercial"


def test_reservation_or_unreadable_terms_beside_a_grant_conflict(tree, tmp_path: Path) -> None:
    root = tree({
        "a/README.md": "---\nlicense: mit\n---\n", "a/LICENSE": "Copyright 2024 Acme. All rights reserved.\n",
        "a/x.txt": "x",
        "b/README.md": "---\nlicense: [mit, acme-proprietary-no-ai]\n---\n", "b/y.txt": "y",
    })
    rows = _rows(_scan(root, tmp_path / "out"))
    assert rows["a/x.txt"]["license"] == "LicenseRef-All-Rights-Reserved"
    assert "license-conflict" in rows["a/x.txt"]["findings"]
    assert "license-conflict" in rows["b/y.txt"]["findings"]


def test_lone_surrogates_in_values_do_not_crash_the_scan(tree, tmp_path: Path) -> None:
    root = tree({"r.jsonl": '{"license": "mit\\ud800"}\n', "README.md": '---\nlicense: "mit\\ud800"\n---\n'})
    result = _scan(root, tmp_path / "out")
    assert (tmp_path / "out/scan.json").is_file() and result.summary["assets"] == 2


def test_output_folder_must_not_be_the_corpus(tree) -> None:
    from click.testing import CliRunner

    from provenance.cli import main

    root = tree({"LICENSE": "Released under the MIT License.\n", "a.txt": "a"})
    res = CliRunner().invoke(main, ["scan", str(root), "-o", str(root)])
    assert res.exit_code == 2 and "scanned folder" in res.output
    res = CliRunner().invoke(main, ["scan", str(root), "-o", str(root.parent)])
    assert res.exit_code == 2
    assert sorted(p.name for p in root.iterdir()) == ["LICENSE", "a.txt"]


def test_bad_threshold_values_are_usage_errors() -> None:
    import pytest

    from provenance.errors import ConfigError
    from provenance.policy import parse_policy

    with pytest.raises(ConfigError, match="must be a number"):
        parse_policy({"thresholds": {"unlicensed": {"max_assets": "lots"}}})


def test_license_files_behind_followed_symlinks_count(tree, tmp_path: Path) -> None:
    import os

    root = tree({"README.md": "---\nlicense: mit\n---\n", "inside/LICENSE": "Released under CC0 1.0.\n"})
    ext = tmp_path / "ext"
    ext.mkdir()
    (ext / "LICENSE").write_text("Released under CC BY-NC 4.0.\n")
    (ext / "data.txt").write_text("d")
    os.symlink(ext, root / "sub")
    os.symlink(root / "inside", root / "alias")  # another name for a folder in the corpus
    result = _scan(root, tmp_path / "out", follow_symlinks=True)
    rows = _rows(result)
    assert rows["sub/data.txt"]["license"] == "CC-BY-NC-4.0" and "sub/LICENSE" in rows
    # the first name in walk order is scanned, the other is listed as skipped, not as an error
    assert "alias/LICENSE" in rows and "inside/LICENSE" not in rows and not result.errors
    assert {"path": "inside", "reason": "same folder as alias, scanned there"} in [dict(s) for s in result.skipped]


def test_declared_and_found_expressions_compare_as_licenses_not_strings(tree, tmp_path: Path) -> None:
    root = tree({"provenance.yaml": "sources:\n  - {path: 'd/**', license: MIT AND CC-BY-4.0}\n",
                 "d/README.md": "---\nlicense: [cc-by-4.0, mit]\n---\n", "d/x.txt": "x"})
    assert "license-conflict" not in _rows(_scan(root, tmp_path / "out"))["d/x.txt"]["findings"]


def test_csv_columns_are_text_and_duplicate_license_columns_are_read(tree, tmp_path: Path) -> None:
    body = "".join(f"{i},mit\n" for i in range(300_000)) + "abc,cc-by-nc-4.0\n"
    root = tree({"big.csv": "id,license\n" + body, "dup.csv": "license,text,license\ncc-by-nc-4.0,x,mit\n"})
    rows = _rows(_scan(root, tmp_path / "out"))
    assert rows["big.csv"]["error"] is None and rows["big.csv"]["records"] == 300_001
    assert "CC-BY-NC-4.0" in rows["big.csv"]["license"]
    assert rows["dup.csv"]["license"] == "CC-BY-NC-4.0"


def test_spdx_tags_in_utf16_files(tree, tmp_path: Path) -> None:
    root = tree({"README.md": "---\nlicense: mit\n---\n",
                 "w.txt": "\ufeffSPDX-License-Identifier: CC-BY-NC-4.0\nhello\n".encode("utf-16")})
    assert _rows(_scan(root, tmp_path / "out"))["w.txt"]["license"] == "CC-BY-NC-4.0"


def test_non_text_card_license_values_are_unidentified_evidence(tree, tmp_path: Path) -> None:
    root = tree({"LICENSE": "Released under the MIT License.\n", "d/README.md": "---\nlicense: 123\n---\n",
                 "d/x.txt": "x"})
    row = _rows(_scan(root, tmp_path / "out"))["d/x.txt"]
    # Unreadable terms in the sub-folder's card are weighed against the root's MIT: a conflict.
    assert row["license"] == "LicenseRef-Unknown" and "license-conflict" in row["findings"]


def test_an_unreadable_license_file_does_not_let_its_folder_inherit(tree, tmp_path: Path) -> None:
    root = tree({"LICENSE": "Released under the MIT License.\n", "a.txt": "top",
                 "sub/LICENSE": b"\x00\x9f\x92\x96 binary, not the terms", "sub/b.txt": "below",
                 "ok/LICENSE": "Released under the MIT License.\n", "ok/c.txt": "fine"})
    result = _scan(root, tmp_path / "out", max_errors=5)  # the read error alone would not stop the gate
    rows = _rows(result)
    assert rows["a.txt"]["license"] == "MIT" and rows["ok/c.txt"]["license"] == "MIT"
    below = rows["sub/b.txt"]
    assert below["license"] != "MIT" and "unknown-license" in below["findings"]
    assert "sub/LICENSE" in below["license_source"]
    assert any(e.path == "sub/LICENSE" for e in result.errors)


def test_csv_records_are_text_for_the_text_detectors(tree, tmp_path: Path) -> None:
    # An all-digit column is still text in a CSV (phone numbers), and a column that looks numeric
    # for the first block (1 MiB) and then holds words must not cut the sample short.
    filler = "".join(f"{i}," + ",".join(str(i * k + 100_000) for k in range(1, 9)) + "\n" for i in range(19_000))
    root = tree({"LICENSE": "Released under the MIT License.\n",
                 "phones.csv": "id,phone\n1,13812345678\n2,13912345678\n",
                 "late.csv": "id,a,b,c,d,e,f,g,note\n" + filler + "19000,1,2,3,4,5,6,7,联系电话 13812345678\n"})
    assert (root / "late.csv").stat().st_size > 2**20
    result = _scan(root, tmp_path / "out")
    rows = _rows(result)
    assert "personal-info" in rows["late.csv"]["findings"]
    assert "personal-info" in rows["phones.csv"]["findings"]


def _exit(root: Path, out: Path, **kw) -> tuple[int, dict[str, dict]]:
    result = _scan(root, out, **kw)
    return result.exit_code, _rows(result)


NC = "This dataset is licensed under CC BY-NC 4.0.\n"


def test_unidentified_specific_evidence_does_not_hide_a_folder_license(tree, tmp_path: Path) -> None:
    # Found by an adversarial review: each of these passed the gate although the folder is CC BY-NC.
    root = tree({"LICENSE": NC,
                 "d.jsonl": '{"text":"a","license":"N/A"}\n{"text":"b","license":"see LICENSE"}\n',
                 "a.txt": "SPDX-License-Identifier: NOASSERTION\nhello\n",
                 "sub/README.md": "---\nlicense: other\n---\n", "sub/x.txt": "t",
                 "unk/README.md": "---\nlicense: unknown\n---\n", "unk/y.txt": "t",
                 "u.jsonl": '{"text":"a","license":"unknown"}\n'})
    code, rows = _exit(root, tmp_path / "out")
    assert code == 1
    for path in ("d.jsonl", "a.txt", "u.jsonl"):  # records and headers that name nothing inherit, with a warning
        assert rows[path]["license"] == "CC-BY-NC-4.0", path
        assert {"use-restricted", "unknown-license"} <= set(rows[path]["findings"]), path
    for path in ("sub/x.txt", "unk/y.txt"):  # a sub-folder card that names nothing: weighed against the parent
        assert "license-conflict" in rows[path]["findings"] and rows[path]["use_class"] == "non-commercial", path


def test_license_unknown_on_its_own_is_an_unknown_license(tree, tmp_path: Path) -> None:
    root = tree({"README.md": "---\nlicense: unknown\n---\n", "x.txt": "t"})
    code, rows = _exit(root, tmp_path / "out")
    assert rows["x.txt"]["license"] == "LicenseRef-Unknown" and "unknown-license" in rows["x.txt"]["findings"]
    assert code == 0  # a warning by default (README: unknown terms ask for review)
    strict = tmp_path / "strict.yaml"
    strict.write_text("rules:\n  unknown-license: error\n")
    assert _exit(root, tmp_path / "strict", policy=strict)[0] == 1


def test_license_metadata_in_the_forms_found_in_the_wild(tree, tmp_path: Path) -> None:
    # More cases from the adversarial review, each read as MIT or unknown before (exit 0).
    mit = "Released under the MIT License.\n"
    root = tree({
        "LICENSE": mit,
        "u/d.jsonl": '{"text":"a","license":"https://creativecommons.org/licenses/by-nc-sa/4.0/legalcode"}\n',
        "v/d.jsonl": '{"text":"a","license":"https://creativecommons.org/licenses/by-nc-nd/4.0/deed.en"}\n',
        "w/README.md": "---\nlicense: other\nlicense_name: cc-by-nc-4.0\n---\n", "w/x.txt": "t",
        "x/README.md": "---\nlicense: other\nlicense_name: Our terms\n"
                       "license_link: https://creativecommons.org/licenses/by-nc/4.0/legalcode\n---\n", "x/x.txt": "t",
        "y/README.md": "---\nLicense: cc-by-nc-4.0\n---\n", "y/x.txt": "t",
        "z/README.md": "---\nlicenses:\n- cc-by-nc-4.0\n---\n", "z/x.txt": "t",
        "data/DATA_LICENSE.txt": "This dataset is licensed under CC BY-NC 4.0.\n", "data/x.txt": "t",
        "j/d.jsonl": '{"text":"a","License":"CC-BY-NC-4.0"}\n{"text":"b","license":null,'
                     '"license_url":"https://creativecommons.org/licenses/by-nc/4.0/"}\n',
    })
    code, rows = _exit(root, tmp_path / "out")
    assert code == 1
    expected = {"u/d.jsonl": "CC-BY-NC-SA-4.0", "v/d.jsonl": "CC-BY-NC-ND-4.0", "w/x.txt": "CC-BY-NC-4.0",
                "x/x.txt": "CC-BY-NC-4.0", "y/x.txt": "CC-BY-NC-4.0", "z/x.txt": "CC-BY-NC-4.0",
                "data/x.txt": "CC-BY-NC-4.0", "j/d.jsonl": "CC-BY-NC-4.0"}
    for path, lic in expected.items():
        assert rows[path]["license"] == lic, (path, rows[path]["license"])
        assert "use-restricted" in rows[path]["findings"], path
    assert rows["data/DATA_LICENSE.txt"]["kind"] == "license-file"


def test_what_the_walk_leaves_out_is_said(tree, tmp_path: Path) -> None:
    import pytest

    from provenance.errors import ConfigError

    root = tree({"LICENSE": "Released under the MIT License.\n", "ok.txt": "t", ".provenanceignore": "nc/\n",
                 "nc/LICENSE": "This dataset is licensed under CC BY-NC 4.0.\n", "nc/x.txt": "t",
                 "__pycache__/d.jsonl": '{"license":"cc-by-nc-4.0"}\n',
                 "data/nc/LICENSE": "This dataset is licensed under CC BY-NC 4.0.\n", "data/nc/x.txt": "t"})
    result = _scan(root, root / "report")  # an output folder inside the corpus is allowed while it is new
    params = result.to_dict()["parameters"]
    # nc/ and data/nc/ (gitignore rules), and __pycache__/
    assert params["ignore_patterns"] == ["nc/"] and params["ignored"] == 3
    assert {"path": "report", "reason": "this scan's output or cache folder; not scanned"} in result.skipped
    # A corpus folder full of data is not an output folder: refused instead of skipped and written into.
    with pytest.raises(ConfigError, match="holds files provenance did not write"):
        _scan(root, root / "data" / "nc")
    assert _scan(root, root / "report").exit_code == 0  # a previous output folder is fine (nc/ is left out on purpose)


def test_license_files_that_license_nothing(tree, tmp_path: Path) -> None:
    root = tree({"a/LICENSE": "", "a/x.txt": "t", "b/LICENSE": "TODO: add license\n", "b/x.txt": "t",
                 "c/LICENSE": "Copyright (c) 2023 Acme Corp.\n", "c/x.txt": "t",
                 "d/LICENSE": "Copyright (c) 2023 Acme Corp.\n\nPermission is hereby granted, free of charge, to any"
                              " person obtaining a copy of this software, under the MIT License.\n", "d/x.txt": "t"})
    code, rows = _exit(root, tmp_path / "out")
    assert code == 1
    assert "unlicensed" in rows["a/x.txt"]["findings"] and "unlicensed" in rows["b/x.txt"]["findings"]
    assert rows["c/x.txt"]["license"] == "LicenseRef-All-Rights-Reserved"
    assert "use-restricted" in rows["c/x.txt"]["findings"]
    assert rows["d/x.txt"]["license"] == "MIT"  # a copyright line above a grant is not a reservation


def test_sentences_that_restrict_use(tree, tmp_path: Path) -> None:
    mit = "Released under the MIT License.\n"
    root = tree({
        "a/LICENSE": "You may use the data for non-commercial purposes only.\n", "a/x.txt": "t",
        "b/LICENSE": "Permission is granted to use this dataset for academic research only.\n", "b/x.txt": "t",
        "c/LICENSE": "This dataset is licensed under CC BY 4.0. Commercial use is not permitted.\n", "c/x.txt": "t",
        "d/LICENSE": mit + "NOTE: the dataset may be used for non-commercial research purposes only.\n", "d/x.txt": "t",
        "LICENSE": mit,
        "e/README.md": "# Data\n\nThis dataset is provided for non-commercial research purposes only.\n",
        "e/x.txt": "t",
        "f/README.md": "# 数据\n\n本数据集仅供学术研究使用，禁止商业用途。\n", "f/x.txt": "t",
        "g/README.md": "# Notes\n\nWe thank the research community.\n", "g/x.txt": "t",
    })
    code, rows = _exit(root, tmp_path / "out")
    assert code == 1
    for folder in "abcdef":
        row = rows[f"{folder}/x.txt"]
        assert "use-restricted" in row["findings"], (folder, row["license"])
        assert row["use_class"] in ("non-commercial", "research-only"), folder
    assert rows["c/x.txt"]["license"] == "CC-BY-4.0 AND LicenseRef-Non-Commercial"
    assert rows["g/x.txt"]["license"] == "MIT"  # prose without a restriction changes nothing


def test_creative_commons_titles_and_plain_restrictions_in_values(tree, tmp_path: Path) -> None:
    root = tree({"LICENSE": "Released under the MIT License.\n",
                 "a/LICENSE": "Released under the terms of the Attribution-NonCommercial 4.0 International license.\n",
                 "a/x.txt": "t",
                 "b/d.jsonl": '{"text":"a","license":"not for commercial use"}\n',
                 "c/d.jsonl": '{"text":"a","license":"Attribution-NonCommercial-ShareAlike 4.0 International"}\n'})
    code, rows = _exit(root, tmp_path / "out")
    assert code == 1
    assert rows["a/x.txt"]["license"] == "CC-BY-NC-4.0"
    assert rows["b/d.jsonl"]["license"] == "LicenseRef-Non-Commercial"
    assert rows["c/d.jsonl"]["license"] == "CC-BY-NC-SA-4.0"


def test_records_of_a_json_document_and_restrictions_in_card_prose(tree, tmp_path: Path) -> None:
    root = tree({"LICENSE": "Released under the MIT License.\n",
                 "squad.json": '{"version":"1","data":[{"text":"a","license":"cc-by-nc-4.0"},{"text":"b"}]}',
                 "c/README.md": "---\nlicense: cc-by-4.0\n---\n# Data\n\nFor non-commercial research purposes only.\n",
                 "c/x.txt": "t"})
    code, rows = _exit(root, tmp_path / "out")
    assert code == 1
    assert rows["squad.json"]["records"] == 2 and "use-restricted" in rows["squad.json"]["findings"]
    assert rows["c/x.txt"]["license"] == "CC-BY-4.0 AND LicenseRef-Research-Only"


def test_license_fields_inside_a_meta_struct_column(tree, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.feather as feather
    import pyarrow.parquet as pq

    root = tree({"LICENSE": "Released under the MIT License.\n"})
    meta = [{"license": "cc-by-nc-4.0", "src": "x"}, {"license": None, "src": "y"}]
    table = pa.table({"text": ["a", "b"], "meta": meta})
    pq.write_table(table, root / "d.parquet")
    feather.write_feather(table, root / "d.arrow")
    code, rows = _exit(root, tmp_path / "out")
    assert code == 1
    for path in ("d.parquet", "d.arrow"):
        assert rows[path]["license"] == "CC-BY-NC-4.0 AND MIT" and "use-restricted" in rows[path]["findings"], path


def test_a_license_file_that_points_to_its_siblings_adds_no_conflict(tree, tmp_path: Path) -> None:
    # As in cryptography's and packaging's wheels: LICENSE only says where the terms are.
    root = tree({"LICENSE": "This software is made available under the terms of *either* of the licenses\n"
                            "found in LICENSE-MIT or LICENSE-APACHE.\n",
                 "LICENSE-MIT": "Released under the MIT License.\n",
                 "LICENSE-APACHE": "Licensed under the Apache License, Version 2.0.\n", "a.py": "print(1)\n"})
    code, rows = _exit(root, tmp_path / "out")
    assert rows["a.py"]["license"] == "Apache-2.0 OR MIT" and "license-conflict" not in rows["a.py"]["findings"]
    assert code == 0


def test_spdx_tags_in_license_files_survive_the_sibling_names_rule(tree, tmp_path: Path) -> None:
    root = tree({"LICENSE": "SPDX-License-Identifier: GPL-3.0-only\n", "a.py": "print(1)\n"})
    row = _rows(_scan(root, tmp_path / "out"))["a.py"]
    assert row["license"] == "GPL-3.0-only" and row["license_source"] == "LICENSE:1"
    assert json.loads(row["evidence_json"])[0]["matcher"] == "spdx-id"  # read as the tag, not as prose
