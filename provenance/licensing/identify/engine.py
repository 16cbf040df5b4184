"""identify_file: full texts first, then notices and exception names in the rest of the file."""

from __future__ import annotations

import re
from dataclasses import replace

from provenance.licensing.identify.exceptions import ExceptionHit, find_exceptions
from provenance.licensing.identify.expression import combine, normalise
from provenance.licensing.identify.fulltext import TextMatch, match_tokens, token_span
from provenance.licensing.identify.index import Index, get_index
from provenance.licensing.identify.normalize import Tokens, tokenize
from provenance.licensing.identify.notices import find
from provenance.licensing.identify.types import Candidate, FileIdentification, Identification

#: Identical texts where one member is the plain license and the others need a notice to apply.
_DEFAULT_MEMBER = {"MPL-2.0", "OFL-1.0", "OFL-1.1", "CAL-1.0"}
_DUAL = re.compile(
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


def _attach_exceptions(parts: list[Identification], hits: tuple[ExceptionHit, ...]) -> list[Identification]:
    """Each exception joins the identified license nearest above it (or the first one)."""
    out = list(parts)
    for hit in hits:
        targets = [i for i, p in enumerate(out) if p.expression and not p.reservation]
        if not targets:
            continue
        above = [i for i in targets if out[i].start_line <= hit.line]
        k = above[-1] if above else targets[0]
        part = out[k]
        if " WITH " in (part.expression or ""):
            continue
        out[k] = Identification(
            expression=normalise(f"{part.expression} WITH {hit.id}"),
            score=part.score,
            coverage=part.coverage,
            start_line=min(part.start_line, hit.line),
            end_line=max(part.end_line, hit.line),
            matcher=part.matcher,
            note=f"{part.note}; exception {hit.id} named on line {hit.line}",
        )
    return out


def identify(text: str) -> FileIdentification:
    index = get_index()
    tokens = tokenize(text)
    result = match_tokens(index, tokens)
    spans = [_lines_of(tokens, m) for m in result.matches]
    outside = _outside(text, spans)
    notices = [n for n in find(outside)]
    parts = [_text_identification(index, tokens, m, notices, outside) for m in result.matches]
    used = {p.expression for p in parts if p.family}
    extra = [
        n for n in notices if n.expression not in used and n.expression not in {p.expression for p in parts}
    ]
    parts = _attach_exceptions(parts + [n for n in extra if n.expression], find_exceptions(outside))
    parts += [n for n in extra if not n.expression]
    parts.sort(key=lambda p: (p.start_line, p.end_line))
    grants = [p for p in parts if not p.reservation]
    operator = "OR" if _DUAL.search(outside) else "AND"
    expression = None
    if grants and all(p.expression for p in grants):
        expression = combine([p.expression for p in grants if p.expression], operator)
    covered = sum(len(range(*token_span(m))) + 1 for m in result.matches)
    coverage = min(1.0, covered / len(tokens.words)) if tokens.words else 0.0
    candidates: tuple[Candidate, ...] = ()
    if not result.matches:
        candidates = tuple(
            Candidate(index.entries[m.entry].members[0], round(m.score, 4)) for m in result.near[:5]
        )
    return FileIdentification(
        expression=expression, matches=tuple(parts), coverage=round(coverage, 4), candidates=candidates
    )
