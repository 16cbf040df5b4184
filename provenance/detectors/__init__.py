"""Detectors: one per kind of analysis. `build_detectors` makes the set a scan runs."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from provenance.detectors.blocklist import BlocklistDetector
from provenance.detectors.cards import CardDetector
from provenance.detectors.dataset_metadata import DatasetMetadataDetector
from provenance.detectors.headers import SpdxHeaderDetector
from provenance.detectors.images import ImageDetector
from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.detectors.license_files import LicenseFileDetector
from provenance.detectors.lineage import LineageDetector
from provenance.detectors.pii import PiiDetector
from provenance.detectors.purpose import PurposeDetector
from provenance.detectors.python_package import PythonPackageDetector
from provenance.detectors.records import RecordLicenseDetector
from provenance.detectors.text_works import TextWorksDetector
from provenance.detectors.urls import UrlDomainDetector
from provenance.textworks.thresholds import SpanThresholds


@dataclass(frozen=True)
class DetectorConfig:
    """What the user told the detectors: the service's purpose, keyword lists, the registry."""

    purpose: str | None = None
    domains: tuple[str, ...] = ()
    blocklist: tuple[str, ...] = ()
    blocked_threshold: float = 0.05
    #: Known-works registries (image rows and/or text works), each a registry.parquet path.
    registries: tuple[str, ...] = ()
    #: Span lengths that make a text match an error or a warning (policy `known_works:`).
    text_thresholds: SpanThresholds = field(default_factory=SpanThresholds)
    #: Domains that opted out of text and data mining (URL records from them: tdm-opt-out).
    optout_domains: tuple[str, ...] = ()

    def fingerprint(self) -> str:
        """Digest of everything here that changes detector output (the registry by its bytes)."""
        h = hashlib.sha256(json.dumps(
            [self.purpose, list(self.domains), sorted(self.blocklist), self.blocked_threshold,
             sorted(self.optout_domains), self.text_thresholds.to_dict()], ensure_ascii=False
        ).encode())
        # A registry by its bytes: the Parquet file holds the image rows and the text part's record,
        # whose arrays it names by size and sha256 (so the large arrays are not read here).
        for registry in self.registries:
            with open(registry, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
        return h.hexdigest()


def build_detectors(config: DetectorConfig | None = None) -> list[Detector]:
    config = config or DetectorConfig()
    detectors: list[Detector] = [
        LicenseFileDetector(), CardDetector(), DatasetMetadataDetector(), PythonPackageDetector(),
        SpdxHeaderDetector(), RecordLicenseDetector(),
        ImageDetector(config.registries),
        PurposeDetector(config.purpose, config.domains),
        PiiDetector(),
    ]
    if config.registries:
        detectors.append(TextWorksDetector(config.registries, config.text_thresholds))
    if config.blocklist:
        detectors.append(BlocklistDetector(config.blocklist, config.blocked_threshold))
    detectors += [LineageDetector(), UrlDomainDetector(config.optout_domains)]
    return detectors


def default_detectors() -> list[Detector]:
    """The detectors a scan runs when nothing was configured."""
    return build_detectors()


__all__ = ["AssetContent", "Detector", "DetectorConfig", "DetectorOutput", "build_detectors", "default_detectors"]
