"""License statements in prose. Phrasings here are separate from the bench set (bench/data)."""

from __future__ import annotations

import pytest
from license_expression import get_spdx_licensing

from provenance.licensing.identify import find_notices, identify_file


def grants(text: str) -> list[str]:
    return [i.expression for i in find_notices(text) if i.expression]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Licensed under the Apache License, Version 2.0", "Apache-2.0"),
        ("This corpus is released under CC BY-NC 4.0 for research.", "CC-BY-NC-4.0"),
        ("Creative Commons Attribution-NonCommercial 4.0 International", "CC-BY-NC-4.0"),
        (
            "Our benchmark is distributed under the Creative Commons Attribution-ShareAlike 4.0 license.",
            "CC-BY-SA-4.0",
        ),
        ("Details: creativecommons.org/licenses/by-nc/4.0/", "CC-BY-NC-4.0"),
        ("Terms: https://www.apache.org/licenses/LICENSE-2.0", "Apache-2.0"),
        ("See <https://opensource.org/licenses/MIT>.", "MIT"),
        ("Waiver: https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
        ("The toolkit is offered under the terms of the MIT license.", "MIT"),
        ("Everything here is licenced under the Mozilla Public Licence 2.0.", "MPL-2.0"),
        ("The parser ships under the GNU Lesser General Public License, version 3.", "LGPL-3.0-only"),
        ("Licensed GPL-2.0+; see COPYING.", "GPL-2.0-or-later"),
        ("You may use these annotations under the CC-BY-SA-3.0 license.", "CC-BY-SA-3.0"),
        (
            "All transcripts are published under Creative Commons Attribution-NoDerivs 3.0 Unported.",
            "CC-BY-ND-3.0",
        ),
        ("The speech clips are dedicated to the public domain with CC0.", "CC0-1.0"),
        ("Made available under the Open Data Commons Open Database License v1.0.", "ODbL-1.0"),
        ("Weights: released under the BigScience OpenRAIL-M license.", "LicenseRef-BigScience-OpenRAIL-M"),
    ],
)
def test_english_statements(text: str, expected: str) -> None:
    assert grants(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本数据集采用 CC BY 4.0 许可协议", "CC-BY-4.0"),
        ("知识共享署名-非商业性使用 4.0 国际许可协议", "CC-BY-NC-4.0"),
        ("采用 MIT 许可证", "MIT"),
        ("遵循 Apache 2.0 协议", "Apache-2.0"),
        ("语料库依照知识共享署名-相同方式共享 4.0 国际许可协议授权。", "CC-BY-SA-4.0"),
        ("本工具以 GNU 通用公共许可证第 2 版发布。", "GPL-2.0-only"),
        ("标注数据遵循 CC0 协议。", "CC0-1.0"),
        ("本模型权重使用 Apache-2.0 许可证授权。", "Apache-2.0"),
        ("许可协议：知识共享署名-非商业性使用-禁止演绎 3.0", "CC-BY-NC-ND-3.0"),
    ],
)
def test_chinese_statements(text: str, expected: str) -> None:
    assert grants(text) == [expected]


def test_statement_has_line_span_and_matcher() -> None:
    text = (
        "# Corpus\n\nSome words about the data.\n\n"
        "## License\n\n"
        "The code is licensed under the\nApache License,\nVersion 2.0.\n\n"
        "[![License](https://img.shields.io/badge/License-CC_BY--SA_4.0-lightgrey.svg)](#)\n"
    )
    found = find_notices(text)
    assert [(f.expression, f.start_line, f.end_line) for f in found] == [
        ("Apache-2.0", 7, 9),
        ("CC-BY-SA-4.0", 11, 11),
    ]
    assert found[1].matcher == "badge"
    assert all(f.score == 1.0 and f.coverage == 1.0 and f.note for f in found)


def test_url_matcher_is_named() -> None:
    (found,) = find_notices("Licence text: https://creativecommons.org/licenses/by/4.0/legalcode.en")
    assert (found.expression, found.matcher) == ("CC-BY-4.0", "url")


@pytest.mark.parametrize(
    ("text", "family_member"),
    [
        ("This tool is licensed under the GPL.", "GPL-3.0-only"),
        ("The pictures are under a Creative Commons license.", "CC-BY-4.0"),
        ("Released under the GNU General Public License.", "GPL-2.0-or-later"),
        ("The lyrics are licensed CC BY-SA; attribute the authors.", "CC-BY-SA-4.0"),
        ("本数据集采用知识共享许可协议。", "CC-BY-NC-4.0"),
        ("本项目遵循 LGPL 协议。", "LGPL-2.1-only"),
    ],
)
def test_bare_family_is_ambiguous_never_guessed(text: str, family_member: str) -> None:
    (found,) = find_notices(text)
    assert found.expression is None
    assert family_member in found.ambiguous and len(found.ambiguous) > 1
    assert "without" in found.note


@pytest.mark.parametrize(
    "text",
    [
        "All rights reserved.",
        "Copyright (c) 2024 X. All rights reserved.",
        "版权所有，保留所有权利",
        "未经许可不得转载",
        "© 2022 Studio Nine. All Rights Reserved. Unauthorized reproduction of these images is prohibited.",
        "本文图片版权归原作者所有，禁止转载。",
    ],
)
def test_reservations(text: str) -> None:
    found = find_notices(text)
    assert found and all(f.reservation and f.expression is None and f.matcher == "reservation" for f in found)
    assert len(found) == 1  # one statement, even when it says it twice


def test_reservation_beside_a_grant_is_not_reported() -> None:
    text = "Copyright (c) 2024 Example Ltd. All rights reserved.\nLicensed under the MIT License."
    assert [(f.expression, f.reservation) for f in find_notices(text)] == [("MIT", False)]


def test_reservation_far_from_a_grant_is_reported() -> None:
    text = "Code: MIT License.\n\n\n\n\n\nThe photographs: (c) 2021 Lee Studio. All rights reserved.\n"
    found = find_notices(text)
    assert [(f.expression, f.reservation) for f in found] == [("MIT", False), (None, True)]


@pytest.mark.parametrize(
    "text",
    [
        "see the license section",
        "we license our software",
        "Check the LICENSE file before redistributing.",
        "The license server must be reachable from the cluster.",
        "MIT and Stanford collaborated on the annotation guidelines.",
        "We used Apache Kafka and Apache Beam for ingestion.",
        "The Creative Commons organisation hosts a search engine.",
        "GPL is a topic of chapter 3 in the legal course reader.",
        "Our BSD servers run the crawler.",
        "Images were resized to 512 by 512 pixels; the GPU had 80 GB.",
        "请在下方查看许可证章节。",
        "我们向企业客户授权使用本软件。",
        "麻省理工学院（MIT）的团队参与了标注。",
        "Copyright (c) 2023 Jane Doe",
        "When built on Windows this also includes other libraries such as zlib, which use other licenses.",
    ],
)
def test_prose_that_must_not_match(text: str) -> None:
    assert find_notices(text) == ()


def test_expressions_are_valid_spdx() -> None:
    licensing = get_spdx_licensing()
    text = (
        "Licensed under the Apache License 2.0. Data: CC BY-NC-SA 4.0. Fonts: SIL Open Font License 1.1.\n"
        "数据采用 CC BY 4.0 许可协议。Parts are GPLv2+. Others: BSD-3-Clause, ISC license, the Unlicense.\n"
    )
    found = [f.expression for f in find_notices(text) if f.expression]
    assert len(found) == 8
    for expression in found:
        info = licensing.validate(expression)
        assert not info.errors and not info.invalid_symbols, expression
        assert info.normalized_expression == expression


def test_notice_only_license_file() -> None:
    text = "This project is licensed under the terms of the MIT license.\nSee https://opensource.org/licenses/MIT\n"
    result = identify_file(text)
    assert result.expression == "MIT"
    assert result.matches[0].matcher in ("name", "url")


def test_license_file_with_an_ambiguous_notice_only() -> None:
    result = identify_file("This software is released under the GPL.\n")
    assert result.expression is None
    assert result.matches[0].ambiguous


def test_spdx_tags_are_left_to_their_own_detector() -> None:
    text = "# SPDX-License-Identifier: Apache-2.0\n# Licensed under the MIT License.\n"
    assert [(f.expression, f.start_line) for f in find_notices(text)] == [("MIT", 2)]


def test_mulan_in_chinese_and_english() -> None:
    assert grants("本项目采用木兰宽松许可证, 第2版") == ["MulanPSL-2.0"]
    assert grants("Licensed under Mulan PSL v2.") == ["MulanPSL-2.0"]
    (found,) = find_notices("代码遵循木兰宽松许可证。")
    assert found.expression is None and set(found.ambiguous) == {"MulanPSL-1.0", "MulanPSL-2.0"}


def test_cc_legal_code_trailer_is_not_a_cc0_grant() -> None:
    trailer = (
        "Creative Commons is not a party to its public licenses. The text of the Creative Commons\n"
        "public licenses is dedicated to the public domain under the CC0 Public\nDomain Dedication.\n"
    )
    assert grants(trailer) == []


def test_code_examples_are_not_statements() -> None:
    text = (
        "## Usage\n\n```python\nexpression = parse('GPL-2.0-only OR MIT')\n```\n\n"
        ">>> licensing.validate('Apache-2.0 AND BSD-3-Clause')\n\n"
        "## License\n\nThe package itself is released under the ISC license.\n"
    )
    assert [(f.expression, f.start_line) for f in find_notices(text)] == [("ISC", 11)]


def test_copyright_line_of_an_embedded_license_text_is_not_a_reservation() -> None:
    text = (
        "Copyright (c) 2001 Example Foundation. All Rights Reserved.\n\n"
        "Permission to use, copy, modify, and distribute this software for any purpose is hereby granted.\n"
    )
    assert [f for f in find_notices(text) if f.reservation] == []


def test_license_file_holding_only_a_short_name() -> None:
    assert identify_file("Apache 2.0\n").expression == "Apache-2.0"
    assert identify_file("MIT\n").expression == "MIT"
    assert find_notices("Apache 2.0\n") == ()  # in prose the same words need a licensing cue
    assert (
        identify_file("MIT researchers released a new dataset of street signs in 2023.\n").expression is None
    )


def test_dataset_card_body() -> None:
    card = (
        "---\nlicense: cc-by-nc-4.0\nlanguage: [zh, en]\n---\n\n"
        "# 街道标志数据集 / Street Signs\n\n"
        "本数据集包含 12,400 张街道标志照片，由志愿者于 2023 年采集。\n\n"
        "## 许可 / License\n\n"
        "本数据集采用 [知识共享署名-非商业性使用 4.0 国际许可协议]"
        "(https://creativecommons.org/licenses/by-nc/4.0/) 进行许可。\n"
        "The captions are released under CC BY-NC 4.0; the loading script is MIT licensed.\n\n"
        "部分图片版权归原作者所有，未经许可不得转载。\n\n"
        "## Citation\n\n```bibtex\n@misc{signs, license = {Apache-2.0}}\n```\n"
    )
    found = [(f.expression, f.reservation, f.start_line) for f in find_notices(card)]
    assert found == [("CC-BY-NC-4.0", False, 12), ("MIT", False, 13), (None, True, 15)]


def test_gfdl_notice_names_version_later_and_invariant_sections() -> None:
    notice = (
        "Permission is granted to copy, distribute and/or modify this document under the terms of the\n"
        "GNU Free Documentation License, Version 1.3 or any later version published by the Free Software\n"
        "Foundation; with no Invariant Sections, no Front-Cover Texts, and no Back-Cover Texts.\n"
    )
    assert grants(notice) == ["GFDL-1.3-no-invariants-or-later"]
    assert grants("The manual is licensed under the GFDL 1.2.") == ["GFDL-1.2-only"]
    (vague,) = find_notices("Docs are under the GFDL.")
    assert vague.expression is None and "GFDL-1.3-or-later" in vague.ambiguous
