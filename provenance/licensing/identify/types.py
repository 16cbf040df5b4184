"""What the license identification engine returns. Values only."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    """A license the text resembles, with how closely (0..1)."""

    license: str
    score: float


@dataclass(frozen=True)
class Identification:
    """One license (or rights statement) recognised in a span of text, explained."""

    #: SPDX expression; None when nothing was identified with enough confidence or when ambiguous.
    expression: str | None
    #: 0..1: how well the span matches the reference.
    score: float
    #: 0..1: share of the reference text covered by the match (1.0 for notices).
    coverage: float
    #: 1-based, inclusive line span in the input text.
    start_line: int
    end_line: int
    #: Which matcher fired: e.g. "exact", "text", "notice", "url", "spdx-id", "name", "reservation".
    matcher: str
    #: When only a family is known ("GPL" without version, "Creative Commons" without terms):
    #: the licenses it could be. `expression` is then None.
    ambiguous: tuple[str, ...] = ()
    #: One line a person can read: why this match, or why it is ambiguous.
    note: str = ""
    #: Closest references, best first (filled for unknown or ambiguous texts).
    candidates: tuple[Candidate, ...] = ()
    #: A rights reservation ("All rights reserved", "版权所有") rather than a grant.
    reservation: bool = False
    #: The family when only the family is certain: "GPL-2.0" for the GPL-2.0 text without a notice
    #: saying "only" or "or later". Empty otherwise.
    family: str = ""


@dataclass(frozen=True)
class FileIdentification:
    """The verdict on a whole license file."""

    #: Combined SPDX expression for everything identified (AND for concatenated texts,
    #: WITH for an exception); None when nothing was identified.
    expression: str | None
    matches: tuple[Identification, ...]
    #: 0..1: share of the file's words explained by the matches.
    coverage: float
    #: Closest references when the file was not identified.
    candidates: tuple[Candidate, ...] = ()
