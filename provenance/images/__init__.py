"""Images: one decode path, perceptual fingerprints and rights metadata.

For images stored inside tables (binary columns, Hugging Face Image features) take the
bytes with `cell_bytes(value)`, then either `fingerprint_bytes(data)` and
`Registry.match_many(...)` (provenance.registry) with `images.report.known_work_findings`,
or `ImageDetector(...).detect_bytes(data, path, field=...)` for the full analysis of a cell.
"""

from provenance.images.cells import cell_bytes
from provenance.images.decode import DEFAULT_MAX_PIXELS, ImageReadError, decode_gray, open_image
from provenance.images.fingerprint import Fingerprint, fingerprint_bytes, fingerprint_file
from provenance.images.rights import Rights, read_rights

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "Fingerprint",
    "ImageReadError",
    "Rights",
    "cell_bytes",
    "decode_gray",
    "fingerprint_bytes",
    "fingerprint_file",
    "open_image",
    "read_rights",
]
