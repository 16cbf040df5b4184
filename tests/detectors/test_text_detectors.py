from __future__ import annotations

import json
import pickle
from pathlib import Path

from provenance.detectors.blocklist import BlocklistDetector
from provenance.detectors.pii import PiiDetector
from provenance.detectors.purpose import PurposeDetector
from provenance.model import AssetKind, Severity
from provenance.text.items import TextItem
from tests.text.helpers import asset, content, make_card, make_id

MEDICAL = "患者入院后确诊为二型糖尿病，医生调整了胰岛素剂量。"
DESIGN = "这款手机外壳采用注塑工艺，公差控制在0.05毫米以内，已完成打样。"


def test_purpose_records_facts_and_finding() -> None:
    detector = PurposeDetector("工业产品设计助手")
    items = [TextItem(DESIGN, "1"), TextItem(MEDICAL, "2"), TextItem("今天天气不错。", "3")]
    out = detector.detect_items(asset("data/mix.jsonl", AssetKind.TABLE), items)
    assert out.facts["items"] == 3
    assert out.facts["off_purpose_items"] == 1
    assert out.facts["domain:medical"] == 1
    assert out.facts["domain:design_manufacturing"] == 1
    assert out.facts["domain:unassigned"] == 1
    assert out.facts["relevant_items"] == 1
    (finding,) = out.findings
    assert finding.rule == "off-purpose" and finding.severity is Severity.WARNING
    assert finding.count == 1 and finding.locations == ("data/mix.jsonl:2",)
    assert "medical" in finding.message and "患者" in finding.message
    json.dumps(out.facts)


def test_purpose_for_images_uses_path() -> None:
    detector = PurposeDetector("product design assistant")
    image = asset("hospital/patient_scans/ct_scan_001.png", AssetKind.IMAGE)
    assert detector.applies(image)
    out = detector.detect_items(image, [TextItem("hospital patient scans ct scan 001 png")])
    assert out.findings and out.findings[0].locations == (image.path,)


def test_pii_detector_masks_and_counts() -> None:
    card = make_card("622202", 19)
    person = make_id("11010519900307123")
    text = f"第一行\n联系人手机 13812345678\n身份证 {person}\n卡号 {card}\n订单号 13900001111"
    out = PiiDetector().detect_items(asset("notes.txt"), [TextItem(text)])
    assert out.facts["mobile"] == 1 and out.facts["cn_id"] == 1 and out.facts["bank_card"] == 1
    assert out.facts["sensitive:financial"] == 1
    (finding,) = out.findings
    assert finding.rule == "personal-info"
    assert "notes.txt:2 mobile 138****5678" in finding.locations
    dump = json.dumps(out.facts) + repr(out.findings)
    for raw in (person, card, "13812345678", "13900001111"):
        assert raw not in dump


def test_pii_detector_without_hits() -> None:
    out = PiiDetector().detect_items(asset("a.txt"), [TextItem("nothing personal here, v1.2.3.4")])
    assert out.findings == () and out.facts == {"items": 1, "items_with_pii": 0}


def test_blocklist_rate_and_source_finding() -> None:
    detector = BlocklistDetector(("赌博", "casino"))
    items = [TextItem("网上赌博平台", "1"), TextItem("clean", "2"), TextItem("casino", "3")]
    out = detector.detect_items(asset("x.jsonl", AssetKind.TABLE), items)
    assert out.facts["items"] == 3 and out.facts["blocked_items"] == 2
    assert out.facts["top_entries"] == {"赌博": 1, "casino": 1}
    assert detector.source_findings("web", {"items": 100, "blocked_items": 5}) == ()
    (finding,) = detector.source_findings("web", {"items": 100, "blocked_items": 6})
    assert finding.rule == "blocked-content" and finding.severity is Severity.ERROR
    assert "6.0%" in finding.message and finding.count == 6
    assert detector.source_findings("empty", {}) == ()
    assert not BlocklistDetector(()).applies(asset("a.txt"))


def test_blocklist_from_file(tmp_path: Path) -> None:
    path = tmp_path / "words.txt"
    path.write_text("# list\n违禁\n", encoding="utf-8")
    detector = BlocklistDetector.from_files([path], threshold=0.1)
    assert detector.blocklist.entries == ("违禁",) and detector.threshold == 0.1


def test_detectors_pickle_and_work_after() -> None:
    detectors = [PurposeDetector("医疗问答", ("medical",)), PiiDetector(), BlocklistDetector(("赌博",))]
    items = [TextItem("赌博 13812345678", "1")]
    for detector in detectors:
        copy = pickle.loads(pickle.dumps(detector))
        assert copy.id == detector.id
        got = copy.detect_items(asset("a.txt"), items)
        want = detector.detect_items(asset("a.txt"), items)
        assert got.facts == want.facts and got.findings == want.findings
        assert got.facts or got.findings  # each of the three finds something in this item


def test_detect_reads_the_asset_text() -> None:
    data = "联系人手机 13812345678\n".encode()
    out = PiiDetector().detect(content("notes.txt", data))
    assert out.facts["mobile"] == 1
    assert out.findings[0].locations == ("notes.txt:1 mobile 138****5678",)


def test_image_detect_uses_its_path_without_reading() -> None:
    detector = PurposeDetector("product design assistant")
    out = detector.detect(content("hospital/patient_scans/CT_scan_001.png", b"\x89PNG", AssetKind.IMAGE))
    assert out.facts["domain:medical"] == 1 and out.facts["off_purpose_items"] == 1
    assert out.findings[0].locations == ("hospital/patient_scans/CT_scan_001.png",)
    assert not PiiDetector().applies(asset("a.png", AssetKind.IMAGE))
