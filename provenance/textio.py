"""Turning bytes into text without trusting them."""

from __future__ import annotations

import codecs
import re

# Share of control characters (other than whitespace) above which "text" is really binary.
_MAX_CONTROL_SHARE = 0.02
# C0 controls other than tab, newline, vertical tab, form feed, carriage return and escape.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def decode_text(data: bytes, complete: bool = True) -> tuple[str | None, str | None]:
    """Decode `data` as text: (text, None), or (None, reason) when it is not text.

    UTF-8 (with or without BOM) and UTF-16 with BOM are accepted; GB18030 is tried for
    legacy Chinese files. When `complete` is false the data is a prefix, so a multi-byte
    character cut at the end is not an error.
    """
    text, _codec, reason = _decode(data, complete)
    return _check(text) if text is not None else (None, reason)


def sniff_encoding(data: bytes, complete: bool = True) -> str | None:
    """The codec `decode_text` would read `data` (a file's first bytes) with: "utf-16",
    "utf-8-sig" (UTF-8 with or without BOM) or "gb18030"; None when it is none of them (binary,
    or UTF-8 with bytes that are not UTF-8 and no GB18030 reading either)."""
    return _decode(data, complete)[1]


def _decode(data: bytes, complete: bool) -> tuple[str | None, str | None, str | None]:
    """(text, codec, None) or (None, None, reason)."""
    if not data:
        return "", "utf-8-sig", None
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return codecs.decode(_trim(data, 2) if not complete else data, "utf-16"), "utf-16", None
        except UnicodeDecodeError as exc:
            return None, None, f"invalid UTF-16 at byte {exc.start}"
    if b"\x00" in data:
        return None, None, "binary content (NUL bytes) in a text file"
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    try:
        return decoder.decode(body, final=complete), "utf-8-sig", None
    except UnicodeDecodeError as exc:
        utf8_error = f"invalid UTF-8 at byte {exc.start}"
    gb = codecs.getincrementaldecoder("gb18030")(errors="strict")
    try:
        text = gb.decode(body, final=complete)
    except UnicodeDecodeError:
        return None, None, utf8_error
    # GB18030 decodes many random byte strings; require mostly CJK or ASCII to believe it.
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f")
    ascii_ = sum(1 for ch in text if ch < "\x80")
    if text and (cjk + ascii_) / len(text) > 0.9 and cjk > 0:
        return text, "gb18030", None
    return None, None, utf8_error


def _trim(data: bytes, unit: int) -> bytes:
    return data[: len(data) - len(data) % unit]


def _check(text: str) -> tuple[str | None, str | None]:
    if not text:
        return text, None
    sample = text[:65536]
    controls = len(_CONTROLS.findall(sample))
    if controls / len(sample) > _MAX_CONTROL_SHARE:
        return None, "binary content (control characters) in a text file"
    return text, None


def clean_text(text: str) -> str:
    """Text safe to write as UTF-8: lone surrogates (valid in JSON escapes, not in UTF-8) become
    visible escapes instead of failing a whole output file."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
