"""Rights metadata of one image: EXIF, IPTC IIM, XMP (dc, xmpRights, cc, PLUS, TDMRep) and C2PA."""

from __future__ import annotations

import io
import json
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from defusedxml import ElementTree
from PIL import Image, ImageFile, IptcImagePlugin

MAX_VALUE = 200  # facts hold short strings only

_EXIF_ARTIST = 0x013B
_EXIF_COPYRIGHT = 0x8298
_IPTC = {(2, 116): "copyright_notice", (2, 110): "credit", (2, 80): "byline"}

NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_XMP_RIGHTS = "http://ns.adobe.com/xap/1.0/rights/"
NS_CC = "http://creativecommons.org/ns#"
NS_PLUS = "http://ns.useplus.org/ldf/xmp/1.0/"
NS_PHOTOSHOP = "http://ns.adobe.com/photoshop/1.0/"

# (namespace, local name) -> our key. TDMRep is matched by namespace substring below.
_XMP_PROPS = {
    (NS_DC, "rights"): "dc_rights",
    (NS_DC, "creator"): "dc_creator",
    (NS_XMP_RIGHTS, "Marked"): "marked",
    (NS_XMP_RIGHTS, "UsageTerms"): "usage_terms",
    (NS_XMP_RIGHTS, "WebStatement"): "web_statement",
    (NS_CC, "license"): "cc_license",
    (NS_PLUS, "DataMining"): "data_mining",
    (NS_PHOTOSHOP, "Credit"): "xmp_credit",
}
_TDM_KEYS = {"reservation": "tdm_reservation", "tdm-reservation": "tdm_reservation",
             "policy": "tdm_policy", "tdm-policy": "tdm_policy"}

_XMP_MARKS = ((b"<x:xmpmeta", b"</x:xmpmeta>"), (b"<rdf:RDF", b"</rdf:RDF>"))
# Pillow exposes the XMP of these formats itself; the byte search is for the others (GIF...).
_PILLOW_XMP_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "TIFF"})

_VERSION_SUFFIX = re.compile(r"\.v\d+$")
#: C2PA assertion labels that carry training and mining permissions.
C2PA_TDM_LABELS = ("c2pa.training-mining", "cawg.training-mining")


@dataclass(frozen=True)
class Rights:
    """Rights statements read from one image; each value short, None when absent."""

    copyright: str | None = None
    #: Where `copyright` came from: exif, iptc or xmp.
    copyright_source: str | None = None
    artist: str | None = None
    credit: str | None = None
    usage_terms: str | None = None
    web_statement: str | None = None
    cc_license: str | None = None
    #: xmpRights:Marked: True rights-managed, False public domain, None not said.
    marked: bool | None = None
    data_mining: str | None = None
    tdm_reservation: str | None = None
    tdm_policy: str | None = None
    #: C2PA training/mining entries that are notAllowed, as "label:entry".
    c2pa_not_allowed: tuple[str, ...] = ()
    #: Notes about what could not be read (bad XMP, C2PA extra missing).
    notes: tuple[str, ...] = field(default=())

    def as_facts(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            if value is None or value == ():
                continue
            out[key] = list(value) if isinstance(value, tuple) else value
        return out

    @property
    def opt_out_reasons(self) -> tuple[str, ...]:
        """Explicit prohibitions of mining or AI training."""
        reasons = []
        if self.data_mining and "DMI-PROHIBITED" in self.data_mining.upper():
            reasons.append(f"IPTC PLUS DataMining {self.data_mining.rsplit('/', 1)[-1]}")
        if self.tdm_reservation is not None and self.tdm_reservation.strip() == "1":
            reasons.append("TDMRep tdm-reservation=1")
        reasons.extend(f"C2PA {entry} notAllowed" for entry in self.c2pa_not_allowed)
        return tuple(reasons)


def _short(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = " ".join(str(value).replace("\x00", " ").split())
    if not text:
        return None
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def read_exif(img: Image.Image) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            exif = img.getexif()
    except Exception:  # malformed EXIF must not stop the scan; pixels may still be fine
        return out
    for tag, key in ((_EXIF_COPYRIGHT, "copyright"), (_EXIF_ARTIST, "artist")):
        value = _short(exif.get(tag))
        if value:
            out[key] = value
    return out


def read_iptc(img: Image.Image) -> dict[str, str]:
    out: dict[str, str] = {}
    if not isinstance(img, ImageFile.ImageFile):
        return out
    try:
        info = IptcImagePlugin.getiptcinfo(img)
    except Exception:  # Pillow raises assorted errors on broken APP13 blocks
        return out
    if not info:
        return out
    for tag, key in _IPTC.items():
        raw = info.get(tag)
        if raw is None:
            continue
        values = raw if isinstance(raw, list) else [raw]
        value = _short("; ".join(v.decode("utf-8", errors="replace") for v in values))
        if value:
            out[key] = value
    return out


def raw_xmp(img: Image.Image, head: bytes = b"") -> bytes | None:
    """XMP packet from Pillow's info (JPEG, WebP, PNG iTXt, TIFF tag 700), else found in `head`."""
    for key in ("xmp", "XML:com.adobe.xmp"):
        value = img.info.get(key)
        if value:
            return value.encode("utf-8") if isinstance(value, str) else bytes(value)
    tags = getattr(img, "tag_v2", None)
    if tags is not None:
        value = tags.get(700)
        if value:
            return value.encode("utf-8") if isinstance(value, str) else bytes(value)
    if img.format in _PILLOW_XMP_FORMATS:
        return None
    for start_mark, end_mark in _XMP_MARKS:
        start = head.find(start_mark)
        if start >= 0:
            end = head.find(end_mark, start)
            if end >= 0:
                return head[start : end + len(end_mark)]
    return None


def _element_value(el: Any) -> str | None:
    resource = el.get(f"{{{NS_RDF}}}resource")
    if resource:
        return str(resource)
    items = [li.text.strip() for li in el.iter(f"{{{NS_RDF}}}li") if li.text and li.text.strip()]
    if items:
        # rdf:Alt holds one text per language; the first (x-default by convention) is enough.
        return items[0] if any(c.tag == f"{{{NS_RDF}}}Alt" for c in el) else "; ".join(items)
    return el.text.strip() if el.text and el.text.strip() else None


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _key(ns: str, local: str) -> str | None:
    key = _XMP_PROPS.get((ns, local))
    if key is None and "tdmrep" in ns:
        key = _TDM_KEYS.get(local)
    return key


def parse_xmp(packet: bytes) -> dict[str, str]:
    """The rights properties of an XMP packet, whether written as elements or attributes."""
    text = packet.strip(b"\x00 \t\r\n")
    root = ElementTree.fromstring(text)
    out: dict[str, str] = {}
    for el in root.iter():
        for name, value in el.attrib.items():
            key = _key(*_split(name))
            if key and key not in out and _short(value):
                out[key] = _short(value)  # type: ignore[assignment]
        if not isinstance(el.tag, str):
            continue
        key = _key(*_split(el.tag))
        if key and key not in out:
            value = _short(_element_value(el))
            if value:
                out[key] = value
    return out


def c2pa_not_allowed(manifest_store: Mapping[str, Any]) -> tuple[str, ...]:
    """'label:entry' for every training/mining entry marked notAllowed in a C2PA manifest store
    (the JSON of c2pa-python's Reader). Ingredient manifests count too: a prohibition on a
    work an image was made from is kept."""
    found: list[str] = []
    manifests = manifest_store.get("manifests") or {}
    for manifest in manifests.values() if isinstance(manifests, Mapping) else ():
        assertions = manifest.get("assertions") if isinstance(manifest, Mapping) else None
        for assertion in assertions if isinstance(assertions, list) else ():
            if not isinstance(assertion, Mapping):
                continue
            label = str(assertion.get("label", ""))
            base = _VERSION_SUFFIX.sub("", label)
            if base not in C2PA_TDM_LABELS:
                continue
            data = assertion.get("data")
            entries = data.get("entries") if isinstance(data, Mapping) else None
            for entry, spec in entries.items() if isinstance(entries, Mapping) else ():
                use = spec.get("use") if isinstance(spec, Mapping) else None
                if use == "notAllowed":
                    found.append(f"{base}:{entry}")
    return tuple(dict.fromkeys(found))


def read_c2pa(source: str | bytes, mime: str) -> tuple[tuple[str, ...], str | None]:
    """(notAllowed entries, note). Needs the c2pa extra; without it the note says so."""
    try:
        import c2pa  # optional extra (c2pa)
    except ImportError:
        return (), "C2PA manifest present but not checked: pip install 'provenance[c2pa]'"
    try:
        if isinstance(source, bytes):
            with c2pa.Reader(mime, io.BytesIO(source)) as reader:
                store = json.loads(reader.json())
        else:
            with c2pa.Reader(source) as reader:
                store = json.loads(reader.json())
    except Exception as exc:  # c2pa raises its own error types for unsigned/broken stores
        return (), _short(f"C2PA manifest unreadable: {exc}")
    return c2pa_not_allowed(store), None


def has_c2pa(head: bytes) -> bool:
    """Cheap test for an embedded C2PA manifest store (JUMBF box labelled c2pa)."""
    # The manifest store is a JUMBF superbox whose description box is labelled "c2pa".
    at = head.find(b"jumb")
    return at >= 0 and head.find(b"c2pa", at, at + 256) >= 0


def read_rights(img: Image.Image, head: bytes = b"", c2pa_source: str | bytes | None = None) -> Rights:
    """All rights metadata of an opened image. `head` is the start of the file (for XMP the
    decoder does not expose and for the C2PA test); `c2pa_source` a path or the whole bytes."""
    exif = read_exif(img)
    iptc = read_iptc(img)
    notes: list[str] = []
    xmp: dict[str, str] = {}
    packet = raw_xmp(img, head)
    if packet:
        try:
            xmp = parse_xmp(packet)
        except Exception as exc:  # broken or hostile XML: note it, keep the rest
            notes.append(_short(f"XMP unreadable: {exc}") or "XMP unreadable")
    copyright, source = None, None
    for value, where in ((exif.get("copyright"), "exif"), (iptc.get("copyright_notice"), "iptc"),
                         (xmp.get("dc_rights"), "xmp")):
        if value:
            copyright, source = value, where
            break
    marked_raw = xmp.get("marked")
    marked = None if marked_raw is None else marked_raw.strip().lower() in ("true", "1")
    not_allowed: tuple[str, ...] = ()
    if c2pa_source is not None and has_c2pa(head):
        mime = Image.MIME.get(img.format or "", "image/jpeg")
        not_allowed, note = read_c2pa(c2pa_source, mime)
        if note:
            notes.append(note)
    return Rights(
        copyright=copyright,
        copyright_source=source,
        artist=_first(exif.get("artist"), iptc.get("byline"), xmp.get("dc_creator")),
        credit=_first(iptc.get("credit"), xmp.get("xmp_credit")),
        usage_terms=xmp.get("usage_terms"),
        web_statement=xmp.get("web_statement"),
        cc_license=xmp.get("cc_license"),
        marked=marked,
        data_mining=xmp.get("data_mining"),
        tdm_reservation=xmp.get("tdm_reservation"),
        tdm_policy=xmp.get("tdm_policy"),
        c2pa_not_allowed=not_allowed,
        notes=tuple(notes),
    )


def _first(*values: str | None) -> str | None:
    return next((v for v in values if v), None)


def license_candidates(rights: Rights) -> Iterable[tuple[str, str]]:
    """(field name, text) pairs that may name a license, most specific first."""
    # The notice itself last: "(c) 2024 Jane Roe, CC BY 4.0" is a license, not a reservation.
    for name in ("cc_license", "usage_terms", "web_statement", "copyright"):
        value = getattr(rights, name)
        if value:
            yield name, value
