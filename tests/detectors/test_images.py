"""ImageDetector on real files: known works found in edited copies, rights become findings."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageEnhance, ImageOps

from provenance.detectors.images import ImageDetector
from provenance.detectors.interface import AssetContent, DetectorOutput
from provenance.errors import RegistryError
from provenance.model import Asset, AssetKind, EvidenceKind, Level, Severity
from provenance.registry.build import build_registry
from tests.imgfixtures import bomb_png, encode, iptc_app13, make_photo, with_segment, xmp_packet


def content_of(path: Path, on_disk: bool = True) -> AssetContent:
    data = path.read_bytes()
    asset = Asset(path=path.name, kind=AssetKind.IMAGE, size=len(data), source="test")
    return AssetContent(asset, data[:65536], len(data) <= 65536, lambda: io.BytesIO(data),
                        local_path=path if on_disk else None)


@pytest.fixture
def registry_path(works_dir: Path, tmp_path: Path) -> Path:
    meta = tmp_path / "works.csv"
    meta.write_text("file,title,owner\na.png,Red Square,Studio Nord\nc.png,Blue Hour,Agence X\n")
    out = tmp_path / "reg.parquet"
    build_registry(out, works_dir, metadata=meta, variants=("crop-c", "crop-tl", "crop-br"))
    return out


def edits(img: Image.Image) -> dict[str, Image.Image]:
    marked = img.copy()
    ImageDraw.Draw(marked).text((10, 10), "(c) stock", fill=(255, 255, 255))
    w, h = img.size
    return {
        "half": img.resize((w // 2, h // 2)),
        "bright": ImageEnhance.Brightness(img).enhance(1.3),
        "contrast": ImageEnhance.Contrast(img).enhance(0.7),
        "watermark": marked,
        "mirror": ImageOps.mirror(img),
        "aspect": img.resize((w, int(h * 0.8))),
        "crop": img.crop((0, 0, int(w * 0.9), int(h * 0.9))),
    }


def test_edited_copies_are_found_with_owner_and_transformation(registry_path: Path, works_dir: Path,
                                                               tmp_path: Path) -> None:
    det = ImageDetector(str(registry_path))
    original = Image.open(works_dir / "a.png").convert("RGB")
    for name, img in edits(original).items():
        path = tmp_path / f"copy-{name}.jpg"
        path.write_bytes(encode(img, "JPEG", quality=30))
        out = det.detect(content_of(path))
        assert out.errors == ()
        known = [f for f in out.findings if f.rule == "known-work"]
        assert len(known) == 1, (name, out.findings)
        assert known[0].severity is Severity.ERROR
        assert "'Red Square'" in known[0].message and "owner Studio Nord" in known[0].message
        assert "pHash distance" in known[0].message
        if name == "mirror":
            assert "mirrored" in known[0].message
        if name == "half":
            assert "resized (320x240 -> 160x120)" in known[0].message
        if name == "crop":
            assert "cropped" in known[0].message


def test_unrelated_images_do_not_match(registry_path: Path, tmp_path: Path) -> None:
    det = ImageDetector(str(registry_path))
    for seed in range(200, 240):
        path = tmp_path / f"other-{seed}.jpg"
        path.write_bytes(encode(make_photo(seed), "JPEG", quality=80))
        out = det.detect(content_of(path))
        assert not [f for f in out.findings if f.rule == "known-work"], seed
        assert len(out.facts["phash"]) == 16


def test_detector_is_picklable_and_loads_registry_lazily(registry_path: Path, works_dir: Path) -> None:
    det = ImageDetector(str(registry_path))
    assert det.registry is not None  # loaded in this process
    clone = pickle.loads(pickle.dumps(det))
    assert clone._registry is None
    out = clone.detect(content_of(works_dir / "c.png"))
    assert "'Blue Hour'" in out.findings[0].message
    assert clone.applies(Asset("x.png", AssetKind.IMAGE, 1, "s"))
    assert not clone.applies(Asset("x.txt", AssetKind.TEXT, 1, "s"))


def test_bad_registry_fails_at_construction(tmp_path: Path) -> None:
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"nope")
    with pytest.raises(RegistryError):
        ImageDetector(str(bad))


@pytest.mark.parametrize("case", ["truncated", "bomb", "zero", "mislabelled"])
def test_bad_input_becomes_an_error_reason(case: str, tmp_path: Path) -> None:
    jpeg = encode(make_photo(1, (640, 480)), "JPEG", quality=90)
    data = {"truncated": jpeg[: len(jpeg) // 3], "bomb": bomb_png(), "zero": b"",
            "mislabelled": b"%PDF-1.4 not an image"}[case]
    path = tmp_path / f"{case}.jpg"
    path.write_bytes(data)
    det = ImageDetector(None)
    for on_disk in (True, False):
        out = det.detect(content_of(path, on_disk))
        assert isinstance(out, DetectorOutput)
        assert len(out.errors) == 1 and out.errors[0]
        if case == "zero":
            assert out.errors == ("zero-byte image",)
        assert not out.findings


def test_registry_free_scan_reports_facts(tmp_path: Path) -> None:
    frames = [make_photo(5), make_photo(6)]
    path = tmp_path / "anim.gif"
    path.write_bytes(encode(frames[0], "GIF", save_all=True, append_images=frames[1:]))
    out = ImageDetector(None).detect(content_of(path))
    assert out.errors == ()
    assert out.facts["frames"] == 2 and out.facts["format"] == "GIF"
    assert (out.facts["width"], out.facts["height"]) == (320, 240)


def test_copyright_without_license_is_rights_reserved(tmp_path: Path) -> None:
    seg = iptc_app13({(2, 116): b"(c) Agence X, all rights reserved"})
    path = tmp_path / "agency.jpg"
    path.write_bytes(with_segment(encode(make_photo(3), "JPEG"), seg))
    out = ImageDetector(None).detect(content_of(path))
    assert [f.rule for f in out.findings] == ["rights-reserved"]
    assert out.findings[0].severity is Severity.WARNING
    (ev,) = out.evidence
    assert (ev.kind, ev.level, ev.license, ev.reservation) == (EvidenceKind.IMAGE_METADATA, Level.FILE,
                                                               None, True)
    assert out.facts["rights"]["copyright"] == "(c) Agence X, all rights reserved"


def test_licensed_image_with_mining_prohibition(tmp_path: Path) -> None:
    body = ('<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/" '
            'xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" '
            'xmpRights:WebStatement="https://creativecommons.org/licenses/by/4.0/" '
            'plus:DataMining="http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED"><dc:rights><rdf:Alt>'
            '<rdf:li xml:lang="x-default">(c) 2024 Jane Roe</rdf:li></rdf:Alt></dc:rights></rdf:Description>')
    path = tmp_path / "cc.jpg"
    path.write_bytes(encode(make_photo(4), "JPEG", xmp=xmp_packet(body)))
    out = ImageDetector(None).detect(content_of(path, on_disk=False))
    assert [f.rule for f in out.findings] == ["tdm-opt-out"]
    assert "DMI-PROHIBITED" in out.findings[0].message
    assert [e.license for e in out.evidence] == ["CC-BY-4.0"]
    assert not out.evidence[0].reservation


def test_detect_bytes_for_table_cells(registry_path: Path, works_dir: Path) -> None:
    det = ImageDetector(str(registry_path))
    data = encode(ImageOps.mirror(Image.open(works_dir / "c.png").convert("RGB")), "PNG")
    out = det.detect_bytes(data, "data/train.parquet", field="image", count=3)
    (finding,) = out.findings
    assert finding.rule == "known-work" and finding.count == 3 and "mirrored" in finding.message
    assert det.detect_bytes(b"", "t.parquet").errors == ("zero-byte image",)


_SEEDS = {fmt: encode(make_photo(21, (96, 64)), fmt) for fmt in ("JPEG", "PNG", "GIF", "TIFF", "WEBP", "BMP")}


@settings(max_examples=60, deadline=None)
@given(fmt=st.sampled_from(sorted(_SEEDS)), cut=st.integers(0, 4000),
       flips=st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), max_size=8))
def test_damaged_files_never_raise(fmt: str, cut: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(_SEEDS[fmt])
    for pos, value in flips:
        if pos < len(data):
            data[pos] = value
    damaged = bytes(data[: max(cut, 1)]) if cut < len(data) else bytes(data)
    out = ImageDetector(None).detect_bytes(damaged, f"fuzz.{fmt.lower()}")
    assert isinstance(out, DetectorOutput)
    assert out.errors or "phash" in out.facts


def test_license_named_in_the_copyright_notice_is_a_grant(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x8298] = "(c) 2021 Jane Roe, licensed CC BY-SA 4.0"
    path = tmp_path / "cc.jpg"
    path.write_bytes(encode(make_photo(8), "JPEG", exif=exif.tobytes()))
    out = ImageDetector(None).detect(content_of(path))
    assert out.findings == ()
    (ev,) = out.evidence
    assert (ev.license, ev.reservation, ev.matcher) == ("CC-BY-SA-4.0", False, "image-exif-copyright")


def test_facts_rebuild_the_fingerprint(registry_path: Path, works_dir: Path) -> None:
    import json

    from provenance.images.report import fingerprint_from_facts
    from provenance.registry import Registry

    out = ImageDetector(None).detect(content_of(works_dir / "a.png"))
    saved = json.loads(json.dumps(out.facts))  # facts survive a JSON round trip
    matches = Registry.load(registry_path).match(fingerprint_from_facts(saved))
    assert matches[0].work.title == "Red Square"


def test_rights_in_a_table_cell_are_record_evidence() -> None:
    exif = Image.Exif()
    exif[0x8298] = "(c) Agence X"
    data = encode(make_photo(9), "JPEG", exif=exif.tobytes())
    out = ImageDetector(None).detect_bytes(data, "data/train.parquet", field="image", count=4)
    (ev,) = out.evidence
    assert (ev.level, ev.records, ev.location.field, ev.reservation) == (Level.RECORD, 4, "image", True)
    (finding,) = out.findings
    assert (finding.rule, finding.count) == ("rights-reserved", 4)


def _detect_in_worker(args: tuple[ImageDetector, str]) -> list[str]:
    detector, path = args
    return [f.message for f in detector.detect(content_of(Path(path))).findings]


def test_detector_runs_in_worker_processes(registry_path: Path, works_dir: Path) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    det = ImageDetector(str(registry_path))
    assert det.registry is not None  # loaded here; the pickled copy must not carry it
    paths = [str(works_dir / "a.png"), str(works_dir / "c.png")]
    # forkserver like the scanner's engine: workers start clean and unpickle the detector.
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("forkserver")) as pool:
        messages = list(pool.map(_detect_in_worker, [(det, p) for p in paths]))
    assert "'Red Square'" in messages[0][0] and "'Blue Hour'" in messages[1][0]


@pytest.mark.parametrize(("name", "data", "what"), [
    ("logo.png", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10"><rect/></svg>\n',
     "an SVG document"),
    ("badge.PNG", b'<svg xmlns="http://www.w3.org/2000/svg"><text>build passing</text></svg>', "an SVG document"),
    ("photo.jpg", b"<!DOCTYPE html>\n<html><head><title>Not found</title></head><body>404</body></html>\n",
     "an HTML page"),
    ("cover.jpeg", "这不是图片，而是一段说明文字。\n".encode() * 5, "a text file"),
])
def test_readable_files_of_another_type_are_a_warning(name: str, data: bytes, what: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    for on_disk in (True, False):
        out = ImageDetector(None).detect(content_of(path, on_disk))
        assert out.errors == ()
        assert [(f.rule, f.severity.value) for f in out.findings] == [("partially-checked", "warning")]
        suffix = name[name.rfind("."):].lower()
        assert out.findings[0].message == f"saved as {suffix} but is {what}: not fingerprinted"


def test_corrupt_image_bytes_stay_an_error(tmp_path: Path) -> None:
    jpeg = encode(make_photo(1, (64, 48)), "JPEG")
    for data in (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, jpeg[:10], b"%PDF-1.4 looks like text\n"):
        path = tmp_path / "x.png"
        path.write_bytes(data)
        out = ImageDetector(None).detect(content_of(path))
        assert len(out.errors) == 1 and not out.findings, data[:12]
