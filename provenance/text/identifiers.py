"""Rules that tell a real identifier from a look-alike: check digits, dates, issuer prefixes,
address ranges; and how each kind of identifier is masked."""

from __future__ import annotations

import ipaddress
import re
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# First two digits of mainland resident ID numbers (provinces, plus 71/81/82/83 for
# Taiwan, Hong Kong, Macao residents' permits issued on the same scheme).
_ID_PROVINCES = frozenset(str(n) for n in (
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53,
    54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
))


def id_checksum_ok(number: str) -> bool:
    """GB 11643: the 18th character is the ISO 7064 mod 11-2 check of the first 17 digits."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def id_birth_date(number: str) -> date | None:
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    return born if born.year >= 1900 else None


def valid_cn_id(number: str, today: date) -> bool:
    born = id_birth_date(number)
    return (
        number[:2] in _ID_PROVINCES
        and born is not None
        and born <= today
        and id_checksum_ok(number)
    )


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_prefix_ok(digits: str) -> bool:
    """Issuer prefixes of card schemes seen in China and abroad (UnionPay, Visa, Mastercard,
    Amex, JCB, Discover, and the domestic 9-prefixed debit cards)."""
    n = len(digits)
    if digits.startswith("62") or digits.startswith("81"):
        return 16 <= n <= 19
    if digits.startswith("4"):
        return n in (13, 16, 19)
    if digits[:2] in ("51", "52", "53", "54", "55") or 2221 <= int(digits[:4]) <= 2720:
        return n == 16
    if digits[:2] in ("34", "37"):
        return n == 15
    if 3528 <= int(digits[:4]) <= 3589:
        return n == 16
    if digits.startswith("6011") or digits.startswith("65"):
        return n == 16
    if digits.startswith("9"):
        return n == 19
    return False


def mask(value: str, keep_start: int, keep_end: int) -> str:
    """Keep a few characters at each end; never fewer than four `*` in the middle."""
    hidden = max(4, len(value) - keep_start - keep_end)
    end = value[len(value) - keep_end :] if keep_end else ""
    return value[:keep_start] + "*" * hidden + end


def mask_email(local: str, domain: str) -> str:
    return f"{local[:1]}***@{domain}"


def mask_ip(text: str) -> str:
    if ":" in text:
        return text.split(":", 1)[0] + ":****"
    a, b, _, _ = text.split(".")
    return f"{a}.{b}.*.*"


def is_ip(value: str) -> bool:
    """An address that can point at someone: well formed and globally routable.

    Not personal, whatever the text around them says: loopback, multicast, reserved,
    link-local, documentation (RFC 5737, RFC 3849), private (RFC 1918, IPv6 ULA), shared/CGNAT
    (RFC 6598) and benchmarking ranges. A private address is reused inside millions of
    networks (every home router is 192.168.1.1 or 10.0.0.1); outside its own network it
    identifies nobody, and in a corpus it is almost always a tutorial or a config example.
    """
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv4Address) and any(
        len(part) > 1 and part.startswith("0") for part in value.split(".")
    ):
        return False  # leading zeros: a section or version number, not an address
    if any(address in net for net in _DOCUMENTATION):
        return False  # addresses set aside for examples in documentation (RFC 5737, RFC 3849)
    return address.is_global and not (address.is_multicast or address.is_reserved)


_DOCUMENTATION = tuple(ipaddress.ip_network(n) for n in (
    "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"))

#: Top-level domains reserved for tests, examples and local names (RFC 2606, RFC 6761): no
#: mailbox anywhere.
RESERVED_TLDS = frozenset({"test", "example", "invalid", "localhost", "local"})
#: Second-level labels under which country domains register names ("example.co.uk", "a.com.cn").
_SECOND_LEVEL = frozenset({"com", "net", "org", "edu", "gov", "co", "ac", "or", "ne", "go", "mil", "ltd", "plc"})
#: Registered names that, in text, stand for "some domain": the RFC 2606 "example" (also written
#: example.cn, example.co.uk) and names that say placeholder. email.com is a real provider, but in
#: the real repositories measured every one of 113 addresses there was an invented name.
PLACEHOLDER_NAMES = frozenset({
    "example", "email", "domain", "yourdomain", "mydomain", "somedomain", "company", "companyname",
    "yourcompany", "mycompany", "somecompany", "website", "yourwebsite", "yoursite", "mysite",
    "youremail", "myemail", "sample", "test", "xx", "xxx", "xxxx",
})
#: Local parts that stand for "your address here".
PLACEHOLDER_LOCALS = frozenset({
    "yourname", "your.name", "your_name", "username", "user.name", "someone", "somebody",
    "youremail", "your.email", "your_email", "name", "email", "example", "sample",
})


#: Mailboxes of a function, not of a person: RFC 2142's role names and the ones organisations and
#: services use the same way (support@, contact@ of a company; actions@github.com in a workflow).
ROLE_LOCALS = frozenset({
    "info", "marketing", "sales", "support", "abuse", "noc", "security", "postmaster", "hostmaster",
    "usenet", "news", "webmaster", "www", "uucp", "ftp", "contact", "hello", "help", "helpdesk", "admin",
    "administrator", "team", "press", "media", "privacy", "billing", "careers", "jobs", "hr", "legal",
    "office", "enquiries", "inquiries", "feedback", "service", "services", "customerservice", "customercare",
    "actions", "notifications", "mailer-daemon", "bot", "bounce", "bounces", "dmca", "copyright",
    "letters", "editor", "editors", "newsroom", "tips", "newstips", "alerts", "alert", "recruit",
    "recruiting", "recruitment", "desk", "customer",
})
_LOCAL_PARTS = re.compile(r"[._+-]")


def role_email(local: str, domain: str) -> bool:
    """A mailbox of a function (support@netflix.com, noreply@, a GitHub noreply address), not of a
    natural person: no personal information under PIPL's or the GDPR's definition."""
    lower = local.lower()
    words = [w for w in _LOCAL_PARTS.split(lower) if w]
    return ((bool(words) and all(w in ROLE_LOCALS for w in words))  # support@, service.team@, hr-recruit@
            or lower.replace("_", "-").startswith(("noreply", "no-reply", "donotreply", "do-not-reply"))
            or domain.lower().endswith("users.noreply.github.com"))


def registered_name(domain: str) -> str:
    """The label a domain is registered under: "example" for mail.example.co.uk and example.org."""
    labels = domain.lower().rstrip(".").split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]


def placeholder_email(local: str, domain: str) -> bool:
    """An address nobody owns or nobody meant: a reserved or placeholder domain, a one-letter
    domain name (a@b.io, x@d.co in exercises), a placeholder local part (xxx@, yourname@), or
    `git@`, the SSH user of every git host (git@github.com is a remote, not a person)."""
    lower = local.lower()
    if domain.lower().rstrip(".").rsplit(".", 1)[-1] in RESERVED_TLDS:
        return True
    name = registered_name(domain)
    if name in PLACEHOLDER_NAMES or len(name) == 1:
        return True
    return lower == "git" or lower in PLACEHOLDER_LOCALS or set(lower) == {"x"}
