"""Builds the binary files of the example corpus (images, a Parquet table) deterministically.

The committed files were made by this script; run it again to check or rebuild them:
    python examples/make_assets.py
"""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image, ImageDraw

CORPUS = Path(__file__).resolve().parent / "corpus"


def sketch(seed: int, size: tuple[int, int] = (256, 192)) -> Image.Image:
    """A simple product silhouette: body, lid and a handle, in colours chosen by `seed`."""
    img = Image.new("RGB", size, (240 - seed * 20, 238, 230 + seed * 5))
    d = ImageDraw.Draw(img)
    w, h = size
    d.rounded_rectangle((w * 0.25, h * 0.3, w * 0.7, h * 0.85), radius=18, fill=(60 + seed * 40, 70, 90))
    d.rectangle((w * 0.22, h * 0.24, w * 0.73, h * 0.32), fill=(30, 30, 30 + seed * 30))
    d.arc((w * 0.62, h * 0.4, w * 0.88, h * 0.72), 270, 90, fill=(20, 20, 20), width=8)
    return img


def main() -> None:
    images = CORPUS / "open" / "images"
    images.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(("kettle.png", "speaker.png")):
        sketch(i).save(images / name, optimize=False)
    # A photo-like JPEG whose EXIF says the rights are reserved: the scan reports it.
    exif = Image.Exif()
    exif[0x8298] = "(c) 2024 Example Studio. All rights reserved."  # Copyright
    exif[0x013B] = "Example Studio"  # Artist
    buf = io.BytesIO()
    sketch(2).save(buf, "JPEG", quality=85, exif=exif.tobytes())
    (images / "lamp-studio.jpg").write_bytes(buf.getvalue())

    table = pa.table({
        "part": ["hinge", "lid", "handle", "base", "knob", "grille"],
        "description": [
            "Friction hinge, 120 degree stop", "Domed lid with steam vent", "Over-moulded soft-touch handle",
            "Weighted base with rubber feet", "Knurled aluminium knob", "Perforated steel speaker grille",
        ],
        "license": ["cc-by-4.0", "cc0-1.0", "cc-by-4.0", None, "CC BY-SA 4.0", "cc-by-4.0"],
    })
    tables = CORPUS / "open" / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, tables / "parts.parquet", compression="zstd")


if __name__ == "__main__":
    main()
