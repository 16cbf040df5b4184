"""manifest.spdx3.jsonld: SPDX 3.0.1 JSON-LD through spdx-python-model (the official bindings).

One dataset_DatasetPackage per logical source with type, size, collection process, intended use
(the declared purpose), sensitive personal information (from the PII detector when it ran), build and
release times, and hasDeclaredLicense / hasConcludedLicense relationships; files with SHA-1 and
SHA-256 in CONTAINS relationships. The written file must read back through the library's deserializer.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from provenance.atomic import write_bytes
from provenance.errors import MissingExtraError, ReportError
from provenance.reporting.facts import SourceFacts
from provenance.reporting.interface import ReportContext, Reporter, SpdxFiles
from provenance.reporting.manifest_rows import (
    FileRow,
    concluded,
    created,
    declared_license,
    file_rows,
    scan_digest,
)

FILE_NAME = "manifest.spdx3.jsonld"
_DATASET_TYPES = {"text": "text", "structured": "structured", "image": "image", "audio": "audio",
                  "video": "video", "other": "other"}
_IRI = "https://spdx.org/rdf/3.0.1/terms/"


def _bindings() -> Any:
    try:
        from spdx_python_model import v3_0_1
    except ModuleNotFoundError:
        raise MissingExtraError("SPDX 3.0.1 manifests", "spdx", "spdx-python-model") from None
    return v3_0_1


def _collection(src: SourceFacts) -> str:
    parts = [f"{key}: {src.decl(key)}" for key in ("type", "origin", "region", "collection_log", "collected",
                                                    "robots_respected", "contract", "authorization")
             if src.decl(key) is not None]
    return "; ".join(parts) + " (declared)" if parts else "not declared"


def _sensitive(ctx: ReportContext, src: SourceFacts) -> str:
    """yes / no from the PII detector's sensitive-information rules or counts; noAssertion when it did not run."""
    if not ctx.facts.ran("pii"):
        return _IRI + "Core/PresenceType/noAssertion"
    hits = src.sensitive_count()
    return _IRI + ("Core/PresenceType/yes" if hits else "Core/PresenceType/no")


def build_objects(ctx: ReportContext) -> Any:
    s = _bindings()
    ns = f"https://spdx.org/spdxdocs/provenance-{scan_digest(ctx)}"
    when = created(ctx)
    info = s.CreationInfo(_id="_:creationinfo", specVersion="3.0.1", created=when)
    agent = s.SoftwareAgent(_id=f"{ns}#agent", name="provenance", creationInfo=info)
    tool = s.Tool(_id=f"{ns}#tool", name=f"provenance {ctx.result.tool_version}", creationInfo=info)
    info.createdBy = [agent]
    info.createdUsing = [tool]
    objects: list[Any] = [agent, tool]
    expressions: dict[str, Any] = {}
    no_assertion = _IRI + "ExpandedLicensing/NoAssertionLicense"

    def license_element(expr: str | None) -> Any:
        if not expr:
            return no_assertion
        if expr not in expressions:
            obj = s.simplelicensing_LicenseExpression(
                _id=f"{ns}#license-{len(expressions) + 1}", creationInfo=info,
                simplelicensing_licenseExpression=expr,
            )
            expressions[expr] = obj
            objects.append(obj)
        return expressions[expr]

    n_rel = 0

    def relate(source: Any, kind: str, targets: list[Any]) -> None:
        nonlocal n_rel
        n_rel += 1
        objects.append(s.Relationship(
            _id=f"{ns}#relationship-{n_rel}", creationInfo=info, from_=source,
            relationshipType=_IRI + f"Core/RelationshipType/{kind}", to=targets,
        ))

    rows_by_source: dict[str, list[FileRow]] = {}
    for row in file_rows(ctx):
        rows_by_source.setdefault(row.source, []).append(row)
    purpose = ctx.facts.service.get("purpose")
    packages = []
    n_file = 0
    for i, src in enumerate(ctx.facts.sources, start=1):
        kinds = [_DATASET_TYPES[m] for m in src.modalities if m in _DATASET_TYPES] or ["noAssertion"]
        pkg = s.dataset_DatasetPackage(
            _id=f"{ns}#source-{i}", creationInfo=info, name=src.name,
            software_primaryPurpose=_IRI + "Software/SoftwarePurpose/data",
            builtTime=when, releaseTime=when,
            dataset_datasetType=[_IRI + f"Dataset/DatasetType/{k}" for k in kinds],
            dataset_datasetSize=src.bytes,
            dataset_dataCollectionProcess=_collection(src),
            dataset_hasSensitivePersonalInformation=_sensitive(ctx, src),
            comment=(f"{src.assets} files, {src.records} records; paths {src.paths}; findings: "
                     + json.dumps(dict(src.findings_by_rule), sort_keys=True)
                     + ". builtTime and releaseTime are the scan time."
                     + (" Files are not listed: each one is a row of the scan's assets.parquet."
                        if ctx.spdx_files is SpdxFiles.NONE else "")),
        )
        if purpose:
            pkg.dataset_intendedUse = str(purpose)
        version = src.revision or src.decl("version")
        if version:
            pkg.software_packageVersion = str(version)
        packages.append(pkg)
        objects.append(pkg)
        relate(pkg, "hasDeclaredLicense", [license_element(declared_license(dict(src.declared)))])
        relate(pkg, "hasConcludedLicense", [license_element(concluded(dict(src.by_license)))])
        files = []
        for row in rows_by_source.get(src.name, []):
            n_file += 1
            f = s.software_File(
                _id=f"{ns}#file-{n_file}", creationInfo=info, name=row.path,
                software_primaryPurpose=_IRI + "Software/SoftwarePurpose/data",
                verifiedUsing=[s.Hash(algorithm=_IRI + "Core/HashAlgorithm/sha1", hashValue=row.sha1),
                               s.Hash(algorithm=_IRI + "Core/HashAlgorithm/sha256", hashValue=row.sha256)],
            )
            files.append(f)
            objects.append(f)
            if row.license:
                relate(f, "hasConcludedLicense", [license_element(row.license)])
        if files:
            relate(pkg, "contains", files)
    doc = s.SpdxDocument(
        _id=f"{ns}#document", creationInfo=info, name="provenance training-data manifest",
        rootElement=packages, element=list(objects),
        profileConformance=[_IRI + f"Core/ProfileIdentifierType/{p}"
                            for p in ("core", "software", "dataset", "simpleLicensing")],
    )
    objects.append(doc)
    return s.SHACLObjectSet(objects)


def render(ctx: ReportContext) -> bytes:
    s = _bindings()
    buffer = io.BytesIO()
    try:
        s.JSONLDSerializer().write(build_objects(ctx), buffer, indent=2, sort_keys=True, ensure_ascii=False)
    except (ValueError, TypeError) as exc:
        raise ReportError(f"SPDX 3.0.1 document cannot be written: {exc}") from None
    data = buffer.getvalue() + b"\n"
    read_back(data)
    return data


def read_back(data: bytes) -> Any:
    """Deserialize with the library; raises ReportError when it does not read back."""
    s = _bindings()
    objset = s.SHACLObjectSet()
    try:
        s.JSONLDDeserializer().read(io.BytesIO(data), objset)
    except Exception as exc:  # the library raises several types on bad input
        raise ReportError(f"SPDX 3.0.1 document does not read back: {exc}") from None
    return objset


class Spdx3Reporter(Reporter):
    def file_name(self) -> str:
        return FILE_NAME

    def write(self, ctx: ReportContext) -> Path:
        path = ctx.out_dir / FILE_NAME
        write_bytes(path, render(ctx))
        return path
