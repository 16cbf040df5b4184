"""License exceptions, found by name.

The SPDX bundle has exception names but no texts. Exception texts almost always carry their name
("LLVM Exceptions to the Apache 2.0 License", "GCC Runtime Library Exception, Version 3.1",
"Classpath exception"), so a name match next to an identified license is enough to write `WITH`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from provenance.licensing.identify.cache import get_index

_DROP = {"exception", "exceptions", "version", "the", "to", "variant", "note", "short", "license", "for"}
_VERSION = re.compile(r"^\d+(?:\.\d+)*$")


@dataclass(frozen=True)
class ExceptionHit:
    """An exception named on a line."""

    id: str
    line: int


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[re.Pattern[str], tuple[tuple[str, str], ...]], ...]:
    """One pattern per name stem ("llvm", "gcc runtime library"), with the (version, id) it may mean."""
    stems: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for exc in get_index().catalog.exceptions:
        words = re.findall(r"[a-z0-9]+(?:\.[0-9]+)*", exc.name.lower())
        if "exception" not in words and "exceptions" not in words:
            continue
        version = next((w for w in words if _VERSION.match(w)), "")
        stem = tuple(w for w in words if w not in _DROP and not _VERSION.match(w))
        if stem:
            stems.setdefault(stem, []).append((version, exc.id))
    out = []
    for stem, options in stems.items():
        joined = r"[\W_]+".join(re.escape(w) for w in stem)
        pattern = re.compile(
            rf"(?<![\w-])(?:{joined})[\W_]+(?:\w+[\W_]+){{0,2}}?exceptions?\b"
            rf"(?P<tail>[^\n]{{0,40}})",
            re.IGNORECASE,
        )
        out.append((pattern, tuple(options)))
    return tuple(out)


def find_exceptions(text: str) -> tuple[ExceptionHit, ...]:
    hits: list[ExceptionHit] = []
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if "xception" not in line and "XCEPTION" not in line:
            continue
        for pattern, options in _patterns():
            m = pattern.search(line)
            if not m:
                continue
            plain = [i for v, i in options if not re.search(r"-(?:short|note)$", i)]
            # The version may follow a line or two below ("GCC RUNTIME LIBRARY EXCEPTION" / "Version 3.1").
            near = " ".join([m.group(), *lines[number : number + 3]])
            versioned = [i for v, i in options if v and re.search(rf"\b{re.escape(v)}\b", near)]
            chosen = versioned[:1] or (plain if len(plain) == 1 else [])
            if chosen:
                hits.append(ExceptionHit(chosen[0], number))
    return tuple(hits)
