"""Perceptual fingerprints: pHash to retrieve, dHash to confirm, both also for the mirror image."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import imagehash
import numpy as np
import scipy.fft
from PIL import Image

from provenance.images.decode import (
    DECODE_RECIPE,
    DEFAULT_MAX_PIXELS,
    ImageReadError,
    OpenedImage,
    decode_gray,
    open_image,
    reduce_to,
)

HASH_SIZE = 8
HIGHFREQ_FACTOR = 4
#: Recorded in registries and compared on load; change it whenever hashes would change.
ALGORITHM = (f"imagehash.phash(hash_size={HASH_SIZE},highfreq_factor={HIGHFREQ_FACTOR})+dhash({HASH_SIZE})"
             "+symdct(32,8x8even)")


@dataclass(frozen=True)
class Fingerprint:
    """Hashes of one image as 64-bit integers (imagehash's hex order, most significant bit first)."""

    phash: int
    dhash: int
    #: Mirror-invariant retrieval hash: one registry scan finds normal and flipped copies.
    shash: int
    #: The same hashes of the left-right mirrored image, to find flipped copies.
    phash_mirror: int
    dhash_mirror: int
    #: Size of the decoded image (after EXIF orientation), in pixels.
    width: int
    height: int

    @property
    def phash_hex(self) -> str:
        return f"{self.phash:016x}"

    @property
    def dhash_hex(self) -> str:
        return f"{self.dhash:016x}"


def _as_int(h: imagehash.ImageHash) -> int:
    return int(str(h), 16)


def hash_gray(gray: Image.Image) -> tuple[int, int]:
    """(pHash, dHash) of a grey working image."""
    ph = imagehash.phash(gray, hash_size=HASH_SIZE, highfreq_factor=HIGHFREQ_FACTOR)
    dh = imagehash.dhash(gray, hash_size=HASH_SIZE)
    return _as_int(ph), _as_int(dh)


def sym_hash(gray: Image.Image) -> int:
    """64-bit DCT hash of the image plus its mirror image.

    A left-right symmetric signal has only even horizontal DCT frequencies, so the hash
    takes the 8x8 lowest vertical x even horizontal coefficients, thresholded at their
    median like pHash. A mirrored copy gets the same hash, so the registry is scanned once
    per query instead of once per orientation.
    """
    side = HASH_SIZE * HIGHFREQ_FACTOR
    px = np.asarray(gray.resize((side, side), Image.Resampling.LANCZOS), dtype=np.float64)
    px = px + px[:, ::-1]
    coeffs = scipy.fft.dct(scipy.fft.dct(px, axis=0), axis=1)[:HASH_SIZE, 0 : 2 * HASH_SIZE : 2]
    bits = (coeffs > np.median(coeffs)).ravel()
    return int.from_bytes(np.packbits(bits).tobytes(), "big")


def fingerprint_gray(gray: Image.Image, width: int, height: int) -> Fingerprint:
    ph, dh = hash_gray(gray)
    phm, dhm = hash_gray(gray.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    return Fingerprint(ph, dh, sym_hash(gray), phm, dhm, width, height)


def fingerprint_opened(opened: OpenedImage) -> Fingerprint:
    gray, (width, height) = decode_gray(opened)
    return fingerprint_gray(gray, width, height)


def fingerprint_file(
    source: str | IO[bytes], max_pixels: int = DEFAULT_MAX_PIXELS
) -> Fingerprint | str:
    """Fingerprint of a file or stream, or the reason it could not be read."""
    try:
        with open_image(source, max_pixels) as opened:
            return fingerprint_opened(opened)
    except ImageReadError as exc:
        return str(exc)


def fingerprint_bytes(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> Fingerprint | str:
    """Fingerprint of encoded image bytes (a Parquet/Arrow image cell, a HF Image feature's
    `bytes`), or the reason they could not be read. Never raises for bad data."""
    try:
        with open_image(data, max_pixels) as opened:
            return fingerprint_opened(opened)
    except ImageReadError as exc:
        return str(exc)


# --- registry variants: extra fingerprints of a reference work for crops and small rotations ---

#: Fraction of each side kept by the crop variants (centre and four corners).
CROP_KEEP = 0.9
#: On the bench photos, +-4 degree variants catch rotations of 2-8 degrees (10: 18 of 21).
ROTATIONS = (-4.0, 4.0)
VARIANT_SETS = {
    "none": (),
    "crop": ("crop-c", "crop-tl", "crop-tr", "crop-bl", "crop-br"),
    "rotate": tuple(f"rot{a:+g}" for a in ROTATIONS),
}
#: Working side used when cutting variants: bigger than WORK_SIDE so the crop is accurate.
VARIANT_SIDE = 256


def _crop_box(name: str, w: int, h: int) -> tuple[int, int, int, int]:
    cw, ch = round(w * CROP_KEEP), round(h * CROP_KEEP)
    dx, dy = w - cw, h - ch
    x0 = {"c": dx // 2, "tl": 0, "bl": 0, "tr": dx, "br": dx}[name]
    y0 = {"c": dy // 2, "tl": 0, "tr": 0, "bl": dy, "br": dy}[name]
    return x0, y0, x0 + cw, y0 + ch


def variant_grays(opened: OpenedImage, names: tuple[str, ...]) -> Iterator[tuple[str, Image.Image]]:
    """Grey working images of the registry variants of one reference image. `opened` must be
    freshly opened (not yet decoded): variants need a larger decode than the fingerprint."""
    if not names:
        return
    big, _ = decode_gray(opened, side=VARIANT_SIDE)
    for name in names:
        if name.startswith("crop-"):
            v = big.crop(_crop_box(name[5:], big.width, big.height))
        elif name.startswith("rot"):
            # Rotated copies usually keep their canvas; the corners come out black.
            v = big.rotate(float(name[3:]), resample=Image.Resampling.BICUBIC, expand=False)
        else:
            raise ValueError(f"unknown variant {name!r}")
        yield name, reduce_to(v)


def expand_variant_sets(spec: str) -> tuple[str, ...]:
    """'crop,rotate' -> the variant names; 'none' or '' -> ()."""
    names: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        if part not in VARIANT_SETS:
            raise ValueError(f"unknown variant set {part!r}; choose from {', '.join(VARIANT_SETS)}")
        names.extend(VARIANT_SETS[part])
    return tuple(dict.fromkeys(names))


RECIPE = {"algorithm": ALGORITHM, "decode": DECODE_RECIPE}
