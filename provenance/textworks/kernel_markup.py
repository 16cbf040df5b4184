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

from provenance.textworks.normalize import MK_AMP, MK_DIR, MK_HTML, MK_HYPHEN, MK_MD, MK_ROLE, MK_RS

_njit = numba.njit(cache=True, nogil=True, boundscheck=False)


@_njit
def _maybe_word(c: int) -> bool:
    """Could be a `\\w` of Python's re: exact for ASCII, any other code point might be."""
    return c >= 128 or (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122) or c == 95


@_njit
def _letter(c: int) -> bool:
    return (65 <= c <= 90) or (97 <= c <= 122)


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
                if i + 1 < b:
                    d = int(cps[i + 1])
                    if _letter(d) or d == 47 or d == 33:
                        bits |= MK_HTML
            elif c == 38:  # &
                if i + 1 < b:
                    d = int(cps[i + 1])
                    if _letter(d) or d == 35:
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
