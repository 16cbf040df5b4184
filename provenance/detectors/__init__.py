"""Detectors: one per kind of analysis. `default_detectors` builds the set a scan runs."""

from __future__ import annotations

from provenance.detectors.cards import CardDetector
from provenance.detectors.headers import SpdxHeaderDetector
from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.detectors.license_files import LicenseFileDetector
from provenance.detectors.records import RecordLicenseDetector


def default_detectors() -> list[Detector]:
    """The license detectors every scan runs."""
    return [LicenseFileDetector(), CardDetector(), SpdxHeaderDetector(), RecordLicenseDetector()]


__all__ = ["AssetContent", "Detector", "DetectorOutput", "default_detectors"]
