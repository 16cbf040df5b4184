"""Images: one decode path, perceptual fingerprints and rights metadata.

For images stored as bytes (Parquet/Arrow cells, Hugging Face Image features) call
`fingerprint_bytes(data)`, then `Registry.match_many(...)` from provenance.registry; or
`ImageDetector(...).detect_bytes(data, path)` for the full analysis of one cell.
"""

from provenance.images.decode import DEFAULT_MAX_PIXELS, ImageReadError, decode_gray, open_image
from provenance.images.fingerprint import Fingerprint, fingerprint_bytes, fingerprint_file
from provenance.images.rights import Rights, read_rights

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "Fingerprint",
    "ImageReadError",
    "Rights",
    "decode_gray",
    "fingerprint_bytes",
    "fingerprint_file",
    "open_image",
    "read_rights",
]
