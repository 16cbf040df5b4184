"""Detectors: one per kind of analysis. `default_detectors` builds the set a scan runs."""

from __future__ import annotations

from provenance.detectors.cards import CardDetector
from provenance.detectors.headers import SpdxHeaderDetector
from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.detectors.license_files import LicenseFileDetector
from provenance.detectors.records import RecordLicenseDetector


def default_detectors() -> list[Detector]:
    """The license detectors every scan runs."""
    from provenance.crawl import UrlDomainDetector  # hook: issue 4 (lazy: these import detectors.*)
    from provenance.lineage import LineageDetector

    return [LicenseFileDetector(), CardDetector(), SpdxHeaderDetector(), RecordLicenseDetector(),
            LineageDetector(), UrlDomainDetector()]  # hook: lineage and URL domains (issue 4)


__all__ = ["AssetContent", "Detector", "DetectorOutput", "default_detectors"]
