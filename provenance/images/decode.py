"""One decode path for registry and corpus: open safely, decode small, orient, grey.

Registry fingerprints and corpus fingerprints must come out of the same steps, or
the same picture hashes differently; everything that touches pixels goes through here.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import numpy as np
from PIL import Image

from provenance.textio import decode_text

#: Ceiling on width*height whatever the budget says (a gigapixel scan is not training data).
DEFAULT_MAX_PIXELS = 1_000_000_000
#: Bytes an image may take once decoded, JPEG counted at the 1/8 scale its DCT decode works at:
#: a 128-megapixel photo is not a bomb, a 50,000 x 50,000 PNG is.
MAX_DECODED_BYTES = 1 << 30
#: Decoded bytes per byte of file beyond which an image is a bomb, once it decodes to more than
#: EXPANSION_FLOOR bytes: photos expand 3-50 times, bombs thousands of times.
MAX_EXPANSION = 1000
EXPANSION_FLOOR = 256 << 20
#: Side the hashes need: JPEG is decoded in draft mode to at least this many pixels a side,
#: other formats are box-reduced to about it. pHash works on 32x32, so 64 leaves headroom.
WORK_SIDE = 64
#: The decode recipe, recorded in registries so one built another way is refused.
DECODE_RECIPE = (
    "draft-L-64;first-frame;box-reduce-64;16bit>>8;alpha-on-white;L;box-reduce-64;exif-orientation"
)

_EXIF_ORIENTATION = 0x0112
# EXIF orientation -> the transpose that makes the image upright (as viewers apply it).
_ORIENTATION_FIX = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# Modes Image.reduce handles; others (palette, 16-bit) are converted first.
_REDUCIBLE_MODES = frozenset({"L", "LA", "La", "RGB", "RGBA", "RGBa", "CMYK", "YCbCr", "I", "F"})


class ImageReadError(Exception):
    """The bytes are not an image we can decode; the message is the user-facing reason."""


class MislabelledImage(ImageReadError):
    """Readable bytes of another type under an image name (an SVG logo saved as `logo.png`): not
    an image, but not a damaged one either. `what` names the type ("an SVG document")."""

    def __init__(self, what: str) -> None:
        super().__init__(f"not a recognised image: the bytes are {what}")
        self.what = what


#: Bytes looked at to tell what a file that is not an image is.
SNIFF_BYTES = 4096
#: Characters plain text needs before a file under an image name is taken for a text file.
MIN_TEXT = 32
#: Signatures of binary formats that start with printable bytes (PDF, GIF, BMP, TIFF, RIFF).
_BINARY_MAGIC = (b"%PDF-", b"GIF8", b"BM", b"II*", b"MM\x00*", b"RIFF", b"\x89PNG")


def sniff_not_image(head: bytes) -> str | None:
    """What readable non-image content `head` (a file's first bytes) is: an SVG document, an HTML
    page, an XML or JSON document, or a text file; None when it is not text (corrupt or another
    binary format: a damaged image cannot be told from those by its first bytes)."""
    if head.startswith(_BINARY_MAGIC):
        return None  # a damaged file of a binary format whose first bytes happen to be ASCII
    text, _reason = decode_text(head[:SNIFF_BYTES], complete=len(head) < SNIFF_BYTES)
    if not text or not text.strip():
        return None
    start = text.lstrip("\ufeff \t\r\n")[:SNIFF_BYTES].lower()
    if start.startswith("<svg") or (start.startswith(("<?xml", "<!--", "<!doctype svg")) and "<svg" in start):
        return "an SVG document"
    if start.startswith(("<!doctype html", "<html")) or ("<html" in start[:512] and "<head" in start):
        return "an HTML page"
    if start.startswith("<?xml"):
        return "an XML document"
    if len(start.strip()) < MIN_TEXT:
        return None  # a few printable bytes: as likely the start of a cut-off image
    if start.startswith(("{", "[")):
        return "a JSON document"
    return "a text file"


def _head_of(source: str | IO[bytes]) -> bytes:
    try:
        if isinstance(source, str):
            with open(source, "rb") as fh:
                return fh.read(SNIFF_BYTES)
        if source.seekable():
            source.seek(0)
            return source.read(SNIFF_BYTES)
    except (OSError, ValueError, AttributeError):
        pass
    return b""


@dataclass(frozen=True)
class OpenedImage:
    """An image opened lazily: header read, pixels not yet decoded."""

    image: Image.Image
    width: int
    height: int
    format: str
    mode: str
    frames: int

    def __enter__(self) -> OpenedImage:
        return self

    def __exit__(self, *exc: object) -> None:
        # Release the file handle now, not whenever the garbage collector runs.
        self.image.close()


def decode_cost(width: int, height: int, mode: str, fmt: str) -> int:
    """Bytes the first frame takes once decoded the way `decode_gray` decodes it."""
    if fmt == "JPEG":  # draft mode: DCT scaling to 1/8, one grey band
        return -(-width // 8) * -(-height // 8)
    try:
        bands = Image.getmodebands(mode)
    except (KeyError, ValueError):
        bands = 4
    depth = 2 if "16" in mode else 4 if mode in ("I", "F") else 1
    return width * height * bands * depth


def _size_of(source: str | IO[bytes]) -> int | None:
    try:
        if isinstance(source, str):
            return os.path.getsize(source)
        if source.seekable():
            here = source.tell()
            end = source.seek(0, io.SEEK_END)
            source.seek(here)
            return end
    except (OSError, ValueError, AttributeError):
        pass
    return None


def _within_budget(width: int, height: int, mode: str, fmt: str, size: int | None) -> str | None:
    """Why decoding would be a bomb (too many bytes, or too many per byte of file), or None."""
    cost = decode_cost(width, height, mode, fmt)
    if cost > MAX_DECODED_BYTES:
        return f"{width}x{height} {mode} decodes to {cost} bytes, over the limit of {MAX_DECODED_BYTES}"
    if size and cost > EXPANSION_FLOOR and cost > MAX_EXPANSION * size:
        return f"{width}x{height} {mode} decodes to {cost} bytes from a {size}-byte file (over {MAX_EXPANSION}x)"
    return None


@contextlib.contextmanager
def _own_bomb_check() -> Iterator[None]:
    """Pillow's pixel-count bomb limit off while we apply ours (decoded bytes and expansion)."""
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def open_image(source: str | IO[bytes] | bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> OpenedImage:
    """Open without decoding and refuse empty, unknown and oversized images."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) == 0:
            raise ImageReadError("zero-byte image")
        source = io.BytesIO(bytes(source))
    file_size = _size_of(source)
    try:
        with warnings.catch_warnings(), _own_bomb_check():
            # Corrupt EXIF and the like are Pillow UserWarnings: noise for a scanner.
            warnings.simplefilter("ignore", UserWarning)
            img = Image.open(source)
    except Image.DecompressionBombError as exc:
        raise ImageReadError(f"decompression bomb refused: {exc}") from exc
    except Image.DecompressionBombWarning as exc:
        raise ImageReadError(f"decompression bomb refused: {exc}") from exc
    except Image.UnidentifiedImageError as exc:
        what = sniff_not_image(_head_of(source))
        if what is not None:
            raise MislabelledImage(what) from exc
        raise ImageReadError("not a recognised image (empty, corrupt or mislabelled)") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageReadError(f"cannot open image: {exc}") from exc
    except Exception as exc:  # plugins raise assorted types (struct.error...) on hostile files
        raise ImageReadError(f"cannot open image: {type(exc).__name__}: {exc}") from exc
    width, height = img.size
    if width <= 0 or height <= 0:
        raise ImageReadError(f"image has no pixels ({width}x{height})")
    if width * height > max_pixels:
        raise ImageReadError(
            f"decompression bomb refused: {width}x{height} = {width * height} pixels "
            f"exceeds the limit of {max_pixels}"
        )
    bomb = _within_budget(width, height, img.mode, img.format or "", file_size)
    if bomb:
        raise ImageReadError(f"decompression bomb refused: {bomb}")
    return OpenedImage(
        image=img,
        width=width,
        height=height,
        format=img.format or "",
        mode=img.mode,
        frames=_frames(img),
    )


def _frames(img: Image.Image) -> int:
    """Frame count; counting walks every frame header (GIF, TIFF IFDs), which may be broken
    past the first frame. Only the first frame is hashed, so a broken count is just 1."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return int(getattr(img, "n_frames", 1) or 1)
    except Exception:
        # The failed walk may have left the reader on a later frame; if even this fails,
        # decoding will report what is wrong.
        with contextlib.suppress(Exception):
            img.seek(0)
        return 1


def decode_gray(opened: OpenedImage, side: int = WORK_SIDE) -> tuple[Image.Image, tuple[int, int]]:
    """Decode the first frame to a small, upright, 8-bit grey image (at least `side` a side
    where the source is that big), with the full upright size. Raises ImageReadError for
    truncated or corrupt data."""
    img = opened.image
    try:
        with warnings.catch_warnings(), _own_bomb_check():
            # Corrupt EXIF and the like are Pillow UserWarnings: noise for a scanner.
            warnings.simplefilter("ignore", UserWarning)
            if opened.format == "JPEG":
                # DCT-domain scaling: decodes 1/2..1/8 size directly, the main speed win.
                img.draft("L", (side, side))
            img.load()
            orientation = img.getexif().get(_EXIF_ORIENTATION, 1)
            # Shrink first, while still in the source mode, so conversions and the
            # orientation turn work on a small image: memory stays near one decoded frame.
            if img.mode in _REDUCIBLE_MODES:
                img = reduce_to(img, side)
            gray = reduce_to(to_gray(img), side)
            turn = _ORIENTATION_FIX.get(orientation)
            if turn is not None:
                gray = gray.transpose(turn)
    except ImageReadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageReadError(f"decompression bomb refused: {exc}") from exc
    except MemoryError as exc:
        raise ImageReadError("image too large to decode in memory") from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, KeyError) as exc:
        raise ImageReadError(f"cannot decode image: {exc}") from exc
    except Exception as exc:  # same: a corrupt file must become a reason, never a crash
        raise ImageReadError(f"cannot decode image: {type(exc).__name__}: {exc}") from exc
    upright = (opened.height, opened.width) if orientation in (5, 6, 7, 8) else (opened.width, opened.height)
    return gray, upright


def to_gray(img: Image.Image) -> Image.Image:
    """8-bit grey whatever the mode: 16-bit scaled (Pillow would clip), alpha over white."""
    mode = img.mode
    if mode.startswith("I;16") or mode == "I":
        arr = np.asarray(img).astype(np.int64)
        if mode.startswith("I;16") or int(arr.max(initial=0)) > 255:
            arr = arr >> 8
        return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")
    if mode == "F":
        arr = np.nan_to_num(np.asarray(img, dtype=np.float64))
        return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")
    if mode in ("RGBA", "LA", "PA", "RGBa", "La") or (mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        # Copies of transparent images are usually flattened on white (web, JPEG export).
        base = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        base.alpha_composite(rgba)
        return base.convert("L")
    if mode == "L":
        return img
    return img.convert("L")


def reduce_to(gray: Image.Image, side: int = WORK_SIDE) -> Image.Image:
    """Box-reduce by an integer factor so the short side stays at or above `side`."""
    factor = min(gray.width // side, gray.height // side)
    if factor >= 2:
        return gray.reduce(factor)
    return gray
