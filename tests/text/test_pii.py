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
    hits = find_pii("write to li.na+ml@mail.lanshan-tech.cn", TODAY)
    assert [(h.type, h.masked) for h in hits] == [("email", "l***@mail.lanshan-tech.cn")]
    assert types("npm i left-pad@1.3.0 and git@host") == []


def test_placeholder_and_reserved_addresses_are_not_anyones() -> None:
    # RFC 2606 / RFC 6761 names, "example" under any suffix, names that say placeholder
    for text in ("mail a.li@example.com", "b.zhao@mail.example.org", "x@example.net", "王@example.cn",
                 "u@example.co.uk", "t@test.test", "v@host.invalid", "w@printer.local",
                 "john.smith@email.com", "me@yourdomain.com", "hr@company.com", "xxx@xxx.com",
                 "a@d.co", "c@x.co", "xxxx@163.com", "yourname@gmail.com", "username@qq.com"):
        assert types(text) == [], text
    # an SSH remote or the git user of a forge is not a mailbox
    assert types("git@github.com:Permission denied (publickey).") == []
    assert types("错误：git@github.com：权限被拒绝") == []
    assert types("clone deploy@gitlab.lanshan-tech.cn:team/repo.git") == []
    # ... while real-shaped addresses stay, also right before a colon and a space
    assert types("Contact: wang.fang@163.com: replies within a day") == ["email"]
    assert types("reporter m.dudek@suntimes.com wrote") == ["email"]
    assert types("发到我的邮箱 leo2008@126.com 谢谢") == ["email"]


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
    assert types("服务器地址 61.20.30.40") == ["ip"]
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
    assert "sensitive:biometric" in [h.type for h in find_pii("fingerprint on file for amy.wu@mailbox.io", TODAY)]
    card = make_card("622848", 19)
    assert "sensitive:financial" in [h.type for h in find_pii(f"卡号 {card}", TODAY)]


def test_lines_are_reported() -> None:
    hits = find_pii("first\nsecond ann@postbox.org\n\nfourth 13812345678", TODAY)
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
    text = f"联系 13812345678 或 a.b@mailhost.com，卡号 {card}，订单号 13900001111"
    masked = mask_pii(text, TODAY)
    stars = "*" * 11
    expected = f"联系 138****5678 或 a***@mailhost.com，卡号 {card[:4]}{stars}{card[-4:]}"
    assert masked == expected + "，订单号 13900001111"


def test_ip_at_sentence_end_and_section_numbers() -> None:
    assert types("Traffic from 81.2.69.10 was forwarded to 172.86.5.4.") == ["ip", "ip"]
    assert types("章节 3.2.1.5 描述了测试方法。") == []
    assert types("see section 4.2.1.3 for details") == []


def test_decoys_found_in_held_out_batch() -> None:
    assert types("请使用 Python 3.11.7.1 版本运行。") == []
    assert types("The transaction ID 4111111111111111 is only a test value.") == []
    assert types("server 61.0.0.18 version 2") == []  # the word after decides
    assert types("server 61.0.0.18 down") == ["ip"]


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
    assert types("ip 61.2.3.4") == ["ip"]



def test_private_shared_and_toy_addresses_are_not_personal() -> None:
    # Private (RFC 1918), shared/CGNAT (RFC 6598) and IPv6 unique-local addresses are reused in
    # every network; an outsider cannot tie them to anyone, labelled or not.
    for text in ("服务器地址 10.20.30.40", "例如 192.168.1.1 或 10.0.0.1", "gateway 172.16.5.4", "ip 100.64.12.7",
                 "peer fd12:3456:789a::1", "IP: 192.168.10.254"):
        assert types(text) == [], text
    # every part one digit: a toy (1.2.3.4) or a well-known service (8.8.4.4, 1.1.1.1), labelled or not
    assert types('"机器IP": "1.1.1.2"') == []
    assert types("ip 1.2.3.4") == []
    assert types("Google DNS 8.8.4.4") == []
    assert types("访客IP：112.64.33.9") == ["ip"]


def test_version_pins_ranges_and_coordinates_are_not_addresses() -> None:
    assert types("  - types-python-dateutil==2.8.19.14") == []
    assert types("pkg>=10.0.19045.38 is needed") == []
    assert types("  - openssl=11.1.12.13=h7f8727e_0") == []
    assert types("测量范围 1-23.1.44.2 之间") == []
    assert types('<path d="M10.76,4,12.22,4.48,12.4.17.24,2.79-.46,5.76"/>') == []
    # a key=value log line is no pin, and a list of addresses is no run of decimals
    assert types("remote_addr=66.249.66.1") == ["ip"]
    assert types("NAT 10.0.0.7 -> 81.2.69.10") == ["ip"]  # an arrow is no constraint
    assert types("81.2.69.10,81.2.69.11") == ["ip", "ip"]
    assert types("from 81.2.69.10, 81.2.69.11 and 81.2.69.12") == ["ip", "ip", "ip"]


def test_numbers_inside_file_names_and_urls_are_not_phones() -> None:
    # Flickr-style photo ids: 11 digits starting 1[3-9] inside names and paths
    assert types("16092204416_5d8c2a1e0f.jpg") == []
    assert types("https://farm9.staticflickr.com/8660/16092204416_5d8c2a1e0f.jpg") == []
    assert types("scan/13912345678.png") == []
    assert types("IMG_13912345678") == []
    # the carrier's service number is written in every example
    assert types("发送短信到 13800138000") == []
    assert types("联系方式：138-0013-8000") == []
    # numbers masked in the text itself are already no numbers
    assert types("我的手机号码是138****5678") == []
    assert types("手机 138xxxx5678") == []
    # ... while a phone written as a number, also at the end of a sentence, stays
    assert types("电话 13912345678。") == ["mobile"]
    assert types("tel: 13912345678.") == ["mobile"]
    assert types("phone 13912345678_") == ["mobile"]  # labelled: the label wins


def test_digits_of_a_uuid_are_not_a_bank_card() -> None:
    # chinese-poetry's records carry UUIDs whose leading digit groups pass Luhn
    d = make_card("4", 19)
    uuid = f"{d[:8]}-{d[8:12]}-{d[12:16]}-{d[16:]}a-156195a6f551"
    assert types(f'{{"title": "傷春詞", "id": "{uuid}"}}') == []
    assert types(f"{d[:8]}-{d[8:12]}-{d[12:16]}-{d[16:]} 转账") == ["bank_card"]  # the same digits on their own
    assert types(f"汇款至{make_card('622202', 19)}元") == ["bank_card"]  # glued to Chinese text: still a card


def test_versions_glued_into_package_file_names_are_not_addresses() -> None:
    # dolly's training notebook downloads CUDA packages named with four-part versions
    assert types("wget https://example.net/x86_64/libcusparse-dev-11-7_11.7.3.50-1_amd64.deb") == []
    assert types("dpkg -i /tmp/libcurand-dev-11-7_10.2.10.91-1_amd64.deb") == []
    assert types("release v81.2.69.10 is out") == []
    # a host in a URL, or one labelled as an address, is still one
    assert types("curl http://81.2.69.10/status") == ["ip"]
    assert types("server ip: 81.2.69.10") == ["ip"]


def test_role_mailboxes_are_not_a_persons() -> None:
    # a workflow's bot identity, a company's support desk, RFC 2142 role names, GitHub noreply ids
    assert types('git config user.email "actions@github.com"') == []
    assert types("contact support@netflix.com or info@kunjifund.io") == []
    assert types("reply to noreply@example-shop.cn or no_reply@bank.com.cn") == []
    assert types("1234567+octocat@users.noreply.github.com") == []
    # a person's address at the same company is still personal
    assert types("write to wang.lei@netflix.com") == ["email"]
    # a local part made of role words only is a role mailbox too; one with a name is a person's
    assert types("email service.team@huaxin-logistics.com or hr-recruit@harbourline.co.uk") == []
    assert types("email zhou.min.support@huaxin-logistics.com") == ["email"]


def test_servers_a_download_log_resolved_are_not_addresses_of_people() -> None:
    # a notebook's saved wget output (pCLUE's fine-tuning notebook)
    log = ("Resolving raw.githubusercontent.com (raw.githubusercontent.com)... 185.199.109.133, 185.199.110.133\n"
           "Connecting to raw.githubusercontent.com (raw.githubusercontent.com)|185.199.109.133|:443... connected.\n"
           "Trying 140.82.112.3...\n")
    assert types(log) == []
    assert types("the attacker connected from 81.2.69.10 at night") == ["ip"]
    assert types("she was trying to reach 81.2.69.10 from home") == ["ip"]
