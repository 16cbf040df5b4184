"""Corpus text is hostile: it must stay text in Markdown and HTML, and must not break tables."""

from __future__ import annotations

import re
from pathlib import Path

from provenance.reporting.escape import h, md
from provenance.sources.local import display_path
from tests.reporting.reporting_support import HOSTILE_NAMES, visible_pipes


def test_md_escapes_markup_and_links() -> None:
    out = md("[x](javascript:alert(1)) <b>*a*</b> _u_ `c` #h |p| a\nb")
    assert "](javascript:" not in out
    assert "javascript\\:" in out
    assert "<" not in out.replace("\\<", "")
    for ch in "*_`#|[]":
        assert re.search(rf"(?<!\\){re.escape(ch)}", out) is None, ch
    assert "\n" not in out


def test_md_control_characters_are_visible() -> None:
    # Shown as \\xNN; the backslash itself is escaped for Markdown.
    assert md("a\x00b\x1bc") == "a\\\\x00b\\\\x1bc"


def test_bidi_overrides_are_visible() -> None:
    assert md("evil\u202etxt.exe") == "evil\\\\u202etxt.exe"
    assert h("a\u2066b") == "a\\u2066b"


def test_html_escapes_text_and_attributes() -> None:
    assert h('<img src=x onerror="alert(1)">') == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert h("'") == "&#x27;"


def test_markdown_reports_keep_hostile_names_as_text(built_reports: Path) -> None:
    for lang in ("zh", "en"):
        text = (built_reports / f"data-legality.{lang}.md").read_text(encoding="utf-8")
        assert re.search(r"(?<!\\)<", text) is None
        assert "](javascript:" not in text
        assert "hostile/\\<script\\>alert(1)\\<\\\\\\\\script\\>.txt" in text
        # Every row of a table has as many cell separators as its header.
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("|---"):
                width = visible_pipes(lines[i - 1])
                j = i + 1
                while j < len(lines) and lines[j].startswith("|"):
                    assert visible_pipes(lines[j]) == width, lines[j]
                    j += 1


def test_html_reports_keep_hostile_names_as_text(built_reports: Path) -> None:
    for lang in ("zh", "en"):
        text = (built_reports / f"data-legality.{lang}.html").read_text(encoding="utf-8")
        assert "<script" not in text.lower()
        assert "<img" not in text.lower()
        assert re.search(r"<[^>]*javascript:", text) is None  # never inside a tag or attribute
        for name in HOSTILE_NAMES:
            assert h("hostile/" + display_path(name)[0]) in text
        # Self-contained: no external resources.
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
        assert "<style>" in text and "<svg" in text


def test_eu_summary_is_escaped(built_reports: Path) -> None:
    text = (built_reports / "eu-training-summary.md").read_text(encoding="utf-8")
    assert "<" not in text.replace("\\<", "")
