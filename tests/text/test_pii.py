from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.text.identifiers import id_checksum_ok, luhn_ok
from provenance.text.pii import find_pii
from tests.text.helpers import make_card, make_id, wrong_check

TODAY = date(2026, 6, 1)


def types(text: str) -> list[str]:
    return [h.type for h in find_pii(text, TODAY) if not h.type.startswith("sensitive:")]


def test_resident_id_checksum_and_masking() -> None:
    good = make_id("31010419850612081")
    hits = find_pii(f"身份证号：{good}", TODAY)
    assert [h.type for h in hits] == ["cn_id"]
    assert hits[0].masked == good[:3] + "*" * 13 + good[-2:]
    assert good not in repr(hits)
    assert types(f"身份证号：{wrong_check(good)}") == []


def test_resident_id_needs_real_date_and_province() -> None:
    assert types(make_id("31010419851332081")) == []  # month 13
    assert types(make_id("99010419850612081")) == []  # no province 99
    assert types(make_id("31010420300612081")) == []  # born in the future


def test_known_checksums() -> None:
    assert id_checksum_ok("11010519491231002X")
    assert not id_checksum_ok("110105194912310021")
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")


def test_mobile_formats_and_order_number_decoy() -> None:
    assert types("联系电话 13812345678") == ["mobile"]
    assert types("call +86 139-1234-5678 today") == ["mobile"]
    assert types("订单号 13812345678 已发货") == []
    assert types("order no. 15912345678") == []
    assert types("12345678901") == []  # does not start like a mobile number
    hits = find_pii("手机：138 1234 5678", TODAY)
    assert hits[0].masked == "138****5678"


def test_email_and_lookalikes() -> None:
    hits = find_pii("write to li.na+ml@mail.example.cn", TODAY)
    assert [(h.type, h.masked) for h in hits] == [("email", "l***@mail.example.cn")]
    assert types("npm i left-pad@1.3.0 and git@host") == []


def test_bank_card_luhn_prefix_and_context() -> None:
    card = make_card("622202", 19)
    assert types(f"银行卡号 {card}") == ["bank_card"]
    assert types(f"卡号 {card[:-1]}{(int(card[-1]) + 1) % 10}") == []  # Luhn fails
    grouped = " ".join(card[i : i + 4] for i in range(0, 19, 4))
    assert types(f"转账到 {grouped}") == ["bank_card"]
    imei = make_card("35", 15)
    assert types(f"IMEI {imei}") == []
    order = make_card("2023", 16)  # Luhn-valid, Mastercard-like range, but an order number
    assert types(f"订单 {order}") == []
    assert types(order) == []  # 2-series without a card label is not enough
    hit = find_pii(f"credit card {card}", TODAY)[0]
    assert hit.masked == card[:4] + "*" * 11 + card[-4:]


def test_passport_needs_its_label() -> None:
    assert types("护照号码 E12345678") == ["passport"]
    assert types("passport no: G87654321") == ["passport"]
    assert types("序列号 E12345678") == []
    assert types("model E12345678") == []


def test_ip_versus_versions() -> None:
    assert types("login from 81.2.69.142 at noon") == ["ip"]
    assert types("login from 203.0.113.45 at noon") == []  # a documentation example (RFC 5737)
    assert types("服务器地址 10.20.30.40") == ["ip"]
    assert types("upgrade to v1.2.3.4") == []
    assert types("版本 2.10.0.1 发布") == []
    assert types("section 1.02.3.4") == []  # leading zero
    assert types("256.1.1.1") == []
    assert types("127.0.0.1") == []
    assert types("peer 2a00:1450:4001:81b::200e") == ["ip"]
    assert types("peer 2001:db8:85a3::8a2e:370:7334") == []  # documentation prefix (RFC 3849)
    assert types("std::vector and 12:30:45") == []


def test_sensitive_categories_near_identifiers() -> None:
    text = "患者王某，手机13912345678，确诊糖尿病。"
    assert "sensitive:health" in [h.type for h in find_pii(text, TODAY)]
    assert [h.type for h in find_pii("糖尿病的饮食建议", TODAY)] == []  # no person identified
    child = make_id("44030520180301123")
    assert "sensitive:minor" in [h.type for h in find_pii(f"学生证件 {child}", TODAY)]
    adult = make_id("44030519800301123")
    assert "sensitive:minor" not in [h.type for h in find_pii(f"证件 {adult}", TODAY)]
    assert "sensitive:biometric" in [h.type for h in find_pii("fingerprint on file for a@b.io", TODAY)]
    card = make_card("622848", 19)
    assert "sensitive:financial" in [h.type for h in find_pii(f"卡号 {card}", TODAY)]


def test_lines_are_reported() -> None:
    hits = find_pii("first\nsecond a@example.org\n\nfourth 13812345678", TODAY)
    assert [(h.type, h.line) for h in hits] == [("email", 2), ("mobile", 4)]


def test_full_width_digits() -> None:
    assert types("手机 １３８１２３４５６７８") == ["mobile"]


@settings(max_examples=60, deadline=None)
@given(st.from_regex(r"\A[1-6][1-5]0[1-9]0[1-9](19[5-9]\d|200\d)(0[1-9]|1[0-2])(0[1-9]|1\d|2[0-8])\d{3}\Z"))
def test_raw_id_never_in_output(first17: str) -> None:
    good = make_id(first17)
    hits = find_pii(f"编号以外的证件：{good}，备注", TODAY)
    out = repr(hits)
    if first17[:2] in {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35",
                       "36", "37", "41", "42", "43", "44", "45", "46", "51", "52", "53", "54", "61",
                       "62", "63", "64", "65"}:
        assert [h.type for h in hits][:1] == ["cn_id"]
    assert good not in out
    assert good[6:14] not in out  # the birth date is hidden too


def test_mask_pii_for_excerpts() -> None:
    from provenance.text.pii import mask_pii

    card = make_card("622202", 19)
    text = f"联系 13812345678 或 a.b@example.com，卡号 {card}，订单号 13900001111"
    masked = mask_pii(text, TODAY)
    stars = "*" * 11
    expected = f"联系 138****5678 或 a***@example.com，卡号 {card[:4]}{stars}{card[-4:]}"
    assert masked == expected + "，订单号 13900001111"


def test_ip_at_sentence_end_and_section_numbers() -> None:
    assert types("Traffic from 81.2.69.10 was forwarded to 172.16.5.4.") == ["ip", "ip"]
    assert types("章节 3.2.1.5 描述了测试方法。") == []
    assert types("see section 4.2.1.3 for details") == []


def test_decoys_found_in_held_out_batch() -> None:
    assert types("请使用 Python 3.11.7.1 版本运行。") == []
    assert types("The transaction ID 4111111111111111 is only a test value.") == []
    assert types("server 10.0.0.8 version 2") == []  # the word after decides
    assert types("server 10.0.0.8 down") == ["ip"]


def test_numbers_in_calculations_are_not_identifiers() -> None:
    # Shapes from maths word problems (GSM8K-style): decimals, operators, currency, repeated digits.
    assert types("So the ratio is 0.5454545454545454 of the whole.") == []
    assert types("x = 15000000000 + 13900000000 = 28900000000") == []
    assert types("$6000 - $600 - $150 - $1200 - $2000 = $2050") == []
    assert types("The total is 4111111111111111 * 2") == []
    assert types("Section 3.1.2.4 describes it; see also 2.3.4.5.") == []
    # ... while the same digits stay identifiers where a label or the shape says so
    assert types("手机号=13900000000") == ["mobile"]
    assert types("请拨打 13812345678 联系") == ["mobile"]
    assert types("卡号：4111111111111111") == ["bank_card"]
    assert types("ip 1.2.3.4") == ["ip"]

