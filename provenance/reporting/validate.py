"""`provenance validate OUT/`: the official libraries judge the outputs, on demand (never during a scan).

- manifest.spdx.json: parsed and validated by spdx-tools. Its validator looks every relationship's
  ids up in a fresh list of all ids (quadratic), so documents with many files are validated in
  slices (every package and licensing entry with SLICE files and their relationships at a time),
  plus spdx-tools' document-wide duplicate-id check on the whole document.
- manifest.spdx3.jsonld: read by spdx-python-model (types, patterns), linked (every referenced
  element present), written again (required properties), and every license expression validated
  by spdx-tools' license-expression validator against the LicenseRef- ids the document declares.
- scan.json against its JSON Schema.

Both libraries hold the whole document in memory (spdx-tools ~12 KB per listed file).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import jsonschema
from license_expression import ExpressionError
from spdx_python_model import v3_0_1 as s
from spdx_tools.common.spdx_licensing import spdx_licensing
from spdx_tools.spdx.model import Actor, ActorType, CreationInfo, Document, ExtractedLicensingInfo, RelationshipType
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
from spdx_tools.spdx.validation.license_expression_validator import validate_license_expression
from spdx_tools.spdx.validation.spdx_id_validators import get_list_of_all_spdx_ids

from provenance.reporting import MANIFEST_NAMES
from provenance.results import result_schema

SLICE = 50  # files per spdx-tools validation slice (measured earlier: 0.8 s for 10,000 files at 50)
MAX_MESSAGES = 50


@dataclass(frozen=True)
class Verdict:
    """What a validator said about one output file."""

    file: str
    #: The judge (library and version).
    judge: str
    messages: tuple[str, ...]
    #: What was looked at, for the summary line: how many, and of what ("files listed").
    checked: int = 0
    unit: str = "elements"

    @property
    def valid(self) -> bool:
        return not self.messages


def _version(package: str) -> str:

    try:
        return f"{package} {version(package)}"
    except PackageNotFoundError:
        return package


def validate_spdx2(path: Path, slice_size: int = SLICE) -> Verdict:
    judge = _version("spdx-tools")
    try:
        document = parse_file(str(path))
    except Exception as exc:  # the parser raises SPDXParsingError and JSON errors with a message list
        messages = getattr(exc, "messages", None) or [f"{type(exc).__name__}: {exc}"]
        return Verdict(path.name, judge, tuple(str(m) for m in messages[:MAX_MESSAGES]))
    return Verdict(path.name, judge, tuple(validate_document(document, slice_size)[:MAX_MESSAGES]),
                   len(document.files), "files listed")


def validate_document(document: Any, slice_size: int = SLICE) -> list[str]:
    """spdx-tools' full validation of a parsed document, in slices of `slice_size` files."""

    if len(document.files) <= slice_size:
        return [m.validation_message for m in validate_full_spdx_document(document)]
    top = [r for r in document.relationships if r.relationship_type is RelationshipType.DESCRIBES]
    by_file: dict[str, list[Any]] = {}
    for r in document.relationships:
        if r.relationship_type is not RelationshipType.DESCRIBES:
            by_file.setdefault(str(r.related_spdx_element_id), []).append(r)
    messages: dict[str, None] = {}
    for start in range(0, len(document.files), slice_size):
        files = document.files[start:start + slice_size]
        rels = top + [r for f in files for r in by_file.pop(f.spdx_id, [])]
        part = Document(document.creation_info, packages=document.packages, files=files, relationships=rels,
                        extracted_licensing_info=document.extracted_licensing_info)
        messages.update((m.validation_message, None) for m in validate_full_spdx_document(part))
    for rest in by_file.values():  # relationships to elements that are not files of this document
        part = Document(document.creation_info, packages=document.packages, files=[], relationships=top + rest,
                        extracted_licensing_info=document.extracted_licensing_info)
        messages.update((m.validation_message, None) for m in validate_full_spdx_document(part))
    ids = get_list_of_all_spdx_ids(document)
    if len(ids) != len(set(ids)):
        seen: set[str] = set()
        duplicates = sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]
        messages[f"every spdx_id must be unique within the document, but found the following duplicates: "
                 f"{duplicates[:20]}"] = None
    return list(messages)


def validate_spdx3(path: Path) -> Verdict:
    judge = f"{_version('spdx-python-model')} + {_version('spdx-tools')} (license expressions)"
    objset = s.SHACLObjectSet()
    try:
        with path.open("rb") as handle:
            s.JSONLDDeserializer().read(handle, objset)
    except Exception as exc:  # the bindings raise TypeError, ValueError, KeyError... on bad input
        return Verdict(path.name, judge, (f"does not read back: {type(exc).__name__}: {exc}"[:2000],))
    messages: list[str] = []
    missing = objset.link()
    if missing:
        messages.append(f"references to elements that are not in the document: {sorted(missing)[:20]}")
    try:
        s.JSONLDSerializer().write(objset, io.BytesIO())
    except Exception as exc:
        messages.append(f"cannot be written again (a required property is missing?): {type(exc).__name__}: {exc}")
    texts = {_id(o) for o in objset.foreach_type(s.simplelicensing_SimpleLicensingText)}
    documents = list(objset.foreach_type(s.SpdxDocument))
    if len(documents) != 1:
        messages.append(f"expected one SpdxDocument, found {len(documents)}")
    for element in objset.foreach_type(s.simplelicensing_LicenseExpression):
        expression: Any = element
        refs = {}
        entries: list[Any] = list(expression.simplelicensing_customIdToUri)
        for entry in entries:
            target = entry.value if isinstance(entry.value, str) else _id(entry.value)
            refs[str(entry.key)] = target
            if target not in texts:
                messages.append(f"{expression._id}: {entry.key} maps to {target}, which is not a SimpleLicensingText"
                                " of the document")
        if not expression.simplelicensing_licenseListVersion:
            messages.append(f"{expression._id}: no licenseListVersion")
        messages += [f"{expression._id}: {m}"
                     for m in license_expression_messages(str(expression.simplelicensing_licenseExpression), refs)]
    unique = list(dict.fromkeys(messages))
    return Verdict(path.name, judge, tuple(unique[:MAX_MESSAGES]), len(objset.objects), "graph elements")


def _id(obj: Any) -> str | None:
    return getattr(obj, "_id", None)


def license_expression_messages(expression: str, refs: dict[str, Any]) -> list[str]:
    """spdx-tools' license expression validation, with `refs` as the document's LicenseRef- ids."""

    try:
        parsed = spdx_licensing.parse(expression)
    except ExpressionError as exc:
        return [f"license expression '{expression}' does not parse: {exc}"]
    info = CreationInfo("SPDX-2.3", "SPDXRef-DOCUMENT", "licenses", "https://spdx.invalid/licenses",
                        [Actor(ActorType.TOOL, "provenance")], dt.datetime(2000, 1, 1))
    holder = Document(info, extracted_licensing_info=[ExtractedLicensingInfo(license_id=k, extracted_text="-")
                                                      for k in refs])
    return [m.validation_message for m in validate_license_expression(parsed, holder, "SPDXRef-DOCUMENT")]


def validate_scan_json(path: Path) -> Verdict:


    judge = _version("jsonschema")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return Verdict(path.name, judge, (f"cannot be read: {exc}",))
    validator = jsonschema.Draft202012Validator(result_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    return Verdict(path.name, judge, tuple(f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}"[:500]
                                           for e in errors[:MAX_MESSAGES]))


def validate_outputs(out_dir: Path) -> list[Verdict]:
    """Every output of a scan folder that has a validator; an absent manifest is a message."""

    verdicts = [validate_scan_json(out_dir / "scan.json")] if (out_dir / "scan.json").is_file() else []
    for name, judge in zip(MANIFEST_NAMES, (validate_spdx2, validate_spdx3), strict=True):
        path = out_dir / name
        if path.is_file():
            try:
                verdicts.append(judge(path))
            except Exception as exc:  # a validator's own bug is reported, not raised
                verdicts.append(Verdict(name, "-", (f"the validator failed: {type(exc).__name__}: {exc}",)))
        else:
            verdicts.append(Verdict(name, "-", (f"{name} is not in {out_dir} (written by `provenance scan` "
                                                "or `provenance report`)",)))
    return verdicts
