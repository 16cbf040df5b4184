"""Licenses credited inside record text ("A cat on a sofa. Photo: Jane Doe, CC BY-NC 3.0"): evidence
about that record, counted like a `license` field (issue 14).

What counts as a credit, and why so narrowly: text that merely talks about licenses ("What is the
difference between the MIT license and the GPL?") is common in instruction data and must not
license its record. A credit is
- a license named in the last clause of a string field (credits end captions and articles), when
  the name is a Creative Commons one (CC BY-NC 3.0, CC0: written that way only to credit) or the
  clause says so ("licensed under", "License:", "采用……许可");
- or any license named in a field that exists to hold credits (`attribution`, `credit`, ...).
A question (the field ends with "?") is never a credit. Records that carry a license field use it;
credits are read only for records without one.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from provenance.licensing.identify import find_notices
from provenance.licensing.identify.engine import DUAL_LICENSING
from provenance.licensing.identify.expression import combine

#: Field names whose whole value is a credit line.
CREDIT_FIELDS = frozenset({"attribution", "credit", "credits", "copyright", "photo_credit", "image_credit",
                           "credit_line", "attribution_text"})
#: Characters at the end of a field searched for a credit.
TAIL = 240
#: Longest last clause read as a credit.
CLAUSE = 200
#: Text that can name a license at all (RE2 and Python `re` both read it): the cheap first test.
CUE = r"(?i)\bcc[\s-]?(?:by|0|zero)\b|creative\s*commons|public\s+domain|licen[cs]|许可|协议"
_CUE = re.compile(CUE)
_GRANT = re.compile(
    r"licen[cs]ed\s+(?:under|as)|released\s+under|available\s+under|distributed\s+under|under\s+the\s+terms"
    r"|licen[cs]e\s*[:：=]|采用|许可|协议|授权",
    re.IGNORECASE,
)
# Sentence ends that are not the dot of a version number (3.0).
_CLAUSE_END = re.compile(r"(?<!\d)[.!?。！？;；\n]|[.](?!\d)")
_TRAILING = " \t\r\n.)]）】」』'\"”’"


def credit_of(text: str, whole: bool = False) -> str | None:
    """The license `text` credits (an SPDX expression), or None. `whole`: the field holds credits."""
    tail = text[:TAIL * 2] if whole else text[-TAIL:]
    if not _CUE.search(tail):
        return None
    body = tail.rstrip(_TRAILING)
    if body.endswith(("?", "？")):
        return None
    clause = body if whole else _CLAUSE_END.split(body)[-1]
    clause = clause[-CLAUSE:]
    named = [n.expression for n in find_notices(clause) if n.expression]
    if not named:
        return None
    if not whole and not _GRANT.search(clause) and not all(_creative_commons(e) for e in named):
        return None
    return combine(named, "OR" if DUAL_LICENSING.search(clause) else "AND")


def _creative_commons(expression: str) -> bool:
    return expression.startswith(("CC-", "CC0-"))


class Credits:
    """Credited licenses of one table: counts and one example of each."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.example: dict[str, str] = {}

    def add(self, expression: str, text: str) -> None:
        self.counts[expression] += 1
        self.example.setdefault(expression, text.strip()[-120:])

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        parts = ", ".join(f"{lic} ({n})" for lic, n in self.counts.most_common(8))
        more = len(self.counts) - 8
        return f"{self.total} record(s) credit a license in their text: {parts}" + (f" and {more} more" if more > 0
                                                                                    else "")


def record_credit(obj: dict[str, Any], skip: frozenset[str]) -> tuple[str, str] | None:
    """(expression, text) of the first credit among a JSON record's string fields (top level and
    one level down), leaving out the license fields in `skip`."""
    for key, value in _strings(obj, skip):
        found = credit_of(value, whole=key.lower() in CREDIT_FIELDS)
        if found:
            return found, value
    return None


def _strings(obj: dict[str, Any], skip: frozenset[str], depth: int = 0) -> Any:
    for key, value in obj.items():
        if not isinstance(key, str) or key.lower() in skip:
            continue
        if isinstance(value, str):
            yield key, value
        elif isinstance(value, dict) and depth == 0:
            yield from _strings(value, skip, 1)


def batch_credits(batch: pa.RecordBatch, skip: frozenset[str], unlicensed: Any, credits: Credits) -> int:
    """Count credits in the string columns of an Arrow batch, for the rows where `unlicensed` (a
    boolean array, or None for every row) is true; returns how many rows were credited. The cue
    is tested on every row's tail at once (RE2 in Arrow); only rows that hit are read in Python."""
    done: set[int] = set()
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        if name.lower() in skip or not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        whole = name.lower() in CREDIT_FIELDS
        tails = column if whole else pc.utf8_slice_codeunits(column, start=-TAIL)
        hits = pc.match_substring_regex(tails, CUE)
        if unlicensed is not None:
            hits = pc.and_kleene(hits, unlicensed)
        rows = pc.indices_nonzero(pc.fill_null(hits, False)).to_pylist()
        for row in rows:
            if row in done:
                continue
            value = column[row].as_py()
            found = credit_of(value, whole=whole) if value else None
            if found:
                credits.add(found, value)
                done.add(row)
    return len(done)
