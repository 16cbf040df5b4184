from __future__ import annotations

import pytest

from provenance.errors import ConfigError
from provenance.text.domains import classify_domains
from provenance.text.normalize import path_words
from provenance.text.purpose import judge, parse_purpose


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("患者入院后确诊为二型糖尿病，医生调整了胰岛素剂量。", "medical"),
        ("The patient was diagnosed with hypertension and prescribed a beta blocker.", "medical"),
        ("央行宣布下调贷款利率，股票市场应声上涨。", "finance"),
        ("The defendant appealed after the court entered its verdict.", "legal"),
        ("市政府印发通知，部署全市公共服务改革工作。", "government"),
        ("这款手机外壳采用注塑工艺，公差控制在0.05毫米以内，已完成打样。", "design_manufacturing"),
        ("def load(path):\n    return json.loads(open(path).read())", "code"),
        ("幼儿园的小朋友们在老师带领下学唱儿歌。", "children"),
        ("The film opened to a record box office and the soundtrack topped the charts.", "entertainment"),
    ],
)
def test_domain_of_paragraph(text: str, domain: str) -> None:
    assert classify_domains(text).top == domain


def test_word_boundaries_and_no_domain() -> None:
    assert classify_domains("The embankment held during the flood.").score("finance") == 0.0
    assert classify_domains("今天天气晴朗，我们去公园散步。").top is None


def test_long_text_needs_more_evidence() -> None:
    filler = "我们沿着河边走了很久，看见了很多风景。" * 150
    assert classify_domains(filler + "路过一家医院，看见一位医生。").top is None


def test_terms_explain_the_score() -> None:
    scores = classify_domains("医院的医生为患者开具处方")
    assert scores.top == "medical"
    assert set(scores.terms_for("medical")) >= {"医院", "医生", "患者", "处方"}


def test_captions_and_paths() -> None:
    assert path_words("scans/ChestXray_0001.png") == "scans Chest Xray 0001 png"
    assert classify_domains(path_words("hospital/patient_records/ct_scan_042.jpg")).top == "medical"


def test_purpose_parsing_zh_en_and_declared_domains() -> None:
    assert parse_purpose("为工业产品设计师提供外观设计建议").named == {"design_manufacturing"}
    assert parse_purpose("A question-answering assistant for hospital patients").named == {"medical"}
    assert parse_purpose(None, ("金融", "law")).named == {"finance", "legal"}
    assert "government" in parse_purpose("新闻写作助手").relevant  # news covers government
    general = parse_purpose("通用对话助手")
    assert general.general and "adult" not in general.relevant
    with pytest.raises(ConfigError):
        parse_purpose(None, ("astrology",))


def test_off_purpose_judgement() -> None:
    design = parse_purpose("product design assistant for industrial designers")
    medical_text = classify_domains("患者入院后确诊为二型糖尿病，医生调整了胰岛素剂量。")
    verdict = judge(medical_text, design)
    assert verdict.off_purpose and verdict.domain == "medical"
    assert "确诊" in verdict.reason and "design_manufacturing" in verdict.reason
    assert not judge(medical_text, parse_purpose("医疗问答助手")).off_purpose
    # non-sensitive domains are never off-purpose, and without a purpose nothing is
    assert not judge(classify_domains("The film topped the box office."), design).off_purpose
    assert not judge(medical_text, parse_purpose(None)).off_purpose


def test_mixed_text_with_strong_purpose_domain_is_kept() -> None:
    design = parse_purpose("医疗器械外观设计")
    text = classify_domains("为医院设计的输液泵外壳采用注塑工艺，完成了结构设计和打样。")
    assert not judge(text, design).off_purpose


def test_relevance_table_from_source_totals() -> None:
    from provenance.text.purpose import relevance_table

    purpose = parse_purpose("工业产品设计助手")
    totals = {"items": 10, "off_purpose_items": 3, "domain:medical": 3, "domain:design_manufacturing": 5,
              "domain:unassigned": 2, "domain:news": 0}
    rows = relevance_table(totals, purpose)
    assert [(r.domain, r.items, r.relevant, r.sensitive) for r in rows] == [
        ("design_manufacturing", 5, True, False),
        ("medical", 3, False, True),
        ("unassigned", 2, False, False),
    ]
    assert rows[1].share == 0.3 and rows[1].zh == "医疗健康"


def test_purpose_naming_no_domain_covers_no_sensitive_domain() -> None:
    vague = parse_purpose("智能客服")
    assert vague.known and vague.named == frozenset()
    medical_text = classify_domains("患者入院后确诊为二型糖尿病，医生调整了胰岛素剂量。")
    verdict = judge(medical_text, vague)
    assert verdict.off_purpose and "(none)" in verdict.reason
    assert not judge(medical_text, parse_purpose("通用聊天机器人")).off_purpose
