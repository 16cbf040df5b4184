"""Descriptors that formats and tools keep beside the data (save_to_disk's dataset_info.json, legacy
dataset_infos.json, Croissant, Frictionless datapackage.json, Kaggle dataset-metadata.json, Zenodo,
CITATION.cff): the license they declare is folder evidence, read like a card's metadata.

A value that names no license we can identify (a paragraph of prose in a legacy `license` field) is
not turned into evidence: beside a card or LICENSE it would read as a disagreement. It is said as an
`unknown-license` warning on the descriptor itself, so a person can read it.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import yaml

from provenance.detectors.cards import card_evidence
from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.detectors.python_package import in_package_info
from provenance.licensing.expression import ExpressionSyntaxError, parse
from provenance.model import Asset, AssetKind, Evidence, Finding, Rule, Severity

WHOLE_WORK = frozenset({"citation.cff", ".zenodo.json"})
#: Bytes of a descriptor that are read (they are small; a huge one is not a descriptor we know).
MAX_DESCRIPTOR = 4 * 2**20


def _names(value: Any) -> list[str]:
    """License names from the shapes descriptors use: a string, a list, {"name"|"id"|"path"|"url": ...}."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [n for item in value for n in _names(item)]
    if isinstance(value, dict):
        for key in ("name", "id", "identifier", "spdx", "path", "url", "@id"):
            found = value.get(key)
            if isinstance(found, str) and found.strip():
                return [found]
    return []


def declared_licenses(name: str, doc: Any) -> list[str]:
    """The license values a descriptor declares, as written."""
    if not isinstance(doc, dict):
        return []
    if name == "dataset_infos.json":  # one entry per config
        return [n for info in doc.values() if isinstance(info, dict) for n in _names(info.get("license"))]
    keys = {str(k).lower(): v for k, v in doc.items()}
    for key in ("license", "licenses", "license_name"):
        if key in keys:
            return _names(keys[key])
    return []


def _parse(name: str, text: str) -> Any:
    if name.endswith((".cff", ".yaml", ".yml")):
        return yaml.safe_load(text)
    return json.loads(text)


class DatasetMetadataDetector(Detector):
    id = "dataset-metadata"

    def applies(self, asset: Asset) -> bool:
        return asset.kind is AssetKind.DATASET_METADATA and not asset.path.rsplit("/", 1)[-1].startswith(".git") \
            and not in_package_info(asset)

    def detect(self, content: AssetContent) -> DetectorOutput:
        asset = content.asset
        text, _ = content.text()
        if text is None or not content.complete or asset.size > MAX_DESCRIPTOR:
            return DetectorOutput()
        name = asset.path.rsplit("/", 1)[-1].lower()
        try:
            doc = _parse(name, text)
        except (ValueError, yaml.YAMLError, RecursionError):
            return DetectorOutput(facts={"parsed": False})
        values = list(dict.fromkeys(v.strip() for v in declared_licenses(name, doc)))
        if not values:
            return DetectorOutput(facts={"parsed": True})
        evidence: list[Evidence] = []
        unidentified: list[str] = []
        for value in values:
            # CITATION.cff and .zenodo.json describe the whole work; the others describe a dataset.
            covers = "" if name in WHOLE_WORK else "data"
            found = [e for e in card_evidence(asset.path, asset.folder, {"license": value}, applies_to=covers)
                     if e.license]
            if found:
                evidence += [Evidence(**{**e.__dict__, "matcher": "dataset-metadata"}) for e in found]
            else:
                unidentified.append(value)
        findings = tuple(
            Finding(Rule.UNKNOWN_LICENSE, Severity.WARNING, asset.path,
                    f"declares a license that was not identified: {v[:160]!r}") for v in unidentified)
        return DetectorOutput(evidence=_combined(evidence), findings=findings,
                              facts={"parsed": True, "licenses": values[:20]})


def _combined(evidence: list[Evidence]) -> tuple[Evidence, ...]:
    """Several values in one descriptor (a license per config): all of them apply to the folder."""
    ids = sorted({e.license for e in evidence if e.license})
    if len(ids) <= 1:
        return tuple(evidence[:1])
    joined = " AND ".join(f"({i})" for i in ids)
    with contextlib.suppress(ExpressionSyntaxError):  # an id the parser does not know: kept as written
        joined = parse(joined).render()
    return (Evidence(**{**evidence[0].__dict__, "license": joined, "raw": ", ".join(ids)[:200]}),)
