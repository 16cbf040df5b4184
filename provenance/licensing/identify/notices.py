"""License statements inside prose: names, short forms, URLs, badges and rights reservations.

Precision first: a short form ("MIT", "Apache 2.0", "GPL") counts only with a licensing cue in the
same sentence; family names without a version are reported as ambiguous, never guessed.
"""

from __future__ import annotations

import bisect
import json
import re
import urllib.parse
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from provenance.licensing.identify.cache import get_index
from provenance.licensing.identify.expression import normalise
from provenance.licensing.identify.families import CUE, PATTERNS, Reading
from provenance.licensing.identify.types import Identification

_COMMENT = re.compile(r"^[ \t]*(?:#+|//+|/\*+|\*+/?|;+|--+|>+|<!--|%+|rem\s)?[ \t]?", re.IGNORECASE)
_TRAILER = re.compile(r"(?:\*/|-->)[ \t]*$")


@dataclass(frozen=True)
class Hit:
    """One mention found at characters [start, end) of the cleaned text."""

    start: int
    end: int
    reading: Reading
    matcher: str


@dataclass(frozen=True)
class Text:
    """The input with comment leaders removed, and where each line starts (to map offsets to lines)."""

    body: str
    starts: tuple[int, ...]

    @classmethod
    def of(cls, raw: str) -> Text:
        lines = [_TRAILER.sub("", _COMMENT.sub("", line, count=1)) for line in raw.splitlines()]
        starts = [0]
        for line in lines[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        return cls("\n".join(lines), tuple(starts))

    def blanked(self, spans: list[tuple[int, int]]) -> Text:
        """The same text with the given character spans turned into spaces (offsets unchanged)."""
        chars = list(self.body)
        for a, b in spans:
            chars[a:b] = " " * (b - a)
        return Text("".join(chars), self.starts)

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


# ---------------------------------------------------------------- tables from the shipped data


@dataclass(frozen=True)
class Tables:
    ids: dict[str, str]  # lowercased SPDX id -> id
    names: dict[str, dict[tuple[str, ...], str]]  # first word -> name words -> id
    urls: dict[str, str]  # normalised URL -> id


_NAME_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*|[\u4e00-\u9fff]")
_SKIP_WORDS = {"version", "v", "ver"}


def _name_words(text: str) -> list[tuple[str, int, int]]:
    """Words for name lookup: "version"/"v" dropped and "v3.0" read as "3.0", so "License v3.0",
    "License version 3.0" and "License 3.0" compare equal."""
    out = []
    for m in _NAME_WORD.finditer(text):
        word = m.group()
        if word in _SKIP_WORDS:
            continue
        if word[0] == "v" and word[1:2].isdigit():
            word = word[1:]
        out.append((word, m.start(), m.end()))
    return out


def _url_key(url: str) -> str:
    url = url.lower().strip()
    url = re.sub(r"^[a-z]+://", "", url)
    url = re.sub(r"^www\.", "", url)
    url, _, fragment = url.partition("#")  # an anchor picks one license off a page that lists many
    url = re.sub(r"\?.*$", "", url)
    url = re.sub(r"(?:/legalcode(?:\.[a-z\-]+)?|\.html?|\.txt|\.php|\.md|/)+$", "", url)
    return f"{url}#{fragment}" if fragment else url


@lru_cache(maxsize=1)
def tables() -> Tables:
    bundle = get_index().catalog
    ids = {lic.id.lower(): lic.id for lic in bundle.licenses if not lic.deprecated}
    names: dict[str, dict[tuple[str, ...], str]] = {}
    url_owners: dict[str, set[str]] = {}
    aliases = json.loads((resources.files(__package__) / "data/aliases.json").read_text("utf-8"))["names"]
    pairs = [(lic.name, lic.id) for lic in bundle.licenses if not lic.deprecated] + list(aliases.items())
    for name, lid in pairs:
        words = tuple(w for w, _, _ in _name_words(name.lower()))
        curated = name in aliases
        if words and (len(words) >= 2 or curated or name.lower() == lid.lower()):
            names.setdefault(words[0], {})[words] = lid
    for lic in bundle.licenses:
        if lic.deprecated:
            continue
        for url in lic.see_also:
            url_owners.setdefault(_url_key(url), set()).add(lic.id)
    urls = {key: next(iter(owners)) for key, owners in url_owners.items() if len(owners) == 1}
    return Tables(ids, names, urls)


# ---------------------------------------------------------------- matchers


_URL = re.compile(
    r"(?:https?://)?(?:www\.)?[a-z0-9.\-]+\.(?:org|com|net|io|edu|gov|eu|de|fr|uk)/[^\s)\]>\"'`,]*",
    re.IGNORECASE,
)
_CC_URL = re.compile(
    r"creativecommons\.org/(?:licenses/(?P<terms>by(?:-nc)?(?:-nd|-sa)?)(?:/(?P<ver>\d\.\d))?(?:/(?P<port>[a-z]{2}))?"
    r"|publicdomain/(?P<pd>zero|mark)(?:/(?P<pdver>1\.0))?)",
    re.IGNORECASE,
)
_GNU_URL = re.compile(
    r"gnu\.org/licenses/(?:old-licenses/)?(?P<kind>[al]?gpl|fdl)(?:-(?P<ver>\d\.\d))?", re.I
)
_SIMPLE_URLS = (
    (re.compile(r"apache\.org/licenses/license-(?P<ver>\d\.\d)", re.I), "Apache-{ver}"),
    (re.compile(r"mozilla\.org/(?:en-us/)?mpl/(?P<ver>\d\.\d)", re.I), "MPL-{ver}"),
    (re.compile(r"opendatacommons\.org/licenses/odbl", re.I), "ODbL-1.0"),
    (re.compile(r"opendatacommons\.org/licenses/by", re.I), "ODC-By-1.0"),
    (re.compile(r"opendatacommons\.org/licenses/pddl", re.I), "PDDL-1.0"),
    (re.compile(r"unlicense\.org", re.I), "Unlicense"),
)
_ID_URL = re.compile(
    r"(?:opensource\.org/licenses?|spdx\.org/licenses|choosealicense\.com/licenses)/(?P<id>[\w.+\-]+)", re.I
)


def _read_url(url: str) -> Reading | None:
    m = _CC_URL.search(url)
    if m:
        if m["pd"]:
            return Reading("CC0-1.0" if m["pd"].lower() == "zero" else "CC-PDM-1.0")
        terms, ver, port = m["terms"].lower(), m["ver"], m["port"]
        if not ver:
            return Reading(
                None,
                tuple(f"CC-{terms.upper()}-{v}" for v in ("2.0", "3.0", "4.0")),
                "Creative Commons URL without a version",
            )
        ported = f"CC-{terms.upper()}-{ver}-{port.upper()}" if port else ""
        if ported and ported.lower() in tables().ids:
            return Reading(tables().ids[ported.lower()])
        return Reading(f"CC-{terms.upper()}-{ver}")
    m = _GNU_URL.search(url)
    if m:
        kind = m["kind"].upper()
        if kind == "FDL":
            kind = "GFDL"
        if not m["ver"]:
            return None  # the licenses index page, not a license
        return Reading(f"{kind}-{m['ver']}-only")
    for pattern, template in _SIMPLE_URLS:
        m = pattern.search(url)
        if m:
            return Reading(template.format(**m.groupdict()))
    m = _ID_URL.search(url)
    if m:
        key = re.sub(r"(?:-license)?(?:\.html?|\.php|\.txt)?$", "", m["id"].lower())
        found = tables().ids.get(key)
        if found:
            return Reading(found)
    found = tables().urls.get(_url_key(url))
    return Reading(found) if found else None


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
    r"licen|gpl|\bmit\b|bsd|apache|commons|\bcc|mozilla|\bmpl|eclipse|\bepl|artistic|\bofl|cdla|eupl|mulan"
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
    words = _name_words(lowered)
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


_RESERVATION = re.compile(
    r"all\s+rights\s+reserved|proprietary\s+and\s+confidential"
    r"|no\s+part\s+of\s+this[^.\n]{0,60}?may\s+be\s+(?:reproduced|copied|distributed|transmitted)"
    r"|unauthori[sz]ed\s+(?:copying|reproduction|use|distribution)[^.\n]{0,80}?prohibited"
    r"|may\s+not\s+be\s+(?:reproduced|copied|redistributed|distributed|used)[^.\n]{0,60}?without\s+"
    r"(?:the\s+)?(?:prior\s+)?(?:express\s+)?(?:written\s+)?(?:permission|consent)"
    r"|版权所有|保留所有权利|保留一切权利|保留全部权利|未经[^，。,\n]{0,12}(?:许可|授权|同意)[^。\n]{0,12}?不得"
    r"(?:转载|复制|使用|传播|商用|用于)|禁止转载|严禁转载|不得转载",
    re.IGNORECASE,
)
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


def _code_lines(raw: str) -> list[int]:
    """0-based lines of fenced code blocks and interpreter sessions: examples, not statements."""
    out, fenced = [], False
    for number, line in enumerate(raw.splitlines()):
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
    skip += [(text.starts[n], ends[n] - 1) for n in _code_lines(raw)]
    text = text.blanked(skip)
    body = text.body
    hits: list[Hit] = []
    claimed: list[tuple[int, int]] = []
    for m in _BADGE.finditer(body):
        reading = _read_badge(m["body"])
        if reading:
            hits.append(Hit(m.start(), m.end(), reading, "badge"))
        claimed.append((m.start(), m.end()))
    for m in _URL.finditer(body):
        if not _spans_free(claimed, m.start(), m.end()):
            continue
        reading = _read_url(m.group())
        if reading:
            hits.append(Hit(m.start(), m.end(), reading, "url"))
        claimed.append((m.start(), m.end()))
    for hit in _name_hits(text.blanked(claimed)):
        if hit.reading.weak and not bare_name and not _has_cue(body, hit.start, hit.end):
            continue
        hits.append(hit)
    grants = sorted(hits, key=lambda h: h.start)
    found = _merge([_identification(text, h) for h in grants])
    reservations = _reservations(text, found)
    return tuple(sorted(found + reservations, key=lambda i: (i.start_line, i.end_line)))


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
_GRANT_WORDS = re.compile(
    r"permission\s+is\s+hereby\s+granted|redistribution\s+and\s+use\s+in\s+source|permission\s+to\s+use,"
    r"\s+copy|is\s+free\s+software|hereby\s+grants?\b|licensed\s+under|特此授予",
    re.IGNORECASE,
)


def _reservations(text: Text, grants: list[Identification]) -> list[Identification]:
    out: list[Identification] = []
    lines = text.body.split("\n")
    for m in _RESERVATION.finditer(text.body):
        first, last = text.line_of(m.start()), text.line_of(m.end() - 1)
        if any(g.expression and g.start_line - 3 <= last and first <= g.end_line + 3 for g in grants):
            continue
        if _GRANT_WORDS.search("\n".join(lines[max(0, first - 4) : last + 10])):
            continue
        if out and first - out[-1].end_line <= 1:
            out[-1] = replace(out[-1], end_line=last, note=out[-1].note + f" + {m.group()!r}")
            continue
        out.append(
            Identification(
                expression=None,
                score=1.0,
                coverage=1.0,
                start_line=first,
                end_line=last,
                matcher="reservation",
                note=f"rights reserved without a license grant: {m.group()!r}",
                reservation=True,
            )
        )
    return out
