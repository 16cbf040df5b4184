"""A real C2PA-signed JPEG (test CA made on the fly) read through c2pa-python."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pytest

from provenance.detectors.images import ImageDetector
from provenance.detectors.interface import AssetContent
from provenance.model import Asset, AssetKind
from tests.imgfixtures import encode, make_photo

c2pa = pytest.importorskip("c2pa")
pytest.importorskip("cryptography")


def _signer() -> object:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "provenance tests")])

    def usage(sign: bool) -> x509.KeyUsage:
        return x509.KeyUsage(digital_signature=sign, content_commitment=False, key_encipherment=False,
                             data_encipherment=False, key_agreement=False, key_cert_sign=not sign,
                             crl_sign=not sign, encipher_only=False, decipher_only=False)

    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = now - datetime.timedelta(days=1), now + datetime.timedelta(days=7)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("Test CA")).issuer_name(name("Test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(usage(False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(name("Test Signer")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage(True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    chain = leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", chain, key_pem, None))


def signed_jpeg(entries: dict[str, dict[str, str]]) -> bytes:
    manifest = {
        "claim_generator_info": [{"name": "provenance-tests", "version": "1"}],
        "assertions": [
            {"label": "c2pa.actions", "data": {"actions": [{
                "action": "c2pa.created",
                "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}},
            {"label": "c2pa.training-mining", "data": {"entries": entries}},
        ],
    }
    out = io.BytesIO()
    with c2pa.Builder(json.dumps(manifest)) as builder:
        builder.sign(_signer(), "image/jpeg", io.BytesIO(encode(make_photo(9), "JPEG")), out)
    return out.getvalue()


def _content(path: Path, data: bytes, on_disk: bool) -> AssetContent:
    asset = Asset(path.name, AssetKind.IMAGE, len(data), "test")
    return AssetContent(asset, data, True, lambda: io.BytesIO(data), path if on_disk else None)


def test_c2pa_not_allowed_training_is_an_opt_out(tmp_path: Path) -> None:
    data = signed_jpeg({"c2pa.ai_training": {"use": "notAllowed"},
                        "c2pa.ai_inference": {"use": "allowed"}})
    path = tmp_path / "signed.jpg"
    path.write_bytes(data)
    for on_disk in (True, False):
        out = ImageDetector(None).detect(_content(path, data, on_disk))
        assert out.errors == ()
        (finding,) = out.findings
        assert finding.rule == "tdm-opt-out"
        assert "C2PA c2pa.training-mining:c2pa.ai_training notAllowed" in finding.message
        assert "ai_inference" not in finding.message


def test_c2pa_allowed_everything_is_not_an_opt_out(tmp_path: Path) -> None:
    data = signed_jpeg({"c2pa.ai_training": {"use": "allowed"}, "c2pa.data_mining": {"use": "allowed"}})
    path = tmp_path / "ok.jpg"
    path.write_bytes(data)
    out = ImageDetector(None).detect(_content(path, data, True))
    assert out.findings == () and out.errors == ()
