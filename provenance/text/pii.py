"""Personal information in text: identifiers validated by checksum or structure, masked at once.

Raw values never leave this module: a `PiiHit` holds only the masked value and the line.
Numbers next to words like "order", "serial", "tracking" or "version" are decoys and do not count.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from provenance.text.identifiers import (
    card_prefix_ok,
    id_birth_date,
    is_ip,
    luhn_ok,
    mask,
    mask_email,
    mask_ip,
    placeholder_email,
    role_email,
    valid_cn_id,
)
from provenance.text.matcher import TermMatcher
from provenance.text.normalize import nfkc, normalize

#: Identifier types, in report order.
PII_TYPES = ("cn_id", "mobile", "email", "bank_card", "passport", "ip")
#: Sensitive personal-information categories (counted apart, as `sensitive:<category>`).
SENSITIVE_TYPES = ("health", "financial", "biometric", "minor")

# How far (characters) before a number its label ("订单号", "card no") is looked for.
CONTEXT_BEFORE = 24
# How far around an identifier sensitive-category words are looked for.
SENSITIVE_WINDOW = 160
# PIPL: personal information of children under 14 is sensitive.
MINOR_AGE = 14


@dataclass(frozen=True)
class PiiHit:
    """One piece of personal information, masked."""

    #: One of PII_TYPES, or `sensitive:<category>`.
    type: str
    #: The value with most characters replaced by `*`; for sensitive categories, `[category]`.
    masked: str
    #: 1-based line in the text.
    line: int


def _terms(joined: str) -> tuple[str, ...]:
    return tuple(joined.split("|"))


# Each pattern starts with a plain character (class) and checks what precedes it with a
# lookbehind placed after that first character: `re` can then skip ahead to candidate
# characters instead of trying every position, which made these scans 5-10x faster.
_ID_RE = re.compile(r"(\d(?<![0-9A-Za-z]\d)\d{16}[\dXx])(?![0-9A-Za-z])")
_MOBILE_RE = re.compile(
    r"(1)(?:(?<![\d+]1)|(?<=\+861)|(?<=\+86 1)|(?<=\+86-1)|(?<=(?<![\d+])861)|(?<=(?<![\d+])86 1)"
    r"|(?<=(?<![\d+])86-1))([3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)"
)
_EMAIL_RE = re.compile(
    r"(?<![\w.+-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24})(?![\w-])"
)
_CARD_RE = re.compile(r"(\d(?<![\d-]\d)\d{3}(?:[ -]?\d{2,4}){2,4}(?:[ -]?\d{1,3})?)(?![\d-])")
_PASSPORT_RE = re.compile(r"([A-Z](?<![0-9A-Za-z][A-Z])[A-Z]?\d{6,9})(?![0-9A-Za-z])")
_IPV4_RE = re.compile(r"(\d(?<![\d.]\d)\d{0,2}(?:\.\d{1,3}){3})(?!\d|\.\d)")
_IPV6_RE = re.compile(
    r"([0-9A-Fa-f:](?<![0-9A-Fa-f:][0-9A-Fa-f:])[0-9A-Fa-f]{0,3}(?::[0-9A-Fa-f]{0,4}){2,7})(?![0-9A-Fa-f:])"
)
# An email's local part is at most 64 characters and its domain at most 255.
EMAIL_BEFORE, EMAIL_AFTER = 65, 256
_NEWLINE = re.compile("\n")
# Every identifier has a digit, an `@` or a `:` (IPv6); full-width forms are folded by NFKC.
_MAYBE_PII = re.compile("[0-9@:\uff10-\uff19\uff20\uff1a]")
_AGE_RE = re.compile(r"(\d{1,2})\s*(?:周岁|岁|-year-old|years old|year old)")

# Labels written before a number say what it is; the nearest label on the same line wins,
# so "订单号 123…，银行卡 6222…" keeps the card and drops the order number.
_LABELS: dict[str, str] = {
    "decoy": "订单|单号|订单号|流水号|交易号|运单|快递单|物流|序列号|编号|型号|批号|批次|工单|发票|条码|"
    "商品编码|版本|版本号|券码|兑换码|会员号|"
    "order|order no|order number|order id|serial*|s/n|sn|tracking|waybill|invoice*|ticket|"
    "imei|meid|isbn|issn|barcode|sku|part no|part number|model|batch|lot|build|"
    "version|ver|release|doi|hash|checksum|ref|reference|章节|章|节|条款|图|表|"
    "section|chapter|clause|figure|fig|table|step|rule|item|transaction|transaction id|txn|"
    "trace id|request id|session id|uuid",
    "card": "卡号|银行卡|信用卡|借记卡|储蓄卡|银联|开户行|账号|收款账户|"
    "card|card number|card no|credit card|debit card|visa|mastercard|unionpay|account",
    "passport": "护照|护照号|护照号码|passport|passport no|passport number",
    "phone": "手机|手机号|电话|联系电话|联系方式|mobile|phone|tel|cell",
    "id": "身份证|身份证号|公民身份号码|证件|证件号|证件号码|id card|resident id|id number",
    "ip": "ip|ip地址|地址|address|host|server|服务器|登录",
}
# Characters that make a number a quantity in a calculation, not an identifier, when they stand
# right before or after it (spaces aside): "x = 15000000000 + 13900000000", "$6000 - $600".
_ARITHMETIC = frozenset("+-*/=×÷^<>$€£¥%")
# How many characters around a number are looked at for an operator.
ARITHMETIC_REACH = 3


def _in_a_number(text: str, start: int, end: int) -> bool:
    """The digits are part of a longer number: the fraction of a decimal (0.5454545454545454) or
    followed by one (13812345678.5)."""
    before = text[start - 2 : start] if start >= 2 else ""
    after = text[end : end + 2]
    return (len(before) == 2 and before[1] in ".," and before[0].isdigit()) or \
        (len(after) == 2 and after[0] in ".," and after[1].isdigit())


# A name or path the digits are part of: `16092204416_5d8c.jpg`, `flickr.com/8660/16092204416`.
_NAME_AFTER = re.compile(r"_|\.[A-Za-z][A-Za-z0-9]{0,4}\b")


# wget/curl/ssh saying which server a name resolved to: "Resolving host (host)... 185.199.109.133",
# "Connecting to host (host)|185.199.109.133|:443", "Trying 140.82.112.3...". Capitalised as the
# tools print them: "I was trying to reach 81.2.69.10" in prose stays an address.
_RESOLVED = re.compile(r"\b(?:Resolving|Connecting to|Connected to|Trying)\b")


def _resolved_host(text: str, start: int) -> bool:
    """The address a tool printed for a server it contacted (a notebook's download log), not a
    person's line."""
    line_start = text.rfind("\n", 0, start) + 1
    return _RESOLVED.search(text, max(line_start, start - 200), start) is not None


def _glued(text: str, start: int, end: int) -> bool:
    """A dotted number joined to a word by a letter or `_` (`libcublas-dev-11-7_11.10.1.25-1_amd64.deb`,
    `v1.2.3.4`): a package version in a file name, not an address. `/` is not glue here: URLs hold hosts."""
    before = text[start - 1] if start else ""
    return before == "_" or (before.isascii() and before.isalpha()) or text[end : end + 1] == "_"


def _in_a_name(text: str, start: int, end: int) -> bool:
    """The digits are glued into a file name, path or URL (a photo id), not written as a number:
    a `_` or `/` right before, or a `_` or a file extension right after."""
    before = text[start - 1] if start else ""
    return before in ("_", "/", "\\") or _NAME_AFTER.match(text, end) is not None


def _in_a_token(text: str, start: int, end: int) -> bool:
    """The digits run on into Latin letters: a UUID or hash (`81493272-2920-4577-9f1a-...`), an
    identifier, not a number written on its own. (Chinese text glues numbers to characters, so only
    ASCII letters count.)"""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha())


#: Numbers that look like mobiles but belong to no subscriber: carriers' service numbers written
#: in every example (13800138000 is China Mobile's service centre).
SERVICE_NUMBERS = frozenset({"13800138000"})


def _arithmetic(text: str, start: int, end: int) -> bool:
    """An operator or currency sign right before or after the number (spaces aside)."""
    before = text[max(0, start - ARITHMETIC_REACH) : start].rstrip()
    after = text[end : end + ARITHMETIC_REACH].lstrip()
    return bool(before and before[-1] in _ARITHMETIC) or bool(after and after[0] in _ARITHMETIC)


def _repetitive(digits: str) -> bool:
    """A run made of one short pattern (5454545454545454, 13131313131): arithmetic output, not an
    issued number."""
    for period in (1, 2, 3, 4):
        unit = digits[:period]
        if (unit * (len(digits) // period + 1))[: len(digits)] == digits:
            return True
    return False


def _round(digits: str) -> bool:
    """Mostly zeros after the issuer prefix (4000000000000002): a quantity or a test number."""
    return digits[4:].count("0") >= len(digits[4:]) - 2


# Words right after a dotted number that make it a version, not an address ("3.11.7.1 版本").
_VERSION_AFTER = TermMatcher(_terms("版本|版|version|release|build|edition"))
VERSION_AFTER_CHARS = 8
# What right before a dotted number makes it a version or a range, not an address: a pin or
# constraint (`pkg==2.8.19.14`, `>=1.2.0.14`), a conda pin line (`  - dill=0.3.1.1`),
# or a number joined by a dash (`1-3.1.4.2`, a measurement range).
_VERSION_BEFORE = re.compile(r"(?:[=<>!~]=|\d-)\s*\Z|^\s*-\s*[A-Za-z0-9_.\-]+=\Z")
# A plain decimal beside a dotted number (`4.48,12.4.5.6,2.79`): coordinates such as SVG path
# data, where `12.4.5.6` is the numbers 12.4, .5 and .6 written without separators.
_DECIMAL_BEFORE = re.compile(r"(?:\A|[^\d.])\d*\.\d+[,\s]\Z")
_DECIMAL_AFTER = re.compile(r"[,\s]-?\d*\.\d+(?![\d.]*\.\d)|-?\.\d")


def _version_or_coordinates(text: str, start: int, end: int) -> bool:
    """The dotted number is a version pin, a range, or one of a run of decimals."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[max(line_start, start - 60) : start]
    return (_VERSION_BEFORE.search(before) is not None or _DECIMAL_BEFORE.search(before[-12:]) is not None
            or _DECIMAL_AFTER.match(text, end) is not None)
_LABEL_NAMES = tuple(_LABELS)
_LABEL_TERMS = tuple((name, term) for name in _LABEL_NAMES for term in _terms(_LABELS[name]))
_LABEL_MATCHER = TermMatcher(tuple(term for _, term in _LABEL_TERMS))

_SENSITIVE_WORDS: dict[str, TermMatcher] = {
    "health": TermMatcher(
        _terms(
            "病历|诊断|确诊|病史|住院|患有|患者|处方|体检报告|化验|hiv|艾滋|乙肝|癌|抑郁症|精神病|孕妇|孕期|产检|"
            "怀孕|残疾|diagnos*|medical record*|patient|hospitali*|prescription*|pregnan*|"
            "disabilit*|cancer|hepatitis|mental illness|blood type|血型|病情|symptom*"
        )
    ),
    "financial": TermMatcher(
        _terms(
            "银行卡|账户余额|余额|存款|信用卡|征信|贷款|欠款|收入|工资|流水|交易记录|"
            "account balance|bank account|credit card|credit report|salary|income|loan|"
            "debt|transaction history"
        )
    ),
    "biometric": TermMatcher(
        _terms(
            "指纹|人脸|面部识别|人脸识别|虹膜|声纹|掌纹|步态|基因|dna|fingerprint*|face scan*|"
            "facial recognition|faceprint|iris scan*|voiceprint*|retina*|biometric*|genetic*"
        )
    ),
    "minor": TermMatcher(
        _terms(
            "未成年|儿童|小学生|幼儿|幼儿园|初中生|年级|监护人|minor|child|children|"
            "kindergarten|pupil|grade school|elementary school|guardian"
        )
    ),
}


def _label(norm: str, start: int, reach: int = CONTEXT_BEFORE) -> str | None:
    """The kind of the nearest label before `start` on the same line, if any."""
    window = norm[max(0, start - reach) : start]
    window = window[window.rfind("\n") + 1 :]
    best: tuple[int, str] | None = None
    for index, _, end in _LABEL_MATCHER.find(window):
        if best is None or end > best[0]:
            best = (end, _LABEL_TERMS[index][0])
    if start > 0 and norm[start - 1].isascii() and norm[start - 1].isalpha():
        return "decoy"  # glued to a word: v1.2.3.4, SN12345678, ABC13812345678
    return best[1] if best else None


class _LineIndex:
    """1-based line of an offset; the newline positions are found only if a hit needs them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] | None = None

    def line(self, offset: int) -> int:
        if self.starts is None:
            self.starts = [0] + [m.end() for m in _NEWLINE.finditer(self.text)]
        return bisect.bisect_right(self.starts, offset)


def find_pii(text: str, today: date | None = None) -> tuple[PiiHit, ...]:
    """Every identifier in `text` (masked, with its line), then the sensitive categories seen
    near an identifier. `today` decides who is a minor by ID birth date (default: now)."""
    _, spans, sensitive = _scan(text, today or date.today())
    return tuple(hit for _, _, hit in spans) + sensitive


def mask_pii(text: str, today: date | None = None) -> str:
    """`text` with every identifier replaced by its masked form, for excerpts. The text keeps
    its own characters unless NFKC changed its length (then the NFKC form is returned)."""
    return masked_hits(text, today)[0]


def masked_hits(text: str, today: date | None = None) -> tuple[str, tuple[tuple[int, int, PiiHit], ...]]:
    """`text` masked as `mask_pii` masks it, and each identifier hit with its (start, end) in
    that masked text: what a reviewer may see of a hit and its surroundings."""
    normalised, spans, _ = _scan(text, today or date.today())
    if len(normalised) == len(text):
        normalised = text
    parts: list[str] = []
    placed: list[tuple[int, int, PiiHit]] = []
    last = size = 0
    for start, end, hit in spans:
        parts.append(normalised[last:start])
        size += start - last
        parts.append(hit.masked)
        placed.append((size, size + len(hit.masked), hit))
        size += len(hit.masked)
        last = end
    parts.append(normalised[last:])
    return "".join(parts), tuple(placed)


def _scan(text: str, today: date) -> tuple[str, list[tuple[int, int, PiiHit]], tuple[PiiHit, ...]]:
    """(normalised text, identifier spans in order, sensitive-category hits)."""
    if _MAYBE_PII.search(text) is None:
        return text, [], ()  # no digit, `@` or `:`: no identifier can be present
    # NFKC maps full-width digits and letters to ASCII; the regexes run on it. Labels are
    # looked up in a case-folded copy of the same length, so offsets index both alike.
    text, norm = nfkc(text), normalize(text)
    if len(norm) != len(text):  # rare (ß, ligatures): fold character by character
        norm = "".join(ch.casefold()[:1] or ch for ch in text)
    lines = _LineIndex(text)
    spans: list[tuple[int, int, PiiHit]] = []
    minors: list[int] = []
    taken = bytearray(len(text))  # 1 where an identifier was already found

    def free(start: int, end: int) -> bool:
        return not any(taken[start:end])

    def add(m: re.Match[str], kind: str, masked: str) -> None:
        start, end = m.span()
        taken[start:end] = b"\x01" * (end - start)
        spans.append((start, end, PiiHit(kind, masked, lines.line(start))))

    for m in _ID_RE.finditer(text):
        number = m.group(1)
        if valid_cn_id(number, today) and _label(norm, m.start()) != "decoy":
            add(m, "cn_id", mask(number.upper(), 3, 2))
            born = id_birth_date(number)
            if born is not None and _age(born, today) < MINOR_AGE:
                minors.append(m.start())
    for m in _emails(text):
        # `git@github.com:org/repo` (scp-style SSH remote): a host and a path, not a mailbox.
        remote = text[m.end() : m.end() + 1] == ":" and text[m.end() + 1 : m.end() + 2].strip() != ""
        if (free(*m.span()) and not remote and not placeholder_email(m.group(1), m.group(2))
                and not role_email(m.group(1), m.group(2))):
            add(m, "email", mask_email(m.group(1), m.group(2)))
    for m in _CARD_RE.finditer(text):
        raw = m.group(1)
        digits = re.sub(r"[ -]", "", raw)
        if not (13 <= len(digits) <= 19) or not free(*m.span()):
            continue
        label = _label(norm, m.start())
        if not (luhn_ok(digits) and card_prefix_ok(digits)) or label == "decoy" or _in_a_number(text, *m.span()):
            continue
        if label != "card" and (_in_a_name(text, *m.span()) or _in_a_token(text, *m.span())):
            continue
        if label != "card" and (_arithmetic(text, *m.span()) or _repetitive(digits) or _round(digits)):
            continue
        formatted = raw != digits
        strong_prefix = digits[0] in "456" or digits[:2] in ("34", "37")
        if label == "card" or formatted or strong_prefix:
            add(m, "bank_card", mask(digits, 4, 4))
    for m in _MOBILE_RE.finditer(text):
        if not free(*m.span()) or _in_a_number(text, *m.span()):
            continue
        label = _label(norm, m.start())
        number = "".join(m.groups())
        if number in SERVICE_NUMBERS or (label != "phone" and _in_a_name(text, *m.span())):
            continue
        if label == "decoy" or (label != "phone" and (_arithmetic(text, *m.span()) or _repetitive(number))):
            continue
        add(m, "mobile", mask(number, 3, 4))
    passports = _PASSPORT_RE.finditer(text) if ("护照" in norm or "passport" in norm) else iter(())
    for m in passports:
        if free(*m.span()) and _label(norm, m.start(), 30) == "passport":
            add(m, "passport", mask(m.group(1), 1, 2))
    for m in _IPV4_RE.finditer(text) if "." in text else ():
        if not (free(*m.span()) and is_ip(m.group(1))):
            continue
        label = _label(norm, m.start(), 12)
        # "3.1.2.4": every part one digit is a section or version number, or a toy or well-known
        # service address (1.1.1.1, 8.8.8.8, 1.2.3.4); those ranges hold no one's home line.
        if label == "decoy" or all(len(part) == 1 for part in m.group(1).split(".")):
            continue
        if label != "ip" and (_version_or_coordinates(text, *m.span()) or _glued(text, *m.span())
                              or _resolved_host(text, m.start())):
            continue
        after = norm[m.end() : m.end() + VERSION_AFTER_CHARS]
        if not any(True for _ in _VERSION_AFTER.find(after.split("\n", 1)[0])):
            add(m, "ip", mask_ip(m.group(1)))
    for m in _IPV6_RE.finditer(text) if text.count(":") >= 2 else ():
        if free(*m.span()) and is_ip(m.group(1)) and sum(c.isdigit() for c in m.group(1)) >= 2:
            add(m, "ip", mask_ip(m.group(1)))
    spans.sort(key=lambda s: s[0])
    hits = [(start, hit) for start, _, hit in spans]
    return text, spans, _sensitive(norm, minors, hits, lines)


def _emails(text: str) -> list[re.Match[str]]:
    """Email matches, searched only around each `@` (scanning every letter is slow)."""
    found: list[re.Match[str]] = []
    end = 0
    at = text.find("@")
    while at != -1:
        start = max(end, at - EMAIL_BEFORE)
        m = _EMAIL_RE.search(text, start, min(len(text), at + EMAIL_AFTER))
        if m is not None and m.start() <= at < m.end():
            found.append(m)
            end = m.end()
        at = text.find("@", max(at + 1, end))
    return found


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _sensitive(
    norm: str, minors: list[int], hits: list[tuple[int, PiiHit]], lines: _LineIndex
) -> tuple[PiiHit, ...]:
    """One hit per (category, identifier window): sensitive information about an identified person."""
    found: dict[str, int] = {}
    for offset, hit in hits:
        if hit.type == "bank_card":
            found.setdefault("financial", offset)
    for offset in minors:
        found.setdefault("minor", offset)
    for offset, _ in hits:
        start, end = max(0, offset - SENSITIVE_WINDOW), offset + SENSITIVE_WINDOW
        window = norm[start:end]
        for category, matcher in _SENSITIVE_WORDS.items():
            if category not in found and any(True for _ in matcher.find(window)):
                found[category] = offset
        if "minor" not in found:
            for age in _AGE_RE.finditer(window):
                if int(age.group(1)) < MINOR_AGE:
                    found["minor"] = offset
                    break
    return tuple(
        PiiHit(f"sensitive:{c}", f"[{c}]", lines.line(found[c])) for c in SENSITIVE_TYPES if c in found
    )


def count_types(hits: tuple[PiiHit, ...]) -> dict[str, int]:
    return dict(Counter(h.type for h in hits))
