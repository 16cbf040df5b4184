"""License resolution on evidence as it is written in real corpora: restrictive values without a
license name, reservations and unreadable terms beside grants, evidence that names no terms,
license files that license nothing or only point to their siblings, sentences that restrict use."""

from __future__ import annotations

import json
from pathlib import Path

import provenance
from provenance.licensing.identify.reference import load_bundle


def _scan(root: Path, out: Path, **kw):
    return provenance.scan(root, out, reports=False, **kw)


def _rows(result) -> dict[str, dict]:
    return {r["path"]: r for r in result.assets()}


def _exit(root: Path, out: Path, **kw) -> tuple[int, dict[str, dict]]:
    result = _scan(root, out, **kw)
    return result.exit_code, _rows(result)


NC = "This dataset is licensed under CC BY-NC 4.0.\n"


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


def test_declared_and_found_expressions_compare_as_licenses_not_strings(tree, tmp_path: Path) -> None:
    root = tree({"provenance.yaml": "sources:\n  - {path: 'd/**', license: MIT AND CC-BY-4.0}\n",
                 "d/README.md": "---\nlicense: [cc-by-4.0, mit]\n---\n", "d/x.txt": "x"})
    assert "license-conflict" not in _rows(_scan(root, tmp_path / "out"))["d/x.txt"]["findings"]


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


def test_a_license_file_that_points_to_its_siblings_adds_no_conflict(tree, tmp_path: Path) -> None:
    # As in cryptography's and packaging's wheels: LICENSE only says where the terms are.
    root = tree({"LICENSE": "This software is made available under the terms of *either* of the licenses\n"
                            "found in LICENSE-MIT or LICENSE-APACHE.\n",
                 "LICENSE-MIT": "Released under the MIT License.\n",
                 "LICENSE-APACHE": "Licensed under the Apache License, Version 2.0.\n", "a.py": "print(1)\n"})
    code, rows = _exit(root, tmp_path / "out")
    assert rows["a.py"]["license"] == "Apache-2.0 OR MIT" and "license-conflict" not in rows["a.py"]["findings"]
    assert code == 0


def test_grants_are_not_restrictions_and_restating_a_restriction_adds_nothing(tree, tmp_path: Path) -> None:
    root = tree({
        "a/README.md": "---\nlicense: cc-by-4.0\n---\n# Data\n\nThe data may be used for commercial and"
                       " non-commercial purposes, with attribution.\n",
        "a/x.txt": "t",
        "b/README.md": "---\nlicense: cc-by-nc-sa-4.0\n---\n# 数据\n\n本数据集仅限非商业用途。\n",
        "b/x.txt": "t",
        "c/README.md": "---\nlicense: cc-by-nc-4.0\n---\n# Data\n\nFor academic research purposes only.\n",
        "c/x.txt": "t",
        "d/README.md": "---\nlicense: mit\n---\n# 数据\n\n本数据可用于商业和非商业用途。\n",
        "d/x.txt": "t",
        # a contrast with other datasets' terms, in a card that grants academic or commercial use
        "e/README.md": "---\nlicense: cc-by-sa-3.0\n---\n# Instructions\n\nWe wrote every pair ourselves. Unlike"
                       " corpora that are limited to non-commercial use, this one may be used for any purpose,"
                       " including academic or commercial applications.\n",
        "e/x.jsonl": '{"text": "t"}\n',
    })
    code, rows = _exit(root, tmp_path / "out")
    assert rows["a/x.txt"]["license"] == "CC-BY-4.0" and "use-restricted" not in rows["a/x.txt"]["findings"]
    assert rows["b/x.txt"]["license"] == "CC-BY-NC-SA-4.0"  # the sentence restricts no further
    assert rows["c/x.txt"]["license"] == "CC-BY-NC-4.0 AND LicenseRef-Research-Only"  # research-only is tighter
    assert rows["d/x.txt"]["license"] == "MIT"
    assert rows["e/x.jsonl"]["license"] == "CC-BY-SA-3.0"
    assert code == 1


APACHE = "Licensed under the Apache License, Version 2.0.\n"


def test_scoped_license_files_each_cover_their_part(tree, tmp_path: Path) -> None:
    root = tree({
        "LICENSE": APACHE,
        "DATA_LICENSE": "The data is released under CC BY-NC 4.0.\n",
        "MODEL_LICENSE": "The model weights are licensed under the GNU Affero General Public License v3.0 only.\n",
        "WEIGHT_DIFF_LICENSE": "Released under CC BY-NC 4.0.\n",
        "train.py": "print('train')\n", "requirements.txt": "torch\n", "configs/run.json": '{"lr": 0.1}',
        "model_card.md": "# Model card\n", "data/sft.jsonl": '{"text": "a"}\n', "weights/model.safetensors": b"\0" * 8,
    })
    code, rows = _exit(root, tmp_path / "out")
    for path in ("train.py", "requirements.txt", "configs/run.json", "model_card.md"):
        assert rows[path]["license"] == "Apache-2.0", (path, rows[path]["license"])
        assert "use-restricted" not in rows[path]["findings"]
    assert rows["data/sft.jsonl"]["license"] == "CC-BY-NC-4.0"
    # both MODEL_LICENSE and WEIGHT_DIFF_LICENSE speak for the weights: both apply
    assert rows["weights/model.safetensors"]["license"] == "AGPL-3.0-only AND CC-BY-NC-4.0"
    assert rows["MODEL_LICENSE"]["kind"] == rows["WEIGHT_DIFF_LICENSE"]["kind"] == "license-file"
    assert not any("license-conflict" in r["findings"] for r in rows.values())
    assert code == 1  # the data is non-commercial


def test_a_software_and_a_content_license_side_by_side_split_code_and_data(tree, tmp_path: Path) -> None:
    root = tree({
        "LICENSE.GPL": "This program is free software: you can redistribute it under the GNU General Public"
                       " License version 3 or (at your option) any later version.\n",
        "LICENSE.CC-BY": "Licensed under a Creative Commons Attribution 4.0 International License.\n",
        "bench.py": "print(1)\n", "results.jsonl": '{"text": "a"}\n',
        "vendor/LICENSE": "Released under the MIT License.\n",
        "vendor/LICENSE.third-party": "The bundled font is released under CC BY 4.0.\n", "vendor/v.txt": "v",
    })
    _, rows = _exit(root, tmp_path / "out")
    assert rows["results.jsonl"]["license"] == "CC-BY-4.0" and "share-alike" not in rows["results.jsonl"]["findings"]
    assert rows["bench.py"]["license"].startswith("GPL-3.0")
    assert rows["vendor/v.txt"]["license"] == "CC-BY-4.0 AND MIT"  # a part's license file covers its part: AND


def test_restrictions_narrow_the_grant_above_and_reach_the_data_below(tree, tmp_path: Path) -> None:
    root = tree({
        "DATA_LICENSE": "This database is made available under the Open Data Commons Attribution License"
                        " v1.0.\n",
        "data/sub/README.md": "# Seed tasks\n\nDevelopers may use the data for research purposes only, not for"
                              " commercial use.\n",
        "data/sub/seed.json": '[{"text": "a"}]',
        "README.md": "# Project\n\nThe data is intended and licensed for research use only.\n",
        "more/LICENSE": "Released under CC BY 4.0.\n", "more/d.jsonl": '{"text": "a"}\n', "more/run.py": "x=1\n",
    })
    _, rows = _exit(root, tmp_path / "out")
    # the sub-folder's sentence narrows the ODC-By grant from the root; it does not replace it
    assert rows["data/sub/seed.json"]["license"] == "LicenseRef-Research-Only AND ODC-By-1.0"
    # the root's use limit reaches data under a folder with its own license, not the code there
    assert rows["more/d.jsonl"]["license"] == "CC-BY-4.0 AND LicenseRef-Research-Only"
    assert rows["more/run.py"]["license"] == "CC-BY-4.0"


def test_a_dataset_cards_license_does_not_relicense_the_scripts_beside_it(tree, tmp_path: Path) -> None:
    root = tree({
        "README.md": "---\nlicense: cc-by-4.0\n---\n# Data\n", "train.jsonl": '{"text": "a"}\n',
        "load.py": "import datasets\n",
        "other/README.md": "---\nlicense: mit\n---\n", "other/LICENSE": "Licensed under the Apache License,"
                                                                          " Version 2.0.\n",
        "other/x.py": "x = 1\n",
    })
    _, rows = _exit(root, tmp_path / "out")
    assert rows["train.jsonl"]["license"] == "CC-BY-4.0"
    assert rows["load.py"]["license"] is None and "unlicensed" in rows["load.py"]["findings"]
    assert rows["other/x.py"]["license"] == "Apache-2.0"  # the LICENSE covers the code; the card does not


def test_a_code_files_own_license_header_beats_its_folder(tree, tmp_path: Path) -> None:
    root = tree({
        "LICENCE": "This work is licensed under CC BY-SA 4.0.\n",
        "data/train.json": '[{"text": "a"}]',
        "baseline/modeling.py": "# coding=utf-8\n# Copyright 2018 The Authors.\n#\n# Licensed under the Apache License,"
                                " Version 2.0 (the \"License\");\n# you may not use this file except in compliance"
                                " with the License.\n\"\"\"Model.\"\"\"\nimport os\n",
        "tool.py": '"""A tool."""\n__license__ = "GPL-3.0-or-later"\nimport os\n',
        "plain.py": "import os\n",
    })
    _, rows = _exit(root, tmp_path / "out")
    assert rows["baseline/modeling.py"]["license"] == "Apache-2.0"
    assert rows["tool.py"]["license"] == "GPL-3.0-or-later"
    assert rows["plain.py"]["license"] == rows["data/train.json"]["license"] == "CC-BY-SA-4.0"
    bare = tree({"unlicensed_repo/x.py": "/*\n * Released under the MIT License.\n */\nconst a = 1;\n"})
    assert _rows(_scan(bare / "unlicensed_repo", tmp_path / "bare"))["x.py"]["license"] == "MIT"


def test_licenses_a_header_names_for_other_things_are_mentions(tree, tmp_path: Path) -> None:
    """A notebook's header: the file's notice ("you may not use this file ..."), then notes on the
    models and the dataset it trains on with their licenses. Those describe other works."""
    notice = ("# Licensed under the Apache License, Version 2.0 (the \"License\");\n"
              "# you may not use this file except in compliance with the License.\n")
    root = tree({
        "train.py": "# Fine-tunes a model on our QA set.\n#\n" + notice + "#\n# Notes\n#\n# The base models are"
                    " MIT licensed, and the QA set is licensed under CC BY-SA 4.0, so it can be used for\n"
                    "# commercial work.\nimport os\n",
        "mixed.py": notice + "# This file incorporates code from a parser released under the MIT License.\nimport os\n",
    })
    _, rows = _exit(root, tmp_path / "out")
    assert rows["train.py"]["license"] == "Apache-2.0"
    assert rows["mixed.py"]["license"] == "Apache-2.0 AND MIT"  # next to the file's own statement: both


def test_a_header_offering_a_choice_or_naming_an_unpinned_family(tree, tmp_path: Path) -> None:
    root = tree({
        "LICENSE": "This software is made available under the terms of either of the licenses found in"
                   " LICENSE.APACHE or LICENSE.BSD.\n",
        "LICENSE.APACHE": APACHE,
        "LICENSE.BSD": "Redistribution and use in source and binary forms, with or without modification, are"
                       " permitted (BSD-2-Clause).\n",
        # The packaging-style header: Apache-2.0 plus "the BSD License" with no clause count.
        "dual.py": "# This file is dual licensed under the terms of the Apache License, Version\n# 2.0, and the"
                   " BSD License. See the LICENSE file in the root of this repository\n# for complete details.\n"
                   "import os\n",
        "either.rs": "// Licensed under either of the Apache License, Version 2.0 or the MIT license, at your"
                     " option.\nfn main() {}\n",
        "both.py": "# Licensed under the MIT License.\n# Portions licensed under the Apache License, Version"
                   " 2.0.\nimport os\n",
    })
    _, rows = _exit(root, tmp_path / "out")
    folder = rows["LICENSE"]["license"]
    assert folder is not None and "BSD" in folder and "Apache-2.0" in folder
    assert rows["dual.py"]["license"] == folder  # not the Apache half alone
    assert rows["either.rs"]["license"] == "Apache-2.0 OR MIT"
    assert rows["both.py"]["license"] == "MIT AND Apache-2.0"


def test_an_installed_packages_dist_info_licenses_its_folders(tree, tmp_path: Path) -> None:
    record = "\n".join(["pkg/__init__.py,sha256=x,1", "pkg/sub/mod.py,sha256=x,1", "pkg-1.0.dist-info/METADATA,,",
                        "google/protobuf/__init__.py,sha256=x,1", "../../../bin/tool,sha256=x,1"]) + "\n"
    root = tree({
        "pkg-1.0.dist-info/METADATA": "Metadata-Version: 2.4\nName: pkg\nLicense-Expression: BSD-3-Clause\n",
        "pkg-1.0.dist-info/RECORD": record,
        "pkg-1.0.dist-info/licenses/LICENSE.txt": "Redistribution and use in source and binary forms, with or"
                                                  " without modification, are permitted (BSD-3-Clause).\n",
        "pkg/__init__.py": "x = 1\n", "pkg/sub/mod.py": "y = 2\n",
        # a package's own documentation explaining its vocabulary is not the package's terms
        "pkg/kb/README.md": "Each entry has a `use`: commercial, non-commercial, research-only.\n"
                            "This data is for research use only.\n",
        "pkg/kb/entries.yaml": "mit: commercial\n",
        "google/protobuf/__init__.py": "z = 3\n",
        "other/__init__.py": "w = 4\n",
        "old-2.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: old\nLicense: MIT\n",
        "old-2.0.dist-info/RECORD": "old/__init__.py,sha256=x,1\n", "old/__init__.py": "v = 5\n",
    })
    _, rows = _exit(root, tmp_path / "out")
    assert rows["pkg/sub/mod.py"]["license"] == "BSD-3-Clause"
    assert rows["pkg/kb/entries.yaml"]["license"] == "BSD-3-Clause"
    assert "use-restricted" not in rows["pkg/kb/entries.yaml"]["findings"]
    assert rows["google/protobuf/__init__.py"]["license"] == "BSD-3-Clause"
    assert rows["old/__init__.py"]["license"] == "MIT"
    assert "unlicensed" in rows["other/__init__.py"]["findings"]  # no package claims it
    assert rows["pkg-1.0.dist-info/RECORD"]["kind"] == "dataset-metadata"


def test_modules_a_package_installs_at_the_top_of_site_packages(tree, tmp_path: Path) -> None:
    """typing_extensions.py, a .pth or an extension module sit in site-packages' root beside every
    other package: RECORD ties each to its dist-info, one file at a time (they were unlicensed)."""
    root = tree({
        "one-1.0.dist-info/METADATA": "Metadata-Version: 2.4\nName: one\nLicense-Expression: PSF-2.0\n",
        # a license text read as something other than METADATA's id is no conflict for these files
        "one-1.0.dist-info/licenses/LICENSE": "Released under the Apache License, Version 2.0.\n",
        "one-1.0.dist-info/RECORD": "one.py,sha256=x,1\none_ext/__init__.py,sha256=x,1\n"
                                    "one.libs/libz-1a2b.so.1,sha256=x,1\none-1.0.dist-info/METADATA,,\n",
        "one.py": "x = 1\n", "one_ext/__init__.py": "w = 0\n", "one.libs/libz-1a2b.so.1": b"\x7fELF" + b"\0" * 60,
        "tools-2.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: tools\nLicense: MIT\n",
        "tools-2.0.dist-info/RECORD": "tools-precedence.pth,sha256=x,1\n_speed.cpython-311.so,sha256=x,1\n"
                                      "tools/__init__.py,sha256=x,1\n",
        "tools-precedence.pth": "import os\n", "_speed.cpython-311.so": b"\x7fELF\x02\x01\x01" + b"\0" * 64,
        "tools/__init__.py": "y = 2\n",
        "stray.py": "z = 3\n",
    })
    code, rows = _exit(root, tmp_path / "out")
    for path in ("one.py", "one_ext/__init__.py"):  # a module file and a package folder: one rule
        assert rows[path]["license"] == "PSF-2.0" and "license-conflict" not in rows[path]["findings"], path
    # auditwheel's one.libs/ holds bundled libraries: the license files speak for them, not METADATA
    assert "Apache-2.0" in rows["one.libs/libz-1a2b.so.1"]["license"]
    assert rows["tools-precedence.pth"]["license"] == rows["_speed.cpython-311.so"]["license"] == "MIT"
    assert rows["tools/__init__.py"]["license"] == "MIT"
    assert "unlicensed" in rows["stray.py"]["findings"]  # no RECORD lists it
    assert code == 1


def test_a_package_declaring_a_family_without_a_license_file(tree, tmp_path: Path) -> None:
    """ply's METADATA says `License: BSD` and ships no license file: the files are not "unlicensed"
    (terms were declared) but their license is unknown until someone reads which BSD; a module
    carrying the whole license text in its leading comment has that license."""
    bsd3 = next(lic.text for lic in load_bundle().licenses if lic.id == "BSD-3-Clause")
    header = "".join(f"# {line}\n".replace("# \n", "#\n") for line in bsd3.splitlines())
    root = tree({
        "lexer-3.1.dist-info/METADATA": "Metadata-Version: 2.0\nName: lexer\nLicense: BSD\n",
        "lexer-3.1.dist-info/RECORD": "lexer/__init__.py,sha256=x,1\nlexer/lex.py,sha256=x,1\n",
        "lexer/__init__.py": "__version__ = '3.1'\n",
        "lexer/lex.py": "# lexer: lex.py\n#\n# Copyright (C) 2001-2018 A. Person\n" + header + "\nimport re\n",
    })
    _, rows = _exit(root, tmp_path / "out")
    init = rows["lexer/__init__.py"]
    assert "unlicensed" not in init["findings"] and "unknown-license" in init["findings"]
    assert "BSD (lexer-3.1.dist-info/METADATA#License)" in init["findings_json"]
    assert rows["lexer/lex.py"]["license"] == "BSD-3-Clause" and not {"unlicensed", "unknown-license"} & set(
        rows["lexer/lex.py"]["findings"])


def test_restrictions_written_the_way_people_write_them(tree, tmp_path: Path) -> None:
    root = tree({
        "a/LICENSE": "GNU GENERAL PUBLIC LICENSE Version 3 applies to this dataset.\n",
        "a/README.md": "# QA\n\nThe dataset is available for non-commercial research.\n",
        "a/qa.zip": b"PK\x05\x06" + b"\0" * 18,
        "b/README.md": "---\nlicense: apache-2.0\n---\n# 数据\n\n"
                       "我们要求开发者仅将我们开源的数据、模型用于研究目的，不得用于商业。\n",
        "b/d.jsonl": '{"text": "a"}\n',
        "c/README.md": "---\nlicense: cc-by-sa-4.0\n---\n# Pairs\n\nThis data should not be used to train any"
                       " machine learning models.\n",
        "c/pairs.csv": "a,b\n1,2\n",
        "d/README.md": "# Notes\n\nReservations are read from phrases such as \"all rights reserved\".\n",
        "d/LICENSE": "Released under the MIT License.\n", "d/x.txt": "x",
    })
    _, rows = _exit(root, tmp_path / "out")
    assert rows["a/qa.zip"]["license"].endswith("AND LicenseRef-Research-Only")
    assert rows["b/d.jsonl"]["license"] == "Apache-2.0 AND LicenseRef-Research-Only"
    assert rows["c/pairs.csv"]["license"] == "CC-BY-SA-4.0 AND LicenseRef-No-Training"
    assert rows["c/pairs.csv"]["use_class"] == "no-grant" and "use-restricted" in rows["c/pairs.csv"]["findings"]
    assert rows["d/x.txt"]["license"] == "MIT"  # a quoted phrase is talked about, not said


def test_a_restriction_covers_what_its_own_sentence_names(tree, tmp_path: Path) -> None:
    """After CDial-GPT's English README: the sentence before the restriction names the model, the
    restricting one names only the decoding script, so the code is research-only and the data keeps
    its grant. (Its Chinese README restricts the dataset too, and the scan of it says so.)"""
    root = tree({
        "LICENSE": "Released under the MIT License.\n",
        "README.md": "# Dialogue\n\nThis repository contains only part of the modeling machinery needed to produce"
                     " a dialogue model. The decoding script provided in this repository is only for research"
                     " purposes. We are not responsible for any contents generated using our model.\n",
        "data/toy.json": '[{"text": "a"}]', "infer.py": "print(1)\n",
    })
    _, rows = _exit(root, tmp_path / "out")
    assert rows["data/toy.json"]["license"] == "MIT" and rows["data/toy.json"]["use_class"] == "commercial"
    assert rows["infer.py"]["license"] == "LicenseRef-Research-Only AND MIT"


def test_readme_badges_labelled_for_the_data_and_the_code(tree, tmp_path: Path) -> None:
    """alpaca_eval's README: "Code License: Apache 2.0" and "Data License: CC BY NC 4.0" badges beside
    an Apache LICENSE. The data is non-commercial (it passed the gate before); a plain "License"
    badge stays prose, which a license file beside it outweighs."""
    badge = "[![{0}](https://img.shields.io/badge/{0}-{1}-green.svg)](https://example.org)\n"
    root = tree({
        "LICENSE": APACHE,
        "README.md": "# Evaluator\n\n" + badge.format("Code%20License", "Apache_2.0")
                     + badge.format("Data%20License", "CC%20By%20NC%204.0") + "\nRun it.\n",
        "results/run1/outputs.json": '[{"instruction": "a", "output": "b"}]', "src/evaluate.py": "print(1)\n",
        "other/LICENSE": APACHE, "other/README.md": "# Other\n\n" + badge.format("License", "MIT"),
        "other/rows.jsonl": '{"text": "t"}\n',
    })
    code, rows = _exit(root, tmp_path / "out")
    data = rows["results/run1/outputs.json"]
    assert data["license"] == "CC-BY-NC-4.0" and "use-restricted" in data["findings"]
    assert rows["src/evaluate.py"]["license"] == "Apache-2.0"
    assert rows["other/rows.jsonl"]["license"] == "Apache-2.0"
    assert code == 1


def test_statements_about_upstream_data_and_license_links(tree, tmp_path: Path) -> None:
    root = tree({
        "w/README.md": "# Summaries\n\nThe input text comes from Wikipedia, which is licensed under CC BY-SA 3.0"
                       " and the GFDL.\n", "w/x.jsonl": '{"text": "a"}\n',
        "o/README.md": "---\nlicense: other\nlicense_link: LICENSE\n---\n# Data\n",
        "o/LICENSE": "Released under the MIT License.\n", "o/y.jsonl": '{"text": "a"}\n',
        "m/README.md": "# Data\n\nThis dataset is released under CC BY 4.0.\n", "m/z.jsonl": '{"text": "a"}\n',
    })
    _, rows = _exit(root, tmp_path / "out")
    # the upstream's terms are not this folder's grant
    assert rows["w/x.jsonl"]["license"] is None and "unlicensed" in rows["w/x.jsonl"]["findings"]
    assert rows["o/y.jsonl"]["license"] == "MIT" and "license-conflict" not in rows["o/y.jsonl"]["findings"]
    assert rows["m/z.jsonl"]["license"] == "CC-BY-4.0"
