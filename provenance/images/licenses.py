"""Creative Commons URLs and short names found in image metadata, as SPDX ids."""

from __future__ import annotations

import re

_CC_URL = re.compile(
    r"creativecommons\.org/(licenses|publicdomain)/([a-z][a-z+\-]*)/(\d\.\d)(?:/([a-z]{2}))?", re.I
)
_CC_NAME = re.compile(r"\bCC[\s\-]?(BY(?:[\s\-](?:NC|SA|ND))*)[\s\-]?(\d\.\d)\b", re.I)
_CC0 = re.compile(r"\bCC[\s\-]?0\b|\bCC[\s\-]?ZERO\b", re.I)
# CC ports that have an SPDX id of their own; other ports fall back to the international id.
_SPDX_PORTS = {
    ("BY", "2.5", "au"), ("BY", "3.0", "at"), ("BY", "3.0", "de"), ("BY", "3.0", "nl"),
    ("BY", "3.0", "us"), ("BY-SA", "3.0", "at"), ("BY-SA", "3.0", "de"), ("BY-NC", "3.0", "de"),
    ("BY-ND", "3.0", "de"), ("BY-NC-SA", "3.0", "de"), ("BY-NC-ND", "3.0", "de"),
    ("BY-NC-SA", "2.0", "uk"), ("BY-SA", "2.0", "uk"), ("BY-NC-SA", "3.0", "igo"),
}
_CC_ORDER = ("BY", "NC", "ND", "SA")


def _cc_id(parts: str, version: str, port: str | None) -> str | None:
    elems = [p for p in re.split(r"[\s\-+]", parts.upper()) if p]
    if not elems or elems[0] != "BY" or any(e not in _CC_ORDER for e in elems):
        return None
    # Canonical element order (BY-NC-SA, not BY-SA-NC) as SPDX spells it.
    name = "-".join(sorted(set(elems), key=_CC_ORDER.index))
    if port and (name, version, port.lower()) in _SPDX_PORTS:
        return f"CC-{name}-{version}-{port.upper()}"
    return f"CC-{name}-{version}"


def license_from_text(text: str) -> tuple[str, float] | None:
    """(SPDX id, confidence) named by a URL or a short name, or None."""
    m = _CC_URL.search(text)
    if m:
        kind, name, version, port = m.group(1).lower(), m.group(2).lower(), m.group(3), m.group(4)
        if kind == "publicdomain":
            if name == "zero":
                return "CC0-1.0", 0.95
            if name == "mark":
                return "LicenseRef-CC-PDM-1.0", 0.9
            return None
        spdx = _cc_id(name, version, port)
        return (spdx, 0.95) if spdx else None
    m = _CC_NAME.search(text)
    if m:
        spdx = _cc_id(m.group(1), m.group(2), None)
        return (spdx, 0.8) if spdx else None
    if _CC0.search(text):
        return "CC0-1.0", 0.8
    return None
