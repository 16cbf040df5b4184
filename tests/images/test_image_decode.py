"""One decode path: every format hashes, bad input becomes a reason, never an exception."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from provenance.images import Fingerprint, fingerprint_bytes, fingerprint_file
from tests.imgfixtures import bomb_png, encode, make_photo


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def fp_of(img: Image.Image, fmt: str, **kw: object) -> Fingerprint:
    fp = fingerprint_bytes(encode(img, fmt, **kw))
    assert isinstance(fp, Fingerprint), fp
    return fp


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF", "TIFF", "BMP"])
def test_every_format_hashes_close_to_the_png(fmt: str) -> None:
    img = make_photo(1)
    ref = fp_of(img, "PNG")
    fp = fp_of(img, fmt)
    assert (fp.width, fp.height) == (320, 240)
    assert hamming(fp.phash, ref.phash) <= 6
    assert hamming(fp.dhash, ref.dhash) <= 10


def test_mirror_hash_is_the_hash_of_the_flipped_image() -> None:
    img = make_photo(2)
    fp = fp_of(img, "PNG")
    flipped = fp_of(img.transpose(Image.Transpose.FLIP_LEFT_RIGHT), "PNG")
    assert hamming(fp.phash_mirror, flipped.phash) <= 2
    assert hamming(fp.phash, flipped.phash_mirror) <= 2
    assert hamming(fp.phash, flipped.phash) > 10
    # The retrieval hash is the same for both orientations: one registry scan finds both.
    assert hamming(fp.shash, flipped.shash) <= 2


def test_exif_orientation_is_applied() -> None:
    img = make_photo(3)
    upright = fp_of(img, "JPEG", quality=95)
    # Pixels stored turned 90 degrees anticlockwise; Orientation=6 asks viewers to turn them back.
    stored = img.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    fp = fp_of(stored, "JPEG", quality=95, exif=exif.tobytes())
    assert (fp.width, fp.height) == (320, 240)
    assert hamming(fp.phash, upright.phash) <= 4


def test_sixteen_bit_grey_is_scaled_not_clipped() -> None:
    grey8 = np.asarray(make_photo(4).convert("L"), dtype=np.uint16)
    img16 = Image.fromarray(grey8 * 257)
    assert img16.mode == "I;16"
    fp16 = fp_of(img16, "PNG")
    fp8 = fp_of(Image.fromarray(grey8.astype(np.uint8)), "PNG")
    assert hamming(fp16.phash, fp8.phash) <= 2


def test_cmyk_palette_and_alpha_images_hash() -> None:
    img = make_photo(5)
    ref = fp_of(img, "PNG")
    assert hamming(fp_of(img.convert("CMYK"), "JPEG", quality=95).phash, ref.phash) <= 8
    assert hamming(fp_of(img.convert("P", palette=Image.Palette.ADAPTIVE), "PNG").phash, ref.phash) <= 8
    rgba = img.convert("RGBA")
    rgba.putalpha(255)
    assert hamming(fp_of(rgba, "PNG").phash, ref.phash) <= 2
    la = img.convert("LA")
    assert isinstance(fingerprint_bytes(encode(la, "PNG")), Fingerprint)


def test_animated_gif_uses_the_first_frame() -> None:
    frames = [make_photo(6, (160, 120)), make_photo(7, (160, 120)), make_photo(8, (160, 120))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50)
    fp = fingerprint_bytes(data)
    assert isinstance(fp, Fingerprint)
    first = fp_of(frames[0], "GIF")
    second = fp_of(frames[1], "GIF")
    assert hamming(fp.phash, first.phash) <= 2
    assert hamming(fp.phash, second.phash) > 10


def test_truncated_jpeg_is_a_reason() -> None:
    data = encode(make_photo(9, (800, 600)), "JPEG", quality=90)
    result = fingerprint_bytes(data[: len(data) // 2])
    assert isinstance(result, str)
    assert "truncated" in result or "decode" in result


def test_decompression_bomb_is_refused_before_decoding() -> None:
    result = fingerprint_bytes(bomb_png())
    assert isinstance(result, str)
    assert "decompression bomb" in result


def test_explicit_pixel_limit() -> None:
    data = encode(make_photo(10, (400, 300)), "PNG")
    assert isinstance(fingerprint_bytes(data, max_pixels=100_000), str)
    assert isinstance(fingerprint_bytes(data, max_pixels=120_000), Fingerprint)


def test_zero_byte_and_mislabelled_files(tmp_path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    assert isinstance(fingerprint_file(str(empty)), str)
    assert fingerprint_bytes(b"") == "zero-byte image"
    text = tmp_path / "notes.jpg"
    text.write_bytes(b"this is not an image at all\n" * 20)
    assert "not a recognised image" in str(fingerprint_file(str(text)))
    # A PNG named .jpg is still an image: content decides, not the name.
    png = tmp_path / "photo.jpg"
    png.write_bytes(encode(make_photo(11), "PNG"))
    assert isinstance(fingerprint_file(str(png)), Fingerprint)


def test_garbage_after_a_valid_header_is_a_reason() -> None:
    data = bytearray(encode(make_photo(12), "PNG"))
    data[60:400] = bytes(340)  # wipe compressed pixel data, keep the header
    result = fingerprint_bytes(bytes(data))
    assert isinstance(result, str)


def test_a_128_megapixel_photo_is_hashed_not_refused() -> None:
    # A large photo decodes through JPEG's 1/8 DCT scaling: a few MB, not a bomb.
    small = make_photo(7).resize((1600, 800))
    big = small.resize((16000, 8000))  # 128 MP
    fp = fingerprint_bytes(encode(big, "JPEG", quality=85))
    assert isinstance(fp, Fingerprint), fp
    ref = fingerprint_bytes(encode(small, "JPEG", quality=95))
    assert isinstance(ref, Fingerprint) and bin(fp.phash ^ ref.phash).count("1") <= 8


def test_bombs_are_refused_by_decoded_bytes_and_expansion() -> None:
    # 30,000 x 30,000 grey: 900 MB decoded (under the byte budget) from a file of a few hundred bytes
    reason = fingerprint_bytes(bomb_png(30_000, 30_000))
    assert isinstance(reason, str) and "decompression bomb refused" in reason and "over 1000x" in reason
    # 20,000 x 20,000 RGB: 1.2 GB decoded, over the byte budget whatever the file size
    reason = fingerprint_bytes(bomb_png(20_000, 20_000, colour=2))
    assert isinstance(reason, str) and "over the limit" in reason
