"""The declarations file (provenance.yaml): what the user states about the service and each source.

Declared facts are marked declared wherever they appear. Unknown keys are an error, not ignored:
a typo must not silently drop a contract number from a filing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pathspec
import yaml

from provenance.errors import ConfigError, unknown_name
from provenance.licensing.names import normalize_license
from provenance.model import Evidence, EvidenceKind, Level, Location

DECLARATIONS_FILE_NAME = "provenance.yaml"
SOURCE_TYPES = ("open-source", "self-collected", "commercial", "user-input", "synthetic")
REGIONS = ("domestic", "foreign", "mixed")
SERVICE_KEYS = frozenset({"name", "provider", "purpose", "domains", "base_model", "base_model_filing",
                          "filing_number", "modalities", "languages", "contact"})
SOURCE_KEYS = frozenset({"path", "name", "type", "origin", "license", "contract", "supplier_commitment",
                         "collection_log", "authorization", "evidence", "region", "version", "collected",
                         "language", "robots_respected", "notes"})
IP_KEYS = frozenset({"owner", "policy", "complaint_channel"})
PI_KEYS = frozenset({"consent_basis", "sensitive_consent", "deidentification"})
TOP_KEYS = frozenset({"service", "sources", "ip", "personal_information", "content_filtering"})


@dataclass(frozen=True)
class DeclaredSource:
    """One `sources:` entry."""

    path: str
    name: str
    type: str | None = None
    origin: str | None = None
    license: str | None = None
    region: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: Position in the file, for locations ("provenance.yaml#sources[2]").
    index: int = 0

    def matches(self, rel_path: str) -> bool:
        return _spec(self.path).match_file(rel_path)

    def as_dict(self) -> dict[str, Any]:
        out = {"path": self.path, "name": self.name, "type": self.type, "origin": self.origin,
               "license": self.license, "region": self.region}
        out.update(self.extra)
        return {k: v for k, v in out.items() if v is not None}


_SPECS: dict[str, pathspec.PathSpec] = {}


def _spec(pattern: str) -> pathspec.PathSpec:
    if pattern not in _SPECS:
        _SPECS[pattern] = pathspec.GitIgnoreSpec.from_lines([pattern])
    return _SPECS[pattern]


@dataclass(frozen=True)
class Declarations:
    file: str | None = None
    service: dict[str, Any] = field(default_factory=dict)
    sources: tuple[DeclaredSource, ...] = ()
    ip: dict[str, Any] = field(default_factory=dict)
    personal_information: dict[str, Any] = field(default_factory=dict)
    content_filtering: dict[str, Any] = field(default_factory=dict)

    def source_for(self, rel_path: str) -> DeclaredSource | None:
        """The first declared source whose glob matches (order as written)."""
        for src in self.sources:
            if src.matches(rel_path):
                return src
        return None

    def evidence_for(self, rel_path: str) -> tuple[Evidence, ...]:
        src = self.source_for(rel_path)
        if src is None or not src.license:
            return ()
        norm = normalize_license(src.license)
        return (Evidence(
            kind=EvidenceKind.DECLARATION, level=Level.DECLARED,
            location=Location(self.file or "declarations", field=f"sources[{src.index}].license"),
            license=norm.expression, raw=src.license, confidence=1.0 if norm.expression else 0.0,
            matcher="declaration",
        ),)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "service": self.service, "sources": [s.as_dict() for s in self.sources],
            "ip": self.ip, "personal_information": self.personal_information,
            "content_filtering": self.content_filtering,
        }


def _mapping(value: Any, where: str, allowed: frozenset[str]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a mapping")
    for key in value:
        if key not in allowed:
            raise unknown_name(f"key in {where}", key, allowed)
    return {str(k): _scalar_or_list(v, f"{where}.{k}") for k, v in value.items()}


def _scalar_or_list(value: Any, where: str) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise ConfigError(f"{where} must be a string, number or list of strings")


def parse_declarations(data: Any, file: str | None = None) -> Declarations:
    where = file or "declarations"
    if data is None:
        return Declarations(file=file)
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: the top level must be a mapping")
    for key in data:
        if key not in TOP_KEYS:
            raise unknown_name(f"key in {where}", key, TOP_KEYS)
    raw_sources = data.get("sources") or []
    if not isinstance(raw_sources, list):
        raise ConfigError(f"{where}: sources must be a list")
    sources = []
    for i, raw in enumerate(raw_sources):
        entry = _mapping(raw, f"{where}: sources[{i}]", SOURCE_KEYS)
        if not entry.get("path"):
            raise ConfigError(f"{where}: sources[{i}] needs a path glob")
        if entry.get("type") is not None and entry["type"] not in SOURCE_TYPES:
            raise unknown_name(f"source type in {where}: sources[{i}]", entry["type"], SOURCE_TYPES)
        if entry.get("region") is not None and entry["region"] not in REGIONS:
            raise unknown_name(f"region in {where}: sources[{i}]", entry["region"], REGIONS)
        if entry.get("license") and normalize_license(str(entry["license"])).expression is None:
            raise ConfigError(f"{where}: sources[{i}].license '{entry['license']}' is not an SPDX expression")
        known = {"path", "name", "type", "origin", "license", "region"}
        sources.append(DeclaredSource(
            path=str(entry["path"]), name=str(entry.get("name") or entry["path"]), type=entry.get("type"),
            origin=_opt(entry.get("origin")), license=_opt(entry.get("license")), region=entry.get("region"),
            extra={k: v for k, v in entry.items() if k not in known}, index=i,
        ))
    return Declarations(
        file=file,
        service=_mapping(data.get("service"), f"{where}: service", SERVICE_KEYS),
        sources=tuple(sources),
        ip=_mapping(data.get("ip"), f"{where}: ip", IP_KEYS),
        personal_information=_mapping(data.get("personal_information"), f"{where}: personal_information", PI_KEYS),
        content_filtering=_mapping(data.get("content_filtering"), f"{where}: content_filtering",
                                   frozenset({"keywords", "classifier", "human_review"})),
    )


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def load_declarations(path: str | Path) -> Declarations:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read declarations {p}: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p.name}: invalid YAML: {str(exc).splitlines()[0]}") from None
    return parse_declarations(data, p.name)
