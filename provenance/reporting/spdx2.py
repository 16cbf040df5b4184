"""manifest.spdx.json: SPDX 2.3 JSON, written row by row from assets.parquet.

One Package per logical source (declared and concluded license, verification code), its files with
SHA-1 and SHA-256, DESCRIBES and CONTAINS relationships, and an extracted-licensing entry for every
LicenseRef- used. Field names and values are those spdx-tools writes and reads; spdx-tools is the
judge in the tests and in `provenance validate`, not on every scan (its validator is quadratic).
Memory stays bounded: files go straight to the file, relationships to a spool copied in at the end.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from pathlib import Path

from provenance.licensing.portable import PortableLicenses, RefInfo, validator_list
from provenance.reporting.facts import SourceFacts
from provenance.reporting.interface import ReportContext, SpdxFiles
from provenance.reporting.manifest_rows import (
    FileBatch,
    concluded,
    created_text,
    declared_license,
    scan_digest,
    simple_ids,
    spdx_id,
)
from provenance.reporting.stream import Spool, StreamFile

FILE_NAME = "manifest.spdx.json"
_FILE_TYPES = {"text": "TEXT", "code": "SOURCE", "image": "IMAGE", "audio": "AUDIO", "video": "VIDEO",
               "archive": "ARCHIVE", "license-file": "DOCUMENTATION", "dataset-card": "DOCUMENTATION"}
NOASSERTION = "NOASSERTION"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


class Spdx2Writer:
    """Streams one SPDX 2.3 document: begin(), add() for every listed file, finish()."""

    file_name = FILE_NAME

    def __init__(self, ctx: ReportContext, licenses: PortableLicenses) -> None:
        self.ctx = ctx
        self.licenses = licenses
        self.out: StreamFile | None = None
        self.relationships: Spool | None = None
        self.files = 0
        self._package: dict[str, str] = {}
        self._license_cache: dict[str | None, str] = {}
        self.start = 0

    def _header(self) -> str:
        """Everything before the packages: the only part that depends on the scan time."""
        ctx = self.ctx
        result = ctx.result
        validator = validator_list()
        info = {
            "created": created_text(ctx),
            "creators": [f"Tool: provenance-{result.tool_version}"],
            "comment": (f"License knowledge base {result.knowledge_base} ({result.license_index}). License ids are"
                        f" those of SPDX license list {validator.version or '?'} as {validator.library} knows"
                        " them; other ids are LicenseRef- ids explained under hasExtractedLicensingInfos."),
        }
        if validator.version:
            info["licenseListVersion"] = validator.version
        name = f"provenance training-data manifest {Path(result.parameters.get('root', '')).name}".strip()
        head = {"SPDXID": "SPDXRef-DOCUMENT", "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "name": name,
                "documentNamespace": f"https://spdx.org/spdxdocs/provenance-{scan_digest(ctx)}",
                "creationInfo": info}
        return json.dumps(head, ensure_ascii=False, indent=2)[:-2]

    def begin(self) -> None:
        ctx = self.ctx
        self.out = StreamFile(ctx.out_dir / FILE_NAME)
        self.relationships = Spool(ctx.out_dir)
        self.out.write(self._header())
        self.start = self.out.offset()
        self.out.write(",\n  \"packages\": [")
        describes = []
        for i, src in enumerate(ctx.facts.sources, start=1):
            pid = spdx_id("Source", i, src.name)
            self._package[src.name] = pid
            self.out.write(("\n    " if i == 1 else ",\n    ") + _json(self._package_entry(pid, src)))
            describes.append(_json({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                                    "relatedSpdxElement": pid}))
        self.out.write("\n  ],\n  \"files\": [")
        self.relationships.write(",\n    ".join(describes))
        self._first_relationship = not describes

    def state(self) -> dict[str, int]:
        """Where this rendering's reusable part starts (everything after the header)."""
        return {"start": self.start}

    def splice(self, previous: Path, state: dict[str, int]) -> StreamFile:
        """The same document as a full rendering, from a previous one of the same content: a new
        header (time, namespace), then the previous file from its packages on."""
        self.out = StreamFile(self.ctx.out_dir / FILE_NAME)
        self.out.write(self._header())
        self.start = self.out.offset()
        self.out.copy_from(previous, int(state["start"]))
        self.out.commit()
        return self.out

    def _package_entry(self, pid: str, src: SourceFacts) -> dict[str, object]:
        mode = self.ctx.spdx_files
        listed_count = src.hashed_files if mode is SpdxFiles.ALL else src.flagged_files
        listed = mode is not SpdxFiles.NONE and listed_count > 0
        unlicensed = int(src.by_license.get("(none)", {}).get("assets", 0))
        comment = (f"{src.assets} files, {src.bytes} bytes, {src.records} records; {unlicensed} data files without"
                   f" a license; findings: {json.dumps(dict(src.findings_by_rule), sort_keys=True)}."
                   f" Declared: {json.dumps(dict(src.declared), ensure_ascii=False, sort_keys=True)}.")
        if mode is SpdxFiles.FLAGGED:
            comment += " Only files with findings are listed."
        elif mode is SpdxFiles.NONE:
            comment += " Files are not listed: each one is a row of the scan's assets.parquet."
        declared = self.licenses.map(declared_license(dict(src.declared)))
        found = concluded(dict(src.by_license), self.licenses)
        entry: dict[str, object] = {"SPDXID": pid, "name": src.name, "downloadLocation": NOASSERTION}
        version = src.revision or src.decl("version")
        if version:
            entry["versionInfo"] = str(version)
        entry["filesAnalyzed"] = listed
        if listed and mode is SpdxFiles.ALL and src.digest:
            entry["packageVerificationCode"] = {"packageVerificationCodeValue": src.digest}
        entry["licenseConcluded"] = found or NOASSERTION
        entry["licenseDeclared"] = declared or NOASSERTION
        if listed:
            licenses = src.hashed_licenses if mode is SpdxFiles.ALL else src.flagged_licenses
            ids = sorted({t for lic in licenses for t in simple_ids(self.licenses.map(lic))})
            entry["licenseInfoFromFiles"] = ids or [NOASSERTION]
        entry["copyrightText"] = NOASSERTION
        entry["comment"] = comment
        entry["sourceInfo"] = f"paths {src.paths} under {src.root}"
        return entry

    def _license_json(self, expression: str | None) -> str:
        """The JSON string of a file's licenseConcluded, computed once per distinct value."""
        value = self._license_cache.get(expression)
        if value is None:
            value = self._license_cache[expression] = encode_basestring(self.licenses.map(expression) or NOASSERTION)
        return value

    def add_batch(self, batch: FileBatch) -> None:
        """One batch of listed files: their entries, and CONTAINS relationships into the spool."""
        assert self.out is not None and self.relationships is not None
        files: list[str] = []
        rels: list[str] = []
        n = self.files
        package = self._package
        license_json = self._license_json
        for path, source, kind, sha256, sha1, lic, use, findings in zip(
                batch.path, batch.source, batch.kind, batch.sha256, batch.sha1, batch.license, batch.use_class,
                batch.findings, strict=True):
            n += 1
            fid = spdx_id("File", n, path.rsplit("/", 1)[-1])
            comment = f"use class {use or 'unknown'}" + (f"; findings: {', '.join(findings)}" if findings else "")
            files.append(
                f'{{"SPDXID": "{fid}", "fileName": {encode_basestring("./" + path)}, "checksums": [{{"algorithm": '
                f'"SHA1", "checksumValue": "{sha1}"}}, {{"algorithm": "SHA256", "checksumValue": "{sha256}"}}], '
                f'"fileTypes": ["{_FILE_TYPES.get(kind, "OTHER")}"], "licenseConcluded": {license_json(lic)}, '
                f'"licenseInfoInFiles": ["NOASSERTION"], "copyrightText": "NOASSERTION", '
                f'"comment": {encode_basestring(comment)}}}')
            pid = package.get(source)
            if pid:
                rels.append(f'{{"spdxElementId": "{pid}", "relationshipType": "CONTAINS", "relatedSpdxElement": '
                            f'"{fid}"}}')
        if files:
            self.out.write(("\n    " if not self.files else ",\n    ") + ",\n    ".join(files))
        if rels:
            self.relationships.write(("" if self._first_relationship else ",\n    ") + ",\n    ".join(rels))
            self._first_relationship = False
        self.files = n

    def finish(self, refs: list[RefInfo]) -> StreamFile:
        assert self.out is not None and self.relationships is not None
        out = self.out
        out.write("\n  ],\n  \"relationships\": [\n    ")
        self.relationships.copy_to(out)
        self.relationships.close()
        out.write("\n  ],\n  \"hasExtractedLicensingInfos\": [")
        for i, ref in enumerate(refs):
            entry: dict[str, object] = {"licenseId": ref.id, "extractedText": ref.text, "name": ref.name}
            if ref.see_also:
                entry["seeAlsos"] = list(ref.see_also)
            entry["comment"] = ref.comment
            out.write(("\n    " if i == 0 else ",\n    ") + _json(entry))
        out.write("\n  ]\n}\n")
        out.commit()
        return out

    def abort(self) -> None:
        if self.relationships is not None:
            self.relationships.close()
        if self.out is not None:
            self.out.abort()
