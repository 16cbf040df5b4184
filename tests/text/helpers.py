"""Builders for test inputs: valid identifiers computed from their published rules."""

from __future__ import annotations

import io

from provenance.detectors.interface import AssetContent
from provenance.model import Asset, AssetKind

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id(first17: str) -> str:
    """A resident ID with the GB 11643 check character appended."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def wrong_check(number: str) -> str:
    """The same ID with a different (wrong) check character."""
    return number[:17] + ("0" if number[17] != "0" else "1")


def make_card(prefix: str, length: int) -> str:
    """A card number of `length` digits starting with `prefix`, Luhn check digit appended."""
    body = prefix + "0123456789" * 2
    body = body[: length - 1]
    for check in "0123456789":
        candidate = body + check
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            d = int(ch)
            if i % 2 == 1:
                d = d * 2 - 9 if d > 4 else d * 2
            total += d
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def asset(path: str, kind: AssetKind = AssetKind.TEXT, size: int = 0, source: str = "src") -> Asset:
    return Asset(path=path, kind=kind, size=size, source=source)


def content(path: str, data: bytes, kind: AssetKind = AssetKind.TEXT) -> AssetContent:
    return AssetContent(asset(path, kind, len(data)), data, True, lambda: io.BytesIO(data))
