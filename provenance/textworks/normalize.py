"""Normalisation `tn1`: what every text goes through before it is cut into tokens, on both sides
(the registry's works and the scanned items), so that the same passage gives the same tokens
whatever a corpus did to it.

1. Markup: HTML tags, `<script>`/`<style>`/comments and entities are removed, but only from text
   that holds a real HTML tag name (plain text and e-mail use `<` and `>` too). Markdown link
   targets `](url)`, reST roles and directives are removed; a word hyphenated across a line break
   (`exam-\\nple`) is joined.
2. One code-point table (uint32 per code point) maps each character to its NFKC form, simply
   case-folded, plus a class: word character (letters, digits, marks), CJK-like character (Han,
   kana, Bopomofo, Yi, Thai, Lao, Khmer, Myanmar: one token each), white space, deleted, or
   separator. Python's NFKC runs only on text holding code points whose NFKC is several
   characters or that compose; ASCII never reaches the table (`bytes.translate`).
3. Deleted, not separators: apostrophes, hyphens and dashes, soft hyphen, zero-width characters,
   variation selectors, and one or two punctuation marks between two letters or digits (`1,000`,
   `U.S.`, `e.g.`, `a/b`): stripped punctuation and typographic quotes land on the same tokens.

The table is built from the running Python's `unicodedata` (a few seconds) and kept in
`$XDG_CACHE_HOME/provenance/` like the license index (memory only when that cannot be written).
"""

from __future__ import annotations

import html
import os
import re
import tempfile
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np

#: Bump when any rule above changes: a registry made with another version is refused.
NORM_VERSION = "tn1"

SEP, WORD, CHAR, IGNORE = 0, 1, 2, 3
CLASS_SHIFT = 24
CP_MASK = (1 << CLASS_SHIFT) - 1
#: The code point needs Python's NFKC (marks, multi-character forms, jamo).
COMPLEX_BIT = 1 << 30
#: White space: separates words for the policy's word count.
WS_BIT = 1 << 29
#: Joins the records of one stream (a separator that counts as white space).
RS = "\x02"

# Deleted, not separators: apostrophes (don't = dont = don’t), hyphens and dashes (well-known =
# wellknown; "said--and" = "said—and"), soft hyphen, zero-width characters.
_IGNORED = frozenset({0x27, 0x2019, 0x2018, 0x02BC, 0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E,
                      0x2D, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63, 0xFF0D})

# (start, end) inclusive ranges of scripts written without spaces: one token per character.
_CJK_RANGES = (
    (0x2E80, 0x2FDF), (0x3005, 0x3007), (0x3021, 0x3029), (0x3038, 0x303C), (0x3040, 0x30FF),
    (0x31A0, 0x31BF), (0x31F0, 0x31FF), (0x3100, 0x312F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
    (0xA000, 0xA4CF), (0xF900, 0xFAFF), (0xFF66, 0xFF9F), (0x1B000, 0x1B16F), (0x20000, 0x3FFFF),
    (0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF),
)


def script_class(c: str) -> int:
    """CHAR for a character of a script written without spaces, else WORD."""
    o = ord(c)
    return CHAR if any(a <= o <= b for a, b in _CJK_RANGES) else WORD


def build_table() -> np.ndarray:
    """uint32 per code point: folded NFKC code point | class << 24 | COMPLEX_BIT | WS_BIT."""
    n = 0x110000
    tab = np.zeros(n, dtype=np.uint32)
    for o in range(n):
        if 0xD800 <= o <= 0xDFFF:
            continue
        c = chr(o)
        if o in _IGNORED or 0xFE00 <= o <= 0xFE0F or 0xE0100 <= o <= 0xE01EF:
            tab[o] = IGNORE << CLASS_SHIFT
            continue
        k = unicodedata.normalize("NFKC", c)
        if len(k) != 1:
            tab[o] = COMPLEX_BIT  # the class is decided after Python's NFKC
            continue
        complex_ = (unicodedata.category(k).startswith("M") or 0x1100 <= ord(k) <= 0x11FF
                    or unicodedata.category(c).startswith("M"))
        f = k.casefold()
        if len(f) != 1:
            f = k.lower() if len(k.lower()) == 1 else k
        cat = unicodedata.category(f)
        if ord(f) in _IGNORED:
            cls = IGNORE
        elif cat[0] in "LNM":
            cls = script_class(f)
        else:
            cls = SEP
        tab[o] = (ord(f) | (cls << CLASS_SHIFT) | (COMPLEX_BIT if complex_ else 0)
                  | (WS_BIT if (c.isspace() or o == 2) else 0))
    return tab


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "provenance"


@lru_cache(maxsize=1)
def table() -> np.ndarray:
    """The code-point table, from the cache file when there is one."""
    path = _cache_dir() / f"textworks-table-{NORM_VERSION}-u{unicodedata.unidata_version}.npy"
    try:
        tab = np.load(path)
        if tab.shape == (0x110000,) and tab.dtype == np.uint32:
            return tab
    except (OSError, ValueError):
        pass
    tab = build_table()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp.npy")
        with os.fdopen(fd, "wb") as out:
            np.save(out, tab)
        os.replace(tmp, path)
    except OSError:
        pass  # an unwritable cache: built in memory on every run
    return tab


# ---------------------------------------------------------------- markup

# Markup is stripped only from text that holds a real HTML tag (plain text and e-mail use < > too:
# stripping `<[^>]*>` blindly deleted whole passages between `<user@host>` and a `>` reply quote).
_HTML_KNOWN = re.compile(r"<(?:/?(?:p|div|span|a|br|hr|em|strong|b|i|u|li|ul|ol|table|tr|td|th|h[1-6]|img|html|body|"
                         r"head|title|meta|link|script|style|pre|code|blockquote|section|article|nav|footer|header|"
                         r"dl|dt|dd|sup|sub|small|font|center|tbody|thead)\b|!--|!DOCTYPE)", re.I)
_HTML_TAG = re.compile(r"<[A-Za-z!/?][^<>]{0,1000}>")
_HTML_BLOCK = re.compile(r"<script\b[^<]*(?:<(?!/script)[^<]*)*</script\s*>|<style\b[^<]*(?:<(?!/style)[^<]*)*"
                         r"</style\s*>|<!--(?:[^-]|-(?!->))*-->", re.I)
_MD_LINK = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_REST_ROLE = re.compile(r":[A-Za-z][\w.+-]*:(?=`)")
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});")
_REST_DIRECTIVE = re.compile(r"\.\. [\w:-]+::")
_HYPHEN_BREAK = re.compile(r"[-\u00ad\u2010](?<=\w.)[ \t]*\r?\n[ \t]*(?=\w)")


def is_html(text: str) -> bool:
    return "<" in text and _HTML_KNOWN.search(text) is not None


def strip_markup_records(records: list[str]) -> list[str]:
    return [strip_markup(r) for r in records]


def strip_markup(s: str) -> str:
    """Remove what HTML, Markdown and reST add around text, and join words hyphenated across a
    line break. Idempotent on plain prose."""
    if "-\n" in s or "-\r\n" in s or "\u00ad\n" in s or "- \n" in s:
        s = _HYPHEN_BREAK.sub("", s)
    if "<" in s and _HTML_KNOWN.search(s):
        s = _HTML_BLOCK.sub(" ", s)
        s = _HTML_TAG.sub(" ", s)
    if "&" in s and _ENTITY.search(s):
        s = html.unescape(s)
    if "](" in s:
        s = _MD_LINK.sub("]", s)
    if ":`" in s:
        s = _REST_ROLE.sub("", s)
    if ".. " in s and "::" in s:
        s = _REST_DIRECTIVE.sub(" ", s)
    return s


# What a record may need from strip_markup, as bits (kernel_markup.flags computes the same in one
# compiled pass over a stream): each bit is one of strip_markup's guards, or implied by what its
# regular expression needs to match, so a record with no bit is plain.
MK_HYPHEN, MK_HTML, MK_AMP, MK_MD, MK_ROLE, MK_DIR, MK_RS, MK_BLOCK = 1, 2, 4, 8, 16, 32, 64, 128
#: The tag names of _HTML_KNOWN (h1 to h6 spelled out), for MK_HTML.
HTML_NAMES = ("p", "div", "span", "a", "br", "hr", "em", "strong", "b", "i", "u", "li", "ul", "ol", "table", "tr",
              "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "img", "html", "body", "head", "title", "meta", "link",
              "script", "style", "pre", "code", "blockquote", "section", "article", "nav", "footer", "header", "dl",
              "dt", "dd", "sup", "sub", "small", "font", "center", "tbody", "thead")


def _any_case(word: str) -> str:
    # either case, or any non-ASCII character (a few match ASCII letters under re.I: ſ, K, ı, İ)
    return "".join(f"(?:[{c}{c.upper()}]|[^\\x00-\\x7f])" for c in word)


# What _HTML_KNOWN and _ENTITY need, with any non-ASCII character taken as a possible match
_HTML_OPEN = re.compile(r"<(?:/?(?:" + "|".join(_any_case(n) for n in HTML_NAMES) + r")(?![A-Za-z0-9_])|!--|!"
                        + _any_case("doctype") + ")")
_BLOCK_OPEN = re.compile(r"<(?:!--|" + _any_case("script") + "|" + _any_case("style") + ")")
_AMP_OPEN = re.compile(r"&(?:#(?:[0-9]|[^\x00-\x7f])+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]{1,31};)")
# "could be \w" on both sides: exact for ASCII, any other code point might be
_NOT_W = r"\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f"
_HYPHEN_CAND = re.compile(rf"(?<=[^{_NOT_W}])[-\u00ad\u2010][ \t]*\r?\n[ \t]*[^{_NOT_W}]")


def markup_bits(s: str) -> int:
    """MK_HYPHEN: the hyphen guard holds and a hyphen stands before a line break between two
    possible word characters; MK_HTML: a known tag or comment opens (_HTML_KNOWN, any non-ASCII
    character taken for a letter of a name); MK_AMP: an entity (_ENTITY, any non-ASCII character
    taken for a digit); MK_BLOCK: `<!--`, `<script` or `<style` opens (in any case, as MK_HTML; what
    _HTML_BLOCK needs); MK_MD, MK_ROLE, MK_DIR: the guards as they are; MK_RS: a record separator."""
    bits = 0
    if ("-\n" in s or "-\r\n" in s or "\u00ad\n" in s or "- \n" in s) and _HYPHEN_CAND.search(s):
        bits |= MK_HYPHEN
    if _HTML_OPEN.search(s):
        bits |= MK_HTML
    if _BLOCK_OPEN.search(s):
        bits |= MK_BLOCK
    if _AMP_OPEN.search(s):
        bits |= MK_AMP
    if "](" in s:
        bits |= MK_MD
    if ":`" in s:
        bits |= MK_ROLE
    if ".. " in s and "::" in s:
        bits |= MK_DIR
    if RS in s:
        bits |= MK_RS
    return bits


def strip_markup_known(s: str, bits: int) -> str:
    """strip_markup(s), given markup_bits(s): the guards are read from the bits while the text is
    as it came (once a step has changed it, they are tested again, as strip_markup does)."""
    same = True
    if bits & MK_HYPHEN:
        s, n = _HYPHEN_BREAK.subn("", s)
        same = n == 0
    if (bits & MK_HTML if same else "<" in s) and _HTML_KNOWN.search(s):
        n1 = 0
        if bits & MK_BLOCK or not same:
            s, n1 = _HTML_BLOCK.subn(" ", s)
        s, n2 = _HTML_TAG.subn(" ", s)
        same = same and n1 + n2 == 0
    if (bits & MK_AMP if same else "&" in s) and _ENTITY.search(s):
        t = html.unescape(s)
        same = same and t == s
        s = t
    if bits & MK_MD if same else "](" in s:
        s, n = _MD_LINK.subn("]", s)
        same = same and n == 0
    if bits & MK_ROLE if same else ":`" in s:
        s, n = _REST_ROLE.subn("", s)
        same = same and n == 0
    if bits & MK_DIR if same else (".. " in s and "::" in s):
        s = _REST_DIRECTIVE.sub(" ", s)
    return s


def html_to_text(s: str) -> str:
    """Visible text of an HTML document (for readers that want it without the other rules)."""
    return html.unescape(_HTML_TAG.sub(" ", _HTML_BLOCK.sub(" ", s)))


# ---------------------------------------------------------------- code points

def normalize_cps(s: str) -> np.ndarray:
    """Normalised text as table values (uint32: folded code point | class << 24 | WS_BIT), with
    deleted characters removed. Markup is not stripped here (see `strip_markup`)."""
    tab = table()
    cps = np.frombuffer(s.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    v = tab[cps]
    if (v & COMPLEX_BIT).any():
        s = unicodedata.normalize("NFKC", s)
        cps = np.frombuffer(s.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        v = tab[cps]
        # what is still complex after NFKC (marks, jamo) keeps its own code point, class WORD/CHAR
        for i in np.flatnonzero(v & COMPLEX_BIT).tolist():  # rare: combining marks and the like
            ch = chr(int(cps[i]))
            cls = script_class(ch) if unicodedata.category(ch)[0] in "LNM" else SEP
            v[i] = (int(cps[i]) if cls != SEP else 0) | (cls << CLASS_SHIFT)
    v = v & np.uint32(~COMPLEX_BIT & 0xFFFFFFFF)
    keep = ((v >> CLASS_SHIFT) & np.uint32(3)) != IGNORE
    if not keep.all():
        v = v[keep]
    return v


# ASCII fast path: bytes.translate does NFKC, case folding and classes for ASCII in C.
# Letters and digits map to themselves (lower case), white space to 32, RS to 2, the rest to 1.
ASCII_MAP = bytes((c + 32 if 65 <= c <= 90 else c) if (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122)
                  else (32 if chr(c).isspace() else (2 if c == 2 else 1)) for c in range(256))
ASCII_DELETE = b"'-"
