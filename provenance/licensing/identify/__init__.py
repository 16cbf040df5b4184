"""License identification: full license texts and license statements in prose, explained.

identify_file(text)  -> FileIdentification   a whole LICENSE/COPYING/NOTICE file
find_notices(text)   -> tuple[Identification] statements inside a README, header or card body
index_version()      -> str                   stamped into scan results
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
