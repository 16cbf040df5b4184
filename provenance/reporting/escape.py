"""Escaping for text that may come from a hostile corpus (file names, card text, declared values)."""

from __future__ import annotations

import html
import re

# Control characters, line separators and bidirectional overrides (which can disguise a name).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_BREAKS = re.compile(r"[\r\n\t]+")
# Characters that start Markdown syntax (links, emphasis, code, tables, raw HTML, headings, entities).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&$])")
_SCHEMES = re.compile(r"\b(javascript|vbscript|data|file)\s*:(?=\S)", re.IGNORECASE)


def plain(text: str) -> str:
    """One line, no control characters (shown as \\xNN)."""
    text = _BREAKS.sub(" ", str(text))
    return _CONTROL.sub(_visible, text)


def _visible(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def md(text: str) -> str:
    """Markdown-safe inline text: no links, no emphasis, no raw HTML, no table breaks."""
    out = _MD_SPECIAL.sub(r"\\\1", plain(text))
    # A dangerous scheme can never become a link: break it with an escaped colon.
    return _SCHEMES.sub(lambda m: m.group(1) + "\\:", out)


def h(text: str) -> str:
    """HTML-safe text and attribute value."""
    return html.escape(plain(text), quote=True)
