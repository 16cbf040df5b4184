"""License metadata in the forms found in the wild: card keys in any case, CC URLs and titles,
JSON and CSV record fields, struct columns, SPDX tags in UTF-16 files and in license files."""

from __future__ import annotations

import json
from pathlib import Path

import provenance


def _scan(root: Path, out: Path, **kw):
    return provenance.scan(root, out, reports=False, **kw)


def _rows(result) -> dict[str, dict]:
    return {r["path"]: r for r in result.assets()}


def _exit(root: Path, out: Path, **kw) -> tuple[int, dict[str, dict]]:
    result = _scan(root, out, **kw)
    return result.exit_code, _rows(result)


NC = "This dataset is licensed under CC BY-NC 4.0.\n"


def test_lone_surrogates_in_values_do_not_crash_the_scan(tree, tmp_path: Path) -> None:
    root = tree({"r.jsonl": '{"license": "mit\\ud800"}\n', "README.md": '---\nlicense: "mit\\ud800"\n---\n'})
    result = _scan(root, tmp_path / "out")
    assert (tmp_path / "out/scan.json").is_file() and result.summary["assets"] == 2


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


def test_a_quoted_spdx_tag_that_is_no_expression_is_a_mention(tree, tmp_path: Path) -> None:
    """Code that talks about the tag (a docstring, a regular expression) is not a broken tag: it was
    an `unknown-license` warning on provenance's own headers.py. A quoted tag that parses still counts."""
    root = tree({
        "LICENSE": "Released under the MIT License.\n",
        "tags.py": '"""Reads `SPDX-License-Identifier:` lines in code."""\n'
                   'TAG = re.compile(r"SPDX-License-Identifier:\\s*(?P<expr>.*)")\n',
        "doc.py": '"""SPDX-License-Identifier: Apache-2.0"""\nimport os\n',
        "broken.py": "# SPDX-License-Identifier: MIT OR OR\nimport os\n",
    })
    rows = _rows(_scan(root, tmp_path / "out"))
    assert rows["tags.py"]["license"] == "MIT" and "unknown-license" not in rows["tags.py"]["findings"]
    assert rows["doc.py"]["license"] == "Apache-2.0"
    assert "unknown-license" in rows["broken.py"]["findings"]  # an unquoted tag that does not parse is said


def test_non_text_card_license_values_are_unidentified_evidence(tree, tmp_path: Path) -> None:
    root = tree({"LICENSE": "Released under the MIT License.\n", "d/README.md": "---\nlicense: 123\n---\n",
                 "d/x.txt": "x"})
    row = _rows(_scan(root, tmp_path / "out"))["d/x.txt"]
    # Unreadable terms in the sub-folder's card are weighed against the root's MIT: a conflict.
    assert row["license"] == "LicenseRef-Unknown" and "license-conflict" in row["findings"]


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


def test_spdx_tags_in_license_files_survive_the_sibling_names_rule(tree, tmp_path: Path) -> None:
    root = tree({"LICENSE": "SPDX-License-Identifier: GPL-3.0-only\n", "a.py": "print(1)\n"})
    row = _rows(_scan(root, tmp_path / "out"))["a.py"]
    assert row["license"] == "GPL-3.0-only" and row["license_source"] == "LICENSE:1"
    assert json.loads(row["evidence_json"])[0]["matcher"] == "spdx-id"  # read as the tag, not as prose
