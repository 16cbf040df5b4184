"""Installed Python packages: the license a `*.dist-info` (or `*.egg-info`) folder declares, and the
folders its RECORD says the package installed. A copy of an environment keeps `numpy/` beside
`numpy-2.1.0.dist-info/licenses/LICENSE.txt`; without this link every file of `numpy/` is unlicensed.

METADATA is read in this order: `License-Expression` (PEP 639, an SPDX expression), then `License`
when it names a license, then `License ::` classifiers. License files in the dist-info folder are
read by the license-file detector like any other; the scanner copies the dist-info's folder evidence
to the folders RECORD names (`provenance.analysis.packages`).
"""

from __future__ import annotations

import csv
import io
from email.parser import HeaderParser

from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.licensing.names import normalize_license
from provenance.model import Asset, AssetKind, Evidence, EvidenceKind, Level, Location
from provenance.sources.kinds import PACKAGE_INFO_SUFFIXES

DETECTOR_ID = "python-package"
#: Classifier names (after "License :: OSI Approved ::") that name one license without doubt.
_CLASSIFIERS = {
    "MIT License": "MIT", "Apache Software License": "Apache-2.0", "BSD License": None, "ISC License (ISCL)": "ISC",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0", "Python Software Foundation License": "PSF-2.0",
    "The Unlicense (Unlicense)": "Unlicense", "Zope Public License": None, "zlib/libpng License": "Zlib",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only", "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only", "Historical Permission Notice and "
    "Disclaimer (HPND)": "HPND",
}
#: A `License` header longer than this is a license text pasted in, not a name.
MAX_LICENSE_NAME = 200


def package_license(metadata_text: str) -> tuple[str | None, str, str]:
    """(SPDX expression or None, the value as written, the header it came from) from METADATA."""
    headers = HeaderParser().parsestr(metadata_text, headersonly=True)
    expression = (headers.get("License-Expression") or "").strip()
    if expression:
        return normalize_license(expression).expression, expression, "License-Expression"
    declared = (headers.get("License") or "").strip()
    if declared and len(declared) <= MAX_LICENSE_NAME and declared.upper() not in ("UNKNOWN", "NONE"):
        found = normalize_license(declared).expression
        if found:
            return found, declared, "License"
    ids: list[str] = []
    for classifier in headers.get_all("Classifier") or []:
        parts = [p.strip() for p in classifier.split("::")]
        known = _CLASSIFIERS.get(parts[-1]) if parts[0] == "License" else None
        if known:
            ids.append(known)
    if ids:
        return " AND ".join(sorted(set(ids))), "; ".join(sorted(set(ids))), "Classifier"
    return None, declared[:200], "License" if declared else ""


def installed_files(record_text: str) -> list[str]:
    """The files a RECORD says the package installed at the top of site-packages: single-module
    distributions (`typing_extensions.py`), extension modules and `.pth` files."""
    return sorted({row[0] for row in csv.reader(io.StringIO(record_text))
                   if row and row[0] and "/" not in row[0] and row[0] not in (".", "..")})


def installed_tops(record_text: str) -> list[str]:
    """The folders a RECORD says the package installed (`numpy/__init__.py,...` -> numpy); for a
    namespace package (no `google/__init__.py`), the folders inside it (google/protobuf). Not the
    dist-info itself, nor paths outside site-packages (`../../bin/f2py`)."""
    paths = [row[0] for row in csv.reader(io.StringIO(record_text)) if row and "/" in row[0]]
    listed = set(paths)
    tops: set[str] = set()
    for path in paths:
        parts = path.split("/")
        top = parts[0]
        if top in ("..", ".", "", "__pycache__") or top.endswith(PACKAGE_INFO_SUFFIXES):
            continue
        if f"{top}/__init__.py" not in listed and len(parts) >= 3:
            tops.add(f"{top}/{parts[1]}")  # a namespace package: each installed part apart
        else:
            tops.add(top)
    return sorted(tops)


def in_package_info(asset: Asset) -> bool:
    return asset.kind is AssetKind.DATASET_METADATA and asset.folder.endswith(PACKAGE_INFO_SUFFIXES)


class PythonPackageDetector(Detector):
    id = DETECTOR_ID
    # 2: the files RECORD installs at the top of site-packages (typing_extensions.py); a License
    # value that names no one license ("BSD") kept as a fact
    version = "2"

    def applies(self, asset: Asset) -> bool:
        return in_package_info(asset) and asset.path.rsplit("/", 1)[-1] in ("METADATA", "PKG-INFO", "RECORD",
                                                                            "top_level.txt")

    def detect(self, content: AssetContent) -> DetectorOutput:
        text, _ = content.text()
        if text is None or not content.complete:
            return DetectorOutput()
        asset = content.asset
        name = asset.path.rsplit("/", 1)[-1]
        if name == "RECORD":
            return DetectorOutput(facts={"installs": installed_tops(text), "installs_files": installed_files(text)})
        if name == "top_level.txt":  # egg-info: one importable name a line
            return DetectorOutput(facts={"installs": sorted({line.strip() for line in text.splitlines()
                                                            if line.strip()})})
        expression, raw, header = package_license(text)
        if not raw:
            return DetectorOutput()
        if not expression:  # "License: BSD": weighed only where the dist-info has no license file
            return DetectorOutput(facts={"declared": raw, "declared_field": header})
        evidence = Evidence(
            kind=EvidenceKind.CARD_METADATA, level=Level.DIRECTORY, location=Location(asset.path, field=header),
            license=expression, raw=raw[:200], confidence=1.0, matcher="package-metadata", scope=asset.folder,
        )
        return DetectorOutput(evidence=(evidence,))
