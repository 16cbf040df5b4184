"""Which records of a stream can hold markup, compiled (numba; extra `fast`): one pass over the code
points of the joined records instead of Python's substring tests on every record. Imported only
when numba is installed; module-level so that numba's on-disk cache serves it in every process.

The bits are those of `normalize.markup_bits` (the reference, in Python): each is either exactly
one of `strip_markup`'s guards or implied by the text its regular expression needs, so a record
without a bit is left as it is by `strip_markup`, and `strip_markup_known` with the bits gives
what `strip_markup` gives (tests/detectors/test_text_kernel.py compares them)."""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from provenance.textworks.normalize import (
    HTML_NAMES,
    MK_AMP,
    MK_BLOCK,
    MK_DIR,
    MK_HTML,
    MK_HYPHEN,
    MK_MD,
    MK_ROLE,
    MK_RS,
)

_njit = numba.njit(cache=True, nogil=True, boundscheck=False)
# the tag names, then "!doctype", lower case, one after the other; _NAME_AT[i]: where name i starts
_NAMES = np.frombuffer("".join((*HTML_NAMES, "!doctype")).encode("ascii"), dtype=np.uint8).copy()
#: The ASCII characters the pass below looks at: - < & ] : . and RS.
_SPECIAL = np.zeros(128, dtype=np.bool_)
_SPECIAL[[45, 60, 38, 93, 58, 46, 2]] = True
_SCRIPT, _STYLE = HTML_NAMES.index("script"), HTML_NAMES.index("style")
_NAME_AT = np.cumsum([0, *(len(n) for n in (*HTML_NAMES, "!doctype"))]).astype(np.int64)


@_njit
def _maybe_word(c: int) -> bool:
    """Could be a `\\w` of Python's re: exact for ASCII, any other code point might be."""
    return c >= 128 or (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122) or c == 95


@_njit
def _letter(c: int) -> bool:
    return (65 <= c <= 90) or (97 <= c <= 122)


@_njit
def _name_at(cps: Any, j: int, b: int, q: int) -> bool:
    """Name q at cps[j:]: ASCII in either case, any other code point taken for a letter."""
    a0, a1 = _NAME_AT[q], _NAME_AT[q + 1]
    if j + a1 - a0 > b:
        return False
    for t in range(a1 - a0):
        c = int(cps[j + t])
        if c < 128 and (c | 32 if 65 <= c <= 90 else c) != _NAMES[a0 + t]:
            return False
    return True


@_njit
def _html_at(cps: Any, i: int, b: int) -> bool:
    """normalize._HTML_OPEN at the `<` at i."""
    j = i + 1
    if j + 2 < b and cps[j] == 33 and cps[j + 1] == 45 and cps[j + 2] == 45:  # <!--
        return True
    doctype = len(_NAME_AT) - 2
    if j < b and cps[j] == 33 and _name_at(cps, j, b, doctype):  # <!doctype, in any case
        return True
    if j < b and cps[j] == 47:  # /
        j += 1
    for q in range(doctype):
        if _name_at(cps, j, b, q):
            k = j + _NAME_AT[q + 1] - _NAME_AT[q]
            if k >= b or not _ascii_word(int(cps[k])):
                return True
    return False


@_njit
def _block_at(cps: Any, i: int, b: int) -> bool:
    """normalize._BLOCK_OPEN at the `<` at i."""
    j = i + 1
    if j + 2 < b and cps[j] == 33 and cps[j + 1] == 45 and cps[j + 2] == 45:  # <!--
        return True
    return _name_at(cps, j, b, _SCRIPT) or _name_at(cps, j, b, _STYLE)


@_njit
def _ascii_word(c: int) -> bool:
    return (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122) or c == 95


@_njit
def _entity_at(cps: Any, i: int, b: int) -> bool:
    """normalize._AMP_OPEN at the `&` at i."""
    j = i + 1
    if j >= b:
        return False
    c = int(cps[j])
    if c == 35:  # #
        j += 1
        if j < b and (cps[j] == 120 or cps[j] == 88):  # x X
            k = j + 1
            while k < b and ((48 <= cps[k] <= 57) or (97 <= cps[k] <= 102) or (65 <= cps[k] <= 70)):
                k += 1
            if k > j + 1 and k < b and cps[k] == 59:
                return True
        k = j
        while k < b and ((48 <= cps[k] <= 57) or cps[k] >= 128):
            k += 1
        return k > j and k < b and cps[k] == 59
    if _letter(c):
        k = j + 1
        while k < b and k - j < 32 and _ascii_word(int(cps[k])) and cps[k] != 95:
            k += 1
        return k - j >= 2 and k < b and cps[k] == 59
    return False


@_njit
def flags(cps: Any, starts: Any, ends: Any) -> Any:
    """normalize.markup_bits of every record cps[starts[i]:ends[i]]."""
    out = np.zeros(len(starts), dtype=np.uint8)
    for r in range(len(starts)):
        a, b = starts[r], ends[r]
        bits = 0
        guard = False  # strip_markup's hyphen guard
        cand = False  # a place _HYPHEN_BREAK could match
        dots = False
        colons = False
        for i in range(a, b):
            c = int(cps[i])
            if c >= 128:
                if c != 0xAD and c != 0x2010:
                    continue
            elif not _SPECIAL[c]:
                continue  # letters, digits, spaces: most of the text
            if c == 45 or c == 0xAD or c == 0x2010:
                # "-\n", "-\r\n", "\u00ad\n", "- \n"
                if i + 1 < b:
                    d = int(cps[i + 1])
                    if (d == 10 and c != 0x2010) or (c == 45 and (d == 13 or d == 32) and i + 2 < b
                                                      and int(cps[i + 2]) == 10):
                        guard = True
                if not cand and i > a and _maybe_word(int(cps[i - 1])):
                    j = i + 1
                    while j < b and (cps[j] == 32 or cps[j] == 9):
                        j += 1
                    if j < b and cps[j] == 13:
                        j += 1
                    if j < b and cps[j] == 10:
                        j += 1
                        while j < b and (cps[j] == 32 or cps[j] == 9):
                            j += 1
                        if j < b and _maybe_word(int(cps[j])):
                            cand = True
            elif c == 60:  # <
                if not bits & MK_HTML and _html_at(cps, i, b):
                    bits |= MK_HTML
                if not bits & MK_BLOCK and _block_at(cps, i, b):
                    bits |= MK_BLOCK
            elif c == 38:  # &
                if not bits & MK_AMP and _entity_at(cps, i, b):
                    bits |= MK_AMP
            elif c == 93:  # ]
                if i + 1 < b and cps[i + 1] == 40:
                    bits |= MK_MD
            elif c == 58:  # :
                if i + 1 < b:
                    d = int(cps[i + 1])
                    if d == 96:
                        bits |= MK_ROLE
                    elif d == 58:
                        colons = True
            elif c == 46:  # .
                if i + 2 < b and cps[i + 1] == 46 and cps[i + 2] == 32:
                    dots = True
            elif c == 2:
                bits |= MK_RS
        if guard and cand:
            bits |= MK_HYPHEN
        if dots and colons:
            bits |= MK_DIR
        out[r] = bits
    return out
