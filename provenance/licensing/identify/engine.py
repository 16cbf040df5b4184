"""identify_file: full texts first, then notices and exception names in the rest of the file."""

from __future__ import annotations

import re
from dataclasses import replace

from provenance.licensing.identify.cache import get_index
from provenance.licensing.identify.exceptions import ExceptionHit, find_exceptions
from provenance.licensing.identify.expression import combine, normalise
from provenance.licensing.identify.fulltext import TextMatch, match_tokens, token_span
from provenance.licensing.identify.index import SHINGLE, Index
from provenance.licensing.identify.normalize import Tokens, tokenize
from provenance.licensing.identify.notices import find
from provenance.licensing.identify.types import Candidate, FileIdentification, Identification

#: Identical texts where one member is the plain license and the others need a notice to apply.
_DEFAULT_MEMBER = {"MPL-2.0", "OFL-1.0", "OFL-1.1", "CAL-1.0"}
#: Words that make the licenses named after them choices (OR), not parts (AND).
DUAL_LICENSING = re.compile(
    r"dual[\s-]*licen[sc]|licen[sc]ed\s+under\s+either|at\s+your\s+(?:option|choice)(?![\s)]*any\s+later)"
    r"|(?:choose|choice\s+of|choose\s+between)\s+(?:either|one\s+of|any\s+of)|双重许可|任选其一|二选一",
    re.IGNORECASE,
)
_MPL_INCOMPATIBLE = re.compile(r"incompatible\s+with\s+secondary\s+licenses", re.IGNORECASE)


def _family(members: tuple[str, ...]) -> str:
    parts = members[0].split("-")
    for m in members[1:]:
        other = m.split("-")
        while parts != other[: len(parts)]:
            parts = parts[:-1]
    return "-".join(parts)


def _lines_of(tokens: Tokens, match: TextMatch) -> tuple[int, int]:
    first, last = token_span(match)
    return tokens.lines[first], tokens.lines[min(last, len(tokens.lines) - 1)]


def _text_identification(
    index: Index, tokens: Tokens, match: TextMatch, notices: list[Identification], outside: str
) -> Identification:
    members = index.entries[match.entry].members
    start, end = _lines_of(tokens, match)
    base = Identification(
        expression=None,
        score=round(match.score, 4),
        coverage=round(match.coverage, 4),
        start_line=start,
        end_line=end,
        matcher="text",
    )
    figures = f"coverage {match.coverage:.2f}, precision {match.precision:.2f}"
    if index.entries[match.entry].note:
        figures += f"; reference {index.entries[match.entry].note}"
    for first, last in match.inserted:
        # The run's first shingle starts SHINGLE - 1 words before the first differing word.
        lines = f"{tokens.lines[min(first + SHINGLE - 1, last)]}-{tokens.lines[last]}"
        figures += f"; words on lines {lines} are not in the reference text (reworded, or added terms?)"
    if len(members) == 1:
        return replace(base, expression=members[0], note=f"full text of {members[0]} ({figures})")
    family = _family(members)
    said = [n for n in notices if n.expression in members]
    if said and said[0].expression:
        choice = said[0].expression
        return replace(
            base,
            expression=choice,
            family=family,
            note=f"text of {family}; notice on line {said[0].start_line} says {choice} ({figures})",
        )
    if "MPL-2.0" in members and _MPL_INCOMPATIBLE.search(outside):
        return replace(
            base,
            expression="MPL-2.0-no-copyleft-exception",
            note=f"MPL-2.0 text with an 'Incompatible With Secondary Licenses' notice ({figures})",
        )
    default = next((m for m in members if m in _DEFAULT_MEMBER), None)
    if default:
        others = ", ".join(m for m in members if m != default)
        return replace(
            base,
            expression=default,
            note=f"full text of {default}; identical text also used by {others} ({figures})",
        )
    return replace(
        base,
        ambiguous=members,
        family=family,
        note=f"text of {family}; no notice says which of {', '.join(members)} ({figures})",
    )


def _outside(text: str, spans: list[tuple[int, int]]) -> str:
    """The file with matched license lines blanked, so line numbers stay valid."""
    lines = text.splitlines()
    for first, last in spans:
        for i in range(first - 1, min(last, len(lines))):
            lines[i] = ""
    return "\n".join(lines)


def _fits(exception: str, expression: str) -> bool:
    """LLVM-exception is written for Apache-2.0; the other SPDX exceptions are GNU license exceptions."""
    if exception == "LLVM-exception":
        return expression == "Apache-2.0"
    return expression.split("-")[0] in ("GPL", "LGPL", "AGPL", "GFDL")


def _attach_exceptions(parts: list[Identification], hits: tuple[ExceptionHit, ...]) -> list[Identification]:
    """Each exception joins the license it fits nearest above it, or else nearest below it."""
    out = list(parts)
    for hit in hits:
        fitting = [i for i, p in enumerate(out) if p.expression and _fits(hit.id, p.expression)]
        above = [i for i in fitting if out[i].start_line <= hit.line]
        below = [i for i in fitting if out[i].start_line > hit.line]
        if not above and not below:
            continue
        k = above[-1] if above else below[0]
        part = out[k]
        if " WITH " in (part.expression or ""):
            # One exception per license in SPDX: a second mention (the same exception named twice in
            # a bundled notice) must not write "X WITH E WITH E", which no SPDX parser reads.
            continue
        out[k] = replace(
            part,
            expression=normalise(f"{part.expression} WITH {hit.id}"),
            start_line=min(part.start_line, hit.line),
            end_line=max(part.end_line, hit.line),
            note=f"{part.note}; exception {hit.id} named on line {hit.line}",
        )
    return out


def _operator(parts: list[Identification], outside: str) -> str:
    """OR when a dual-licensing statement comes before the second license, as a preamble does;
    a long notice file listing many components stays AND even if one of them says "either"."""
    ordered = sorted(parts, key=lambda p: p.start_line)
    if not 2 <= len(ordered) <= 3:
        return "AND"
    second = ordered[1].start_line
    lines = outside.splitlines()
    return "OR" if any(DUAL_LICENSING.search(line) for line in lines[:second]) else "AND"


def _stem(license_id: str) -> str:
    return license_id.split("-")[0]


def identify(text: str) -> FileIdentification:
    index = get_index()
    tokens = tokenize(text)
    result = match_tokens(index, tokens)
    spans = [_lines_of(tokens, m) for m in result.matches]
    outside = _outside(text, spans)
    notices = list(find(outside, license_file=True))
    texts = [_text_identification(index, tokens, m, notices, outside) for m in result.matches]
    named = {p.expression for p in texts} | {a for p in texts for a in p.ambiguous}
    stems = {_stem(i) for i in named if i}
    # Notices outside the texts: new licenses join the expression; a bare family name ("GPL") is
    # listed but only blocks the expression when nothing else was found; a rights reservation
    # counts only in a file that grants nothing.
    grants = [n for n in notices if n.expression and n.expression not in named]
    vague = [n for n in notices if n.ambiguous and not any(_stem(a) in stems for a in n.ambiguous)]
    parts = _attach_exceptions(texts + grants, find_exceptions(outside))
    reserved = [n for n in notices if n.reservation] if not parts and not vague else []
    expression = None
    if parts and all(p.expression for p in parts):
        expression = combine([p.expression for p in parts if p.expression], _operator(parts, outside))
    # Words explained: those inside a full-text match, and those on the lines of a statement found.
    explained = {i for m in result.matches for i in range(token_span(m)[0], token_span(m)[1] + 1)}
    stated = {n for p in notices if p.expression for n in range(p.start_line, p.end_line + 1)}
    explained.update(i for i, line in enumerate(tokens.lines) if line in stated)
    coverage = min(1.0, len(explained) / len(tokens.words)) if tokens.words else 0.0
    candidates: tuple[Candidate, ...] = ()
    if not result.matches:
        candidates = tuple(
            Candidate(index.entries[m.entry].members[0], round(m.score, 4))
            for m in result.near[:5]
            if m.score >= 0.05
        )
    matches = sorted(parts + vague + reserved, key=lambda p: (p.start_line, p.end_line))
    return FileIdentification(
        expression=expression, matches=tuple(matches), coverage=round(coverage, 4), candidates=candidates
    )
