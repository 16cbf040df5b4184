"""manifest.spdx3.jsonld: SPDX 3.0.1 JSON-LD, written row by row from assets.parquet.

One dataset_DatasetPackage per logical source with type, size, collection process, intended use
(the declared purpose), sensitive personal information (from the PII detector when it ran), build and
release times, and hasDeclaredLicense / hasConcludedLicense relationships; files with SHA-1 and
SHA-256 in `contains` relationships (a few thousand files each) and their own hasConcludedLicense.
License expressions name their license list version, and map each LicenseRef- to a
SimpleLicensingText. The compact names are those of the SPDX 3.0.1 JSON-LD context, as
spdx-python-model (the official bindings, the judge in the tests and `provenance validate`) reads them.
"""

from __future__ import annotations

import hashlib
import json
import re
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from provenance.licensing.portable import PortableLicenses, RefInfo, validator_list
from provenance.reporting.facts import SourceFacts
from provenance.reporting.interface import ReportContext, SpdxFiles
from provenance.reporting.manifest_rows import (
    FileBatch,
    concluded,
    created_text,
    declared_license,
    scan_digest,
)
from provenance.reporting.stream import StreamFile

FILE_NAME = "manifest.spdx3.jsonld"
CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
_DATASET_TYPES = {"text": "text", "structured": "structured", "image": "image", "audio": "audio",
                  "video": "video", "other": "other"}
#: File ids a `contains` relationship names at most; pending ids are written when the total passes it.
CONTAINS_CHUNK = 4096
_REF = re.compile(r"LicenseRef-[A-Za-z0-9.-]+")
CREATION_INFO = "_:creationinfo"
NO_ASSERTION = "expandedlicensing_NoAssertionLicense"
NO_LICENSE = "expandedlicensing_NoneLicense"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _collection(src: SourceFacts) -> str:
    parts = [f"{key}: {src.decl(key)}" for key in ("type", "origin", "region", "collection_log", "collected",
                                                    "robots_respected", "contract", "authorization")
             if src.decl(key) is not None]
    return "; ".join(parts) + " (declared)" if parts else "not declared"


def _sensitive(ctx: ReportContext, src: SourceFacts) -> str:
    """yes / no from the PII detector's sensitive-information rules or counts; noAssertion when it did not run."""
    if not ctx.facts.ran("pii"):
        return "noAssertion"
    return "yes" if src.sensitive_count() else "no"


class Spdx3Writer:
    """Streams one SPDX 3.0.1 JSON-LD graph: begin(), add() for every listed file, finish()."""

    file_name = FILE_NAME

    def __init__(self, ctx: ReportContext, licenses: PortableLicenses) -> None:
        self.ctx = ctx
        self.licenses = licenses
        # Element ids come from the content, not the scan time: an unchanged rescan names the same
        # files with the same ids, and its body can be reused (see splice).
        digest = hashlib.sha256(f"{ctx.content or scan_digest(ctx)}\n{ctx.spdx_files.value}".encode()).hexdigest()
        self.ns = f"https://spdx.org/spdxdocs/provenance-{digest[:32]}"
        self.out: StreamFile | None = None
        self.files = 0
        self.relationships = 0
        #: manifest expression (None: no assertion) -> element id, in order of first use
        self._license_ids: dict[str, str] = {}
        self._package: dict[str, str] = {}
        self._pending: dict[str, list[str]] = {}
        self._pending_count = 0
        self._first = True
        self._license_cache: dict[str, str] = {}
        self._texts: list[str] = []
        self.start = self.end = 0

    def _emit(self, obj: dict[str, object]) -> None:
        assert self.out is not None
        self.out.write(("\n    " if self._first else ",\n    ") + _json(obj))
        self._first = False

    def _license(self, expression: str | None) -> str:
        if expression is None:
            return NO_ASSERTION
        if expression == "NONE":
            return NO_LICENSE
        lid = self._license_ids.get(expression)
        if lid is None:
            lid = self._license_ids[expression] = f"{self.ns}#license-{len(self._license_ids) + 1}"
        return lid

    def _relate(self, source: str, kind: str, targets: list[str]) -> None:
        self.relationships += 1
        self._emit({"type": "Relationship", "spdxId": f"{self.ns}#relationship-{self.relationships}",
                    "creationInfo": CREATION_INFO, "from": source, "relationshipType": kind, "to": targets})

    def _header(self) -> None:
        """The context and the CreationInfo: the only part before the reusable body that depends on
        the scan time."""
        assert self.out is not None
        ns = self.ns
        self.out.write(f'{{\n  "@context": "{CONTEXT}",\n  "@graph": [')
        self._first = True
        self._emit({"type": "CreationInfo", "@id": CREATION_INFO, "specVersion": "3.0.1",
                    "created": created_text(self.ctx), "createdBy": [f"{ns}#agent"],
                    "createdUsing": [f"{ns}#tool"]})

    def begin(self) -> None:
        ctx = self.ctx
        ns = self.ns
        self.out = StreamFile(ctx.out_dir / FILE_NAME)
        self._header()
        self.start = self.out.offset()
        self._emit({"type": "SoftwareAgent", "spdxId": f"{ns}#agent", "creationInfo": CREATION_INFO,
                    "name": "provenance"})
        self._emit({"type": "Tool", "spdxId": f"{ns}#tool", "creationInfo": CREATION_INFO,
                    "name": f"provenance {ctx.result.tool_version}"})
        for i, src in enumerate(ctx.facts.sources, start=1):
            pid = self._package[src.name] = f"{ns}#source-{i}"
            declared = self.licenses.map(declared_license(dict(src.declared)))
            self._relate(pid, "hasDeclaredLicense", [self._license(declared)])
            found = concluded(dict(src.by_license), self.licenses)
            self._relate(pid, "hasConcludedLicense", [self._license(found)])

    def _packages(self) -> None:
        """The dataset packages (their build and release times are the scan time, so they are
        written after the reusable body)."""
        ctx = self.ctx
        when = created_text(ctx)
        purpose = ctx.facts.service.get("purpose")
        for i, src in enumerate(ctx.facts.sources, start=1):
            kinds = [_DATASET_TYPES[m] for m in src.modalities if m in _DATASET_TYPES] or ["noAssertion"]
            pkg: dict[str, object] = {
                "type": "dataset_DatasetPackage", "spdxId": f"{self.ns}#source-{i}", "creationInfo": CREATION_INFO,
                "name": src.name,
                "comment": (f"{src.assets} files, {src.records} records; paths {src.paths}; findings: "
                            + json.dumps(dict(src.findings_by_rule), sort_keys=True)
                            + ". builtTime and releaseTime are the scan time."
                            + (" Files are not listed: each one is a row of the scan's assets.parquet."
                               if ctx.spdx_files is SpdxFiles.NONE else
                               " Only files with findings are listed." if ctx.spdx_files is SpdxFiles.FLAGGED
                               else "")),
                "builtTime": when, "releaseTime": when,
                "software_primaryPurpose": "data",
                "dataset_datasetType": kinds,
                "dataset_datasetSize": src.bytes,
                "dataset_dataCollectionProcess": _collection(src),
                "dataset_hasSensitivePersonalInformation": _sensitive(ctx, src),
            }
            if purpose:
                pkg["dataset_intendedUse"] = str(purpose)
            version = src.revision or src.decl("version")
            if version:
                pkg["software_packageVersion"] = str(version)
            self._emit(pkg)

    def add_batch(self, batch: FileBatch) -> None:
        """One batch of listed files: the File elements, their hasConcludedLicense relationships, and
        their ids queued for the `contains` relationships."""
        assert self.out is not None
        ns = self.ns
        out: list[str] = []
        n, r = self.files, self.relationships
        package = self._package
        pending = self._pending
        license_id = self._file_license
        for path, source, sha256, sha1, lic in zip(batch.path, batch.source, batch.sha256, batch.sha1,
                                                    batch.license, strict=True):
            n += 1
            fid = f"{ns}#file-{n}"
            out.append(
                f'{{"type": "software_File", "spdxId": "{fid}", "creationInfo": "{CREATION_INFO}", '
                f'"name": {encode_basestring(path)}, "software_primaryPurpose": "data", "verifiedUsing": ['
                f'{{"type": "Hash", "algorithm": "sha1", "hashValue": "{sha1}"}}, '
                f'{{"type": "Hash", "algorithm": "sha256", "hashValue": "{sha256}"}}]}}')
            if lic:
                r += 1
                out.append(f'{{"type": "Relationship", "spdxId": "{ns}#relationship-{r}", "creationInfo": '
                           f'"{CREATION_INFO}", "from": "{fid}", "relationshipType": "hasConcludedLicense", '
                           f'"to": ["{license_id(lic)}"]}}')
            pid = package.get(source)
            if pid:
                pending.setdefault(pid, []).append(fid)
        self.files, self.relationships = n, r
        if out:
            self.out.write(",\n    " + ",\n    ".join(out))
        self._pending_count += len(batch)
        if self._pending_count >= CONTAINS_CHUNK:
            self._flush_contains()

    def _file_license(self, expression: str) -> str:
        element = self._license_cache.get(expression)
        if element is None:
            element = self._license_cache[expression] = self._license(self.licenses.map(expression))
        return element

    def _flush_contains(self) -> None:
        for pid, fids in self._pending.items():
            self._relate(pid, "contains", fids)
        self._pending, self._pending_count = {}, 0

    def finish(self, refs: list[RefInfo]) -> StreamFile:
        assert self.out is not None
        ns = self.ns
        self._flush_contains()
        texts = [f"{ns}#text-{i}" for i in range(1, len(refs) + 1)]
        by_ref = {ref.id: text for ref, text in zip(refs, texts, strict=True)}
        version = validator_list().semver
        for expression, lid in self._license_ids.items():
            element: dict[str, object] = {"type": "simplelicensing_LicenseExpression", "spdxId": lid,
                                          "creationInfo": CREATION_INFO,
                                          "simplelicensing_licenseExpression": expression}
            if version:
                element["simplelicensing_licenseListVersion"] = version
            used = sorted({r for r in _REF.findall(expression) if r in by_ref})
            if used:
                element["simplelicensing_customIdToUri"] = [
                    {"type": "DictionaryEntry", "key": r, "value": by_ref[r]} for r in used]
            self._emit(element)
        for ref, text in zip(refs, texts, strict=True):
            see = f" See also: {', '.join(ref.see_also)}." if ref.see_also else ""
            self._emit({"type": "simplelicensing_SimpleLicensingText", "spdxId": text,
                        "creationInfo": CREATION_INFO, "name": ref.name, "simplelicensing_licenseText": ref.text,
                        "comment": f"{ref.id}: {ref.comment}{see}"})
        self.end = self.out.offset()
        self._texts = texts
        self._tail()
        self.out.commit()
        return self.out

    def _tail(self) -> None:
        """The packages and the SpdxDocument, which lists every element of the graph."""
        assert self.out is not None
        ns = self.ns
        self._packages()
        stamp = created_text(self.ctx).replace("-", "").replace(":", "")
        self.out.write(",\n    " + _json({
            "type": "SpdxDocument", "spdxId": f"{ns}#document-{stamp}", "creationInfo": CREATION_INFO,
            "name": "provenance training-data manifest",
            "profileConformance": ["core", "software", "dataset", "simpleLicensing"],
            "rootElement": list(self._package.values())})[:-1] + ', "element": [')
        self._element_ids()
        self.out.write("]}\n  ]\n}\n")

    def state(self) -> dict[str, object]:
        """What a later rendering of the same content needs to reuse this one's body."""
        return {"start": self.start, "end": self.end, "files": self.files, "relationships": self.relationships,
                "licenses": list(self._license_ids.values()), "texts": self._texts}

    def splice(self, previous: Path, state: dict[str, Any]) -> StreamFile:
        """The same document as a full rendering, from a previous one of the same content: a new
        CreationInfo, the previous body (element ids do not depend on the time), new packages and
        document."""
        self.out = StreamFile(self.ctx.out_dir / FILE_NAME)
        self._header()
        self.start = self.out.offset()
        self.out.copy_from(previous, int(state["start"]), int(state["end"]))
        self.end = self.out.offset()
        self.files, self.relationships = int(state["files"]), int(state["relationships"])
        self._license_ids = {str(i): str(lid) for i, lid in enumerate(state["licenses"])}
        self._texts = [str(t) for t in state["texts"]]
        self._package = {src.name: f"{self.ns}#source-{i}" for i, src in enumerate(self.ctx.facts.sources, start=1)}
        self._first = False
        self._tail()
        self.out.commit()
        return self.out

    def _element_ids(self) -> None:
        """Every element of the graph, listed by the document, written in chunks without keeping a
        list of all of them."""
        assert self.out is not None
        ns = self.ns
        head = [f"{ns}#agent", f"{ns}#tool", *self._package.values()]
        tail = [*self._license_ids.values(), *self._texts]
        self.out.write(", ".join(f'"{eid}"' for eid in head))
        for prefix, count in (("file", self.files), ("relationship", self.relationships)):
            for start in range(1, count + 1, 65536):
                stop = min(start + 65536, count + 1)
                self.out.write("".join(f', "{ns}#{prefix}-{n}"' for n in range(start, stop)))
        self.out.write("".join(f', "{eid}"' for eid in tail))

    def abort(self) -> None:
        if self.out is not None:
            self.out.abort()


__all__ = ["FILE_NAME", "Spdx3Writer"]

