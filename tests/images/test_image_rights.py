"""Rights metadata written with Pillow (and a hand-built APP13) is read back."""

from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin

from provenance.images.licenses import license_from_text
from provenance.images.rights import c2pa_not_allowed, read_rights
from tests.imgfixtures import encode, iptc_app13, make_photo, with_segment, xmp_packet


def rights_of(data: bytes):
    img = Image.open(io.BytesIO(data))
    return read_rights(img, data[:262144], data)


def test_exif_copyright_and_artist() -> None:
    exif = Image.Exif()
    exif[0x8298] = "(c) 2024 Jane Roe. All rights reserved."
    exif[0x013B] = "Jane Roe"
    r = rights_of(encode(make_photo(1), "JPEG", exif=exif.tobytes()))
    assert r.copyright == "(c) 2024 Jane Roe. All rights reserved."
    assert r.copyright_source == "exif"
    assert r.artist == "Jane Roe"
    assert r.opt_out_reasons == ()


def test_iptc_copyright_credit_byline_from_app13() -> None:
    seg = iptc_app13({(2, 116): "© Agence X".encode(), (2, 110): b"Agence X / Photographer",
                      (2, 80): b"John Doe"})
    r = rights_of(with_segment(encode(make_photo(2), "JPEG"), seg))
    assert r.copyright == "© Agence X"
    assert r.copyright_source == "iptc"
    assert r.credit == "Agence X / Photographer"
    assert r.artist == "John Doe"


XMP_RIGHTS = """
<rdf:Description rdf:about=""
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"
  xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"
  xmlns:cc="http://creativecommons.org/ns#"
  xmpRights:Marked="True"
  xmpRights:WebStatement="https://creativecommons.org/licenses/by-nc-sa/4.0/">
 <dc:rights><rdf:Alt><rdf:li xml:lang="x-default">Copyright 2023 Studio Nord</rdf:li></rdf:Alt></dc:rights>
 <xmpRights:UsageTerms><rdf:Alt>
  <rdf:li xml:lang="x-default">Licensed under CC BY-NC-SA 4.0</rdf:li>
 </rdf:Alt></xmpRights:UsageTerms>
 <plus:DataMining rdf:resource="http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING"/>
</rdf:Description>
"""


def test_xmp_rights_in_jpeg() -> None:
    r = rights_of(encode(make_photo(3), "JPEG", xmp=xmp_packet(XMP_RIGHTS)))
    assert r.copyright == "Copyright 2023 Studio Nord"
    assert r.copyright_source == "xmp"
    assert r.marked is True
    assert r.usage_terms == "Licensed under CC BY-NC-SA 4.0"
    assert r.web_statement == "https://creativecommons.org/licenses/by-nc-sa/4.0/"
    assert r.data_mining == "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING"
    assert r.opt_out_reasons == ("IPTC PLUS DataMining DMI-PROHIBITED-AIMLTRAINING",)


def test_xmp_in_png_itxt_and_webp_with_tdmrep() -> None:
    body = ('<rdf:Description rdf:about="" xmlns:tdm="http://www.w3.org/ns/tdmrep#" '
            'tdm:reservation="1" tdm:policy="https://example.com/tdm-policy.json"/>')
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp_packet(body).decode())
    for data in (encode(make_photo(4), "PNG", pnginfo=info),
                 encode(make_photo(4), "WEBP", xmp=xmp_packet(body))):
        r = rights_of(data)
        assert r.tdm_reservation == "1"
        assert r.tdm_policy == "https://example.com/tdm-policy.json"
        assert r.opt_out_reasons == ("TDMRep tdm-reservation=1",)


def test_xmp_in_tiff_tag_and_cc_license() -> None:
    body = ('<rdf:Description rdf:about="" xmlns:cc="http://creativecommons.org/ns#">'
            '<cc:license rdf:resource="http://creativecommons.org/licenses/by/4.0/"/></rdf:Description>')
    r = rights_of(encode(make_photo(5), "TIFF", tiffinfo={700: xmp_packet(body)}))
    assert r.cc_license == "http://creativecommons.org/licenses/by/4.0/"


def test_allowed_data_mining_is_not_an_opt_out() -> None:
    body = ('<rdf:Description rdf:about="" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" '
            'plus:DataMining="http://ns.useplus.org/ldf/vocab/DMI-ALLOWED"/>')
    r = rights_of(encode(make_photo(6), "JPEG", xmp=xmp_packet(body)))
    assert r.data_mining.endswith("DMI-ALLOWED")
    assert r.opt_out_reasons == ()


def test_broken_xmp_is_a_note_not_a_crash() -> None:
    r = rights_of(encode(make_photo(7), "JPEG", xmp=b"<x:xmpmeta><rdf:RDF><unclosed></x:xmpmeta>"))
    assert r.copyright is None
    assert any("XMP unreadable" in n for n in r.notes)


def test_hostile_xml_entities_are_refused() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b'<x:xmpmeta xmlns:x="adobe:ns:meta/">&b;</x:xmpmeta>')
    r = rights_of(encode(make_photo(8), "JPEG", xmp=bomb))
    assert any("XMP unreadable" in n for n in r.notes)


def test_c2pa_training_mining_assertions() -> None:
    store = {
        "active_manifest": "urn:m1",
        "manifests": {
            "urn:m1": {"assertions": [
                {"label": "c2pa.actions", "data": {"actions": []}},
                {"label": "c2pa.training-mining", "data": {"entries": {
                    "c2pa.ai_generative_training": {"use": "notAllowed"},
                    "c2pa.ai_inference": {"use": "allowed"},
                    "c2pa.data_mining": {"use": "constrained", "constraint_info": "ask"}}}},
                {"label": "cawg.training-mining", "data": {"entries": {
                    "cawg.ai_training": {"use": "notAllowed"}}}},
            ]},
        },
    }
    assert c2pa_not_allowed(store) == ("c2pa.training-mining:c2pa.ai_generative_training",
                                       "cawg.training-mining:cawg.ai_training")
    assert c2pa_not_allowed({"manifests": {}}) == ()


@pytest.mark.parametrize(("text", "spdx"), [
    ("https://creativecommons.org/licenses/by/4.0/", "CC-BY-4.0"),
    ("http://creativecommons.org/licenses/by-nc-sa/4.0/deed.en", "CC-BY-NC-SA-4.0"),
    ("https://creativecommons.org/licenses/by-sa/3.0/de/", "CC-BY-SA-3.0-DE"),
    ("https://creativecommons.org/licenses/by-nd/2.0/fr/", "CC-BY-ND-2.0"),
    ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
    ("Licensed under CC BY-SA 4.0", "CC-BY-SA-4.0"),
    ("This image is CC0", "CC0-1.0"),
])
def test_license_names(text: str, spdx: str) -> None:
    hit = license_from_text(text)
    assert hit is not None and hit[0] == spdx


def test_no_license_in_plain_terms() -> None:
    assert license_from_text("All rights reserved. Contact sales@example.com") is None
    assert license_from_text("https://example.com/licensing") is None


def test_c2pa_store_of_unexpected_shape_is_ignored() -> None:
    entries = {"entries": {"c2pa.data_mining": {"use": "notAllowed"}}}
    assertions = ["x", {"label": "c2pa.training-mining.v2", "data": []},
                  {"label": "c2pa.training-mining.v2", "data": entries}]
    odd = {"manifests": {"m": {"assertions": assertions}, "n": "not a manifest"}}
    assert c2pa_not_allowed(odd) == ("c2pa.training-mining:c2pa.data_mining",)
