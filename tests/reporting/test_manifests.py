"""SPDX 2.3 and 3.0.1 manifests, checked with the official libraries."""

from __future__ import annotations

import json
from pathlib import Path

from spdx_python_model import v3_0_1 as spdx3
from spdx_tools.spdx.model import ChecksumAlgorithm, RelationshipType, SpdxNoAssertion
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from provenance.reporting import write_reports
from provenance.results import ScanResult
from tests.reporting.reporting_support import HOSTILE_SOURCE

SOURCES = {"books", "cards", "corpus", "hostile", "open", "web", HOSTILE_SOURCE}


def test_spdx2_parses_and_validates_with_zero_messages(built_reports: Path) -> None:
    doc = parse_file(str(built_reports / "manifest.spdx.json"))
    assert validate_full_spdx_document(doc) == []
    assert {p.name for p in doc.packages} == SOURCES
    by_name = {p.name: p for p in doc.packages}
    assert str(by_name["books"].license_concluded) == "CC-BY-NC-4.0"
    assert isinstance(by_name["books"].license_declared, SpdxNoAssertion)  # nothing declared
    assert isinstance(by_name["hostile"].license_concluded, SpdxNoAssertion)  # nothing found
    assert all({c.algorithm for c in f.checksums} == {ChecksumAlgorithm.SHA1, ChecksumAlgorithm.SHA256}
               for f in doc.files)
    names = {f.name for f in doc.files}
    assert "./hostile/<script>alert(1)<\\\\script>.txt" in names  # a backslash is shown doubled
    assert all(f.spdx_id.startswith("SPDXRef-File-") for f in doc.files)
    contains = [r for r in doc.relationships if r.relationship_type is RelationshipType.CONTAINS]
    describes = [r for r in doc.relationships if r.relationship_type is RelationshipType.DESCRIBES]
    assert len(contains) == len(doc.files) == 15 and len(describes) == len(SOURCES)


def test_spdx2_declares_license_refs(built_scan: ScanResult, tmp_path: Path) -> None:
    data = json.loads(json.dumps(built_scan.to_dict()))
    books = next(s for s in data["sources"] if s["name"] == "books")
    books["declared"] = {"name": "books", "license": "LicenseRef-Northwind-Contract"}
    result = ScanResult.from_dict(data, built_scan.output_dir)
    assert write_reports(result, tmp_path, formats=(), langs=()).ok
    doc = parse_file(str(tmp_path / "manifest.spdx.json"))
    assert validate_full_spdx_document(doc) == []
    refs = [e.license_id for e in doc.extracted_licensing_info]
    assert refs == ["LicenseRef-Northwind-Contract", "LicenseRef-Unknown"]
    assert str(next(p for p in doc.packages if p.name == "books").license_declared) == "LicenseRef-Northwind-Contract"


def test_spdx_files_flagged_and_none(built_scan: ScanResult, tmp_path: Path) -> None:
    for mode, expected in (("flagged", 13), ("none", 0)):
        out = tmp_path / mode
        assert write_reports(built_scan, out, langs=(), formats=(), spdx_files=mode).ok
        doc = parse_file(str(out / "manifest.spdx.json"))
        assert validate_full_spdx_document(doc) == []
        assert len(doc.files) == expected
        graph = json.loads((out / "manifest.spdx3.jsonld").read_text(encoding="utf-8"))["@graph"]
        assert sum(1 for o in graph if o["type"] == "software_File") == expected


def test_spdx3_reads_back_with_dataset_packages(built_reports: Path) -> None:
    objset = spdx3.SHACLObjectSet()
    with open(built_reports / "manifest.spdx3.jsonld", "rb") as handle:
        spdx3.JSONLDDeserializer().read(handle, objset)
    packages = {p.name: p for p in objset.foreach_type(spdx3.dataset_DatasetPackage)}
    assert set(packages) == SOURCES
    web = packages["web"]
    assert web.dataset_intendedUse == "customer-service dialogue"
    assert web.dataset_datasetSize == 191
    assert web.dataset_datasetType == ["https://spdx.org/rdf/3.0.1/terms/Dataset/DatasetType/text"]
    assert "self-collected" in str(web.dataset_dataCollectionProcess)
    # the PII detector ran and found nothing in the web source
    assert str(web.dataset_hasSensitivePersonalInformation).endswith("/no")
    assert web.builtTime is not None and web.releaseTime is not None
    rels = list(objset.foreach_type(spdx3.Relationship))
    for pkg in packages.values():
        kinds = {str(r.relationshipType).rsplit("/", 1)[-1] for r in rels if r.from_ is pkg}
        assert {"hasDeclaredLicense", "hasConcludedLicense"} <= kinds
    concluded = next(r for r in rels if r.from_ is web and str(r.relationshipType).endswith("hasConcludedLicense"))
    target = concluded.to[0]
    assert isinstance(target, spdx3.simplelicensing_LicenseExpression)
    assert target.simplelicensing_licenseExpression == "CC-BY-4.0"
    files = list(objset.foreach_type(spdx3.software_File))
    assert len(files) == 15
    for f in files:
        hashes = [h for h in f.verifiedUsing if isinstance(h, spdx3.Hash)]
        assert {str(h.algorithm).rsplit("/", 1)[-1] for h in hashes} == {"sha1", "sha256"}


def test_sliced_validation_still_reports_errors(built_reports: Path) -> None:
    from provenance.reporting.validate import validate_document

    doc = parse_file(str(built_reports / "manifest.spdx.json"))
    assert validate_document(doc, slice_size=3) == []
    doc.files[-1].spdx_id = "SPDXRef-not valid"
    assert validate_document(doc, slice_size=3)
    doc = parse_file(str(built_reports / "manifest.spdx.json"))
    doc.files[-1].spdx_id = doc.files[0].spdx_id  # a duplicate across slices
    assert any("unique" in m for m in validate_document(doc, slice_size=3))


def test_auto_means_all(built_scan: ScanResult) -> None:
    """The manifests are streamed, so every file is listed at any size; `auto` is kept for old scripts."""
    from provenance import api

    assert api.spdx_files_for(built_scan, "auto") == "all"
    assert api.spdx_files_for(built_scan) == "all"
    assert api.spdx_files_for(built_scan, "flagged") == "flagged"


def test_none_says_where_the_files_are(built_scan: ScanResult, tmp_path: Path) -> None:
    out = tmp_path / "none"
    write_reports(built_scan, out, langs=(), formats=(), spdx_files="none")
    doc = parse_file(str(out / "manifest.spdx.json"))
    assert all("Files are not listed" in (p.comment or "") for p in doc.packages)
