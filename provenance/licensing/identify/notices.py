"""License statements inside prose: names, short forms, URLs, badges and rights reservations.

Precision first: a short form ("MIT", "Apache 2.0", "GPL") counts only with a licensing cue in the
same sentence; family names without a version are reported as ambiguous, never guessed.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import replace

from provenance.licensing.identify.expression import normalise
from provenance.licensing.identify.families import CUE, PATTERNS, Reading
from provenance.licensing.identify.lookup import URL, name_words, read_url, tables
from provenance.licensing.identify.prose import Hit, Text
from provenance.licensing.identify.reservations import reservations
from provenance.licensing.identify.types import Identification

_BADGE = re.compile(r"img\.shields\.io/badge/(?P<body>[^\s)\"'?]+)", re.IGNORECASE)


def _read_badge(body: str) -> Reading | None:
    text = urllib.parse.unquote(body)
    text = re.sub(r"\.(?:svg|png)$", "", text)
    parts = [p.replace("\0", "-").replace("_", " ") for p in text.replace("--", "\0").split("-")]
    if len(parts) < 2 or not re.search(r"licen[sc]e|许可", parts[0], re.IGNORECASE):
        return None
    message = parts[1] if len(parts) == 2 else "-".join(parts[1:-1])
    hits = _name_hits(Text.of("license: " + message))
    return hits[0].reading if hits else None


# Tokens shaped like a versioned SPDX id: a hyphen and a digit ("Apache-2.0", "CC-BY-NC-4.0").
_VERSIONED_ID = re.compile(r"(?<![\w.\-/])(?=[\w.+]*-)(?=[\w.+\-]*\d)[A-Za-z0-9][\w.+\-]*[\w+]")


def _is_versioned_id(mention: str) -> bool:
    found = tables().ids.get(mention.strip().lower())
    return found is not None and "-" in found and any(c.isdigit() for c in found)


def _spans_free(claimed: list[tuple[int, int]], start: int, end: int) -> bool:
    return all(end <= a or start >= b for a, b in claimed)


# Every family pattern needs one of these words; the patterns only run around lines that have one.
_TRIGGER = re.compile(
    r"licen|gpl|gfdl|\bmit\b|bsd|apache|commons|\bcc|mozilla|\bmpl|eclipse|\bepl|artistic|\bofl|cdla|eupl|mulan"
    r"|许可|协议|知识共享|木兰|公共|授权"
)


def _windows(body: str) -> list[tuple[int, int]]:
    """Character ranges worth running the family patterns on: trigger lines and one line either side."""
    out: list[tuple[int, int]] = []
    for m in _TRIGGER.finditer(body.lower()):
        line_start = body.rfind("\n", 0, m.start()) + 1
        start = body.rfind("\n", 0, line_start - 1) + 1 if line_start > 0 else 0
        line_end = body.find("\n", m.end())
        following = body.find("\n", line_end + 1) if line_end >= 0 else -1
        end = following if following >= 0 else len(body)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _name_hits(text: Text) -> list[Hit]:
    """Family patterns first, then SPDX names and ids, then aliases; each claims its characters."""
    body = text.body
    hits: list[Hit] = []
    claimed: list[tuple[int, int]] = []
    windows = _windows(body)
    for pattern, read in PATTERNS:
        for m in (m for a, b in windows for m in pattern.finditer(body, a, b)):
            if m.end() == m.start() or not _spans_free(claimed, m.start(), m.end()):
                continue
            reading = read(m)
            if reading.license is None and not reading.ambiguous:
                continue
            if reading.weak and reading.license and _is_versioned_id(m.group()):
                reading = replace(reading, weak=False)  # "Apache-2.0" written as an SPDX id
            hits.append(Hit(m.start(), m.end(), reading, "name"))
            claimed.append((m.start(), m.end()))
    lowered = body.lower()
    words = name_words(lowered)
    names = tables().names
    for i, (word, start, _) in enumerate(words):
        for name, lid in sorted(names.get(word, {}).items(), key=lambda kv: -len(kv[0])):
            n = len(name)
            if tuple(w for w, _, _ in words[i : i + n]) == name:
                end = words[i + n - 1][2]
                if _spans_free(claimed, start, end):
                    weak = not re.search(r"licen[sc]e|\d", " ".join(name))
                    hits.append(Hit(start, end, Reading(lid, weak=weak), "name"))
                    claimed.append((start, end))
                break
    for m in _VERSIONED_ID.finditer(body):
        found = tables().ids.get(m.group().lower())
        # Only ids that cannot be ordinary words ("Apache-2.0", "CC-BY-4.0"); "DOC", "Intel",
        # "JSON" and "X11" are SPDX ids too, and reach us through names and aliases instead.
        if found and _is_versioned_id(found) and _spans_free(claimed, m.start(), m.end()):
            hits.append(Hit(m.start(), m.end(), Reading(found), "spdx-id"))
            claimed.append((m.start(), m.end()))
    return hits


_SENTENCE_END = re.compile(r"[.!?。！？;；](?:\s|$)|\n\s*\n")


def _sentence(body: str, start: int, end: int) -> str:
    """The sentence around [start, end), bounded to 200 characters each side."""
    left = body[max(0, start - 200) : start]
    right = body[end : end + 200]
    cut = [m.end() for m in _SENTENCE_END.finditer(left)]
    left = left[cut[-1] :] if cut else left
    m = _SENTENCE_END.search(right)
    right = right[: m.start()] if m else right
    return left + body[start:end] + right


def _has_cue(body: str, start: int, end: int) -> bool:
    return bool(CUE.search(_sentence(body, start, end)))


def _statement_start(body: str, start: int) -> int:
    """Where the statement begins: at a cue ("licensed under") shortly before the name, if any."""
    left = body[max(0, start - 80) : start]
    cut = [m.end() for m in _SENTENCE_END.finditer(left)]
    offset = cut[-1] if cut else 0
    m = CUE.search(left, offset)
    return start - len(left) + m.start() if m else start


def _identification(text: Text, hit: Hit) -> Identification:
    reading = hit.reading
    first = text.line_of(_statement_start(text.body, hit.start))
    last = text.line_of(max(hit.start, hit.end - 1))
    mention = " ".join(text.body[hit.start : hit.end].split())
    if reading.license is None:
        return Identification(
            expression=None,
            score=0.0,
            coverage=1.0,
            start_line=first,
            end_line=last,
            matcher=hit.matcher,
            ambiguous=reading.ambiguous,
            note=f"{reading.note}: {mention!r}",
        )
    expression = normalise(reading.license)
    return Identification(
        expression=expression,
        score=1.0,
        coverage=1.0,
        start_line=first,
        end_line=last,
        matcher=hit.matcher,
        note=f"{hit.matcher} {mention!r}",
    )


# SPDX-License-Identifier tags have their own detector in the scanner; reporting them here too
# would count the same evidence twice.
_SPDX_TAG = re.compile(r"SPDX-License-Identifier:[^\n]*", re.IGNORECASE)
# Sentences that name a license without granting it for the work: the Creative Commons legal code
# ends by saying its own text is under CC0.
_NOT_A_GRANT = re.compile(
    r"(?:public\s+)?licenses\s+is\s+dedicated\s+to\s+the\s+public\s+domain\s+under\s+the\s+cc0"
    r"(?:\s+public\s+domain\s+dedication)?",
    re.IGNORECASE,
)


_FENCE = re.compile(r"^\s*(?:```|~~~)")
_PROMPT = re.compile(r"^\s*(?:>>>|\.\.\.)(?:\s|$)")


def _skipped_lines(raw: str) -> list[int]:
    """0-based lines that are not prose: a leading YAML front matter block (a dataset card's
    metadata, read by its own detector), fenced code blocks and interpreter sessions (examples)."""
    lines = raw.splitlines()
    out: list[int] = []
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), -1)
        out = list(range(end + 1)) if end > 0 else []
    fenced = False
    for number, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            out.append(number)
        elif fenced or _PROMPT.match(line):
            out.append(number)
    return out


def find(raw: str, *, license_file: bool = False) -> tuple[Identification, ...]:
    """Statements in `raw`. A license file (`license_file=True`) that holds only a few words is
    itself the cue, so a bare short form ("Apache 2.0", "MIT") counts there."""
    text = Text.of(raw)
    bare_name = license_file and len(re.findall(r"\w+", text.body)) <= 8
    skip = [(m.start(), m.end()) for m in (*_SPDX_TAG.finditer(text.body), *_NOT_A_GRANT.finditer(text.body))]
    ends = [*text.starts[1:], len(text.body) + 1]
    skip += [(text.starts[n], ends[n] - 1) for n in _skipped_lines(raw)]
    text = text.blanked(skip)
    body = text.body
    hits: list[Hit] = []
    claimed: list[tuple[int, int]] = []
    for m in _BADGE.finditer(body):
        reading = _read_badge(m["body"])
        if reading:
            hits.append(Hit(m.start(), m.end(), reading, "badge"))
        claimed.append((m.start(), m.end()))
    for m in URL.finditer(body):
        if not _spans_free(claimed, m.start(), m.end()):
            continue
        reading = read_url(m.group())
        if reading:
            hits.append(Hit(m.start(), m.end(), reading, "url"))
        claimed.append((m.start(), m.end()))
    for hit in _name_hits(text.blanked(claimed)):
        if hit.reading.weak and not bare_name and not _has_cue(body, hit.start, hit.end):
            continue
        hits.append(hit)
    grants = sorted(hits, key=lambda h: h.start)
    found = _merge([_identification(text, h) for h in grants])
    reserved = reservations(text, found)
    return tuple(sorted(found + reserved, key=lambda i: (i.start_line, i.end_line)))


def _merge(items: list[Identification]) -> list[Identification]:
    """One statement often names a license twice (name and URL): keep one per license and paragraph."""
    out: list[Identification] = []
    for item in items:
        prev = next(
            (
                o
                for o in reversed(out)
                if o.expression == item.expression
                and o.ambiguous == item.ambiguous
                and item.start_line - o.end_line <= 2
            ),
            None,
        )
        if prev is not None:
            out[out.index(prev)] = replace(prev, end_line=max(prev.end_line, item.end_line))
            continue
        out.append(item)
    # An ambiguous family mention inside a statement that also names the exact license adds nothing.
    exact = [o for o in out if o.expression]
    return [
        o
        for o in out
        if o.expression
        or not any(abs(o.start_line - e.start_line) <= 1 and set(o.ambiguous) & {e.expression} for e in exact)
    ]


# Grant wording of license texts: a reservation next to it is the license's own copyright line.
