"""Image detector: known works from the fingerprint registry, and rights metadata."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.images.decode import (
    DEFAULT_MAX_PIXELS,
    ImageReadError,
    MislabelledImage,
    OpenedImage,
    open_image,
)
from provenance.images.fingerprint import Fingerprint, fingerprint_opened
from provenance.images.report import (
    fingerprint_facts,
    known_work_findings,
    match_facts,
    rights_evidence,
    rights_findings,
)
from provenance.images.rights import read_rights
from provenance.model import Asset, AssetKind, Evidence, Finding, Rule, Severity
from provenance.registry.matcher import Registry
from provenance.registry.store import read_meta

if TYPE_CHECKING:
    from provenance.registry.matcher import Registry

#: Encoded images bigger than this are refused rather than read into memory.
MAX_IMAGE_BYTES = 512 * 1024 * 1024
HEAD_BYTES = 256 * 1024  # where XMP and C2PA are looked for when Pillow does not expose them


class ImageDetector(Detector):
    """Fingerprints each image, matches it against a registry, reads its rights metadata.

    Picklable: the registry is checked when constructed (a bad registry fails the scan at
    start, with a clear message) and loaded lazily once per process.
    """

    id = "images"
    version = "2"  # 2: readable files of another type under an image name are a warning, not an error

    def __init__(self, registry_path: str | Sequence[str] | None, max_pixels: int = DEFAULT_MAX_PIXELS) -> None:
        paths = (registry_path,) if isinstance(registry_path, str) else tuple(registry_path or ())
        self.registry_paths = paths
        self.max_pixels = max_pixels
        self._registry: Registry | None = None
        self._loaded = False
        for path in paths:
            read_meta(path)  # raises RegistryError now, not in every worker

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_registry"] = None  # each process loads its own copy
        state["_loaded"] = False
        return state

    @property
    def registry(self) -> Registry | None:
        if not self._loaded and self.registry_paths:
            self._registry = Registry.load_many(self.registry_paths)
            self._loaded = True
        return self._registry

    def applies(self, asset: Asset) -> bool:
        return asset.kind is AssetKind.IMAGE

    def detect(self, content: AssetContent) -> DetectorOutput:
        path = content.asset.path
        if content.complete and not content.head:
            return DetectorOutput(errors=("zero-byte image",))
        source: str | IO[bytes] | bytes
        c2pa_source: str | bytes
        if content.local_path is not None:
            source, c2pa_source = str(content.local_path), str(content.local_path)
            head = content.head
        elif content.complete:
            source = c2pa_source = content.head
            head = content.head
        else:
            data = _read_capped(content)
            if isinstance(data, str):
                return DetectorOutput(errors=(data,))
            source = c2pa_source = data
            head = data[:HEAD_BYTES]
        return analyse(source, path, head, c2pa_source, self.registry, self.max_pixels)

    def detect_bytes(
        self, data: bytes, path: str, field: str | None = None, count: int = 1
    ) -> DetectorOutput:
        """The same analysis for image bytes held inside a table cell or HF Image feature."""
        return analyse(data, path, data[:HEAD_BYTES], data, self.registry, self.max_pixels, field, count)


def _read_capped(content: AssetContent) -> bytes | str:
    try:
        with content.open() as fh:
            data = fh.read(MAX_IMAGE_BYTES + 1)
    except OSError as exc:
        return f"cannot read image: {exc}"
    if len(data) > MAX_IMAGE_BYTES:
        return f"image larger than {MAX_IMAGE_BYTES} bytes; not read"
    return data


def analyse(
    source: str | IO[bytes] | bytes,
    path: str,
    head: bytes,
    c2pa_source: str | bytes | None,
    registry: Registry | None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    field: str | None = None,
    count: int = 1,
) -> DetectorOutput:
    """Fingerprint, match and read rights of one encoded image. Never raises for bad data."""
    if isinstance(source, bytes) and not source:
        return DetectorOutput(errors=("zero-byte image",))
    try:
        opened = open_image(source if not isinstance(source, bytes) else io.BytesIO(source), max_pixels)
    except MislabelledImage as exc:
        # An SVG logo saved as .png: nothing is damaged and nothing can be fingerprinted; said as
        # a warning, so one mislabelled file does not make the scan incomplete.
        finding = Finding(Rule.PARTIALLY_CHECKED, Severity.WARNING, path, mislabelled_message(path, exc.what), count)
        return DetectorOutput(findings=(finding,), facts={"not_an_image": exc.what})
    except ImageReadError as exc:
        return DetectorOutput(errors=(str(exc),))
    with opened:
        try:
            return _analyse_opened(opened, path, head, c2pa_source, registry, field, count)
        except Exception as exc:  # last guard: hostile metadata must not stop the scan
            return DetectorOutput(errors=(f"cannot read image: {type(exc).__name__}: {exc}",))


def mislabelled_message(path: str, what: str) -> str:
    """"saved as .png but is an SVG document: not fingerprinted"."""
    name = path.rsplit("!", 1)[-1].rsplit("/", 1)[-1]
    dot = name.rfind(".")
    named = f"saved as {name[dot:].lower()}" if dot > 0 else "named as an image"
    return f"{named} but is {what}: not fingerprinted"


def _analyse_opened(
    opened: OpenedImage,
    path: str,
    head: bytes,
    c2pa_source: str | bytes | None,
    registry: Registry | None,
    field: str | None,
    count: int,
) -> DetectorOutput:
    facts: dict[str, Any] = {"format": opened.format, "mode": opened.mode}
    if opened.frames > 1:
        facts["frames"] = opened.frames
    # Metadata first: it needs only the header, and is worth reporting even if pixels are bad.
    rights = read_rights(opened.image, head, c2pa_source)
    evidence: tuple[Evidence, ...] = rights_evidence(rights, path, field, count)
    findings: list[Finding] = list(rights_findings(rights, evidence, path, count))
    rights_facts = rights.as_facts()
    if rights_facts:
        facts["rights"] = rights_facts
    errors: tuple[str, ...] = ()
    fp = _fingerprint(opened)
    if isinstance(fp, str):
        errors = (fp,)
        facts.update(width=opened.width, height=opened.height)
    else:
        facts.update(fingerprint_facts(fp))
        if registry is not None:
            matches = registry.match(fp)
            if matches:
                findings.extend(known_work_findings(matches, path, count))
                facts["matches"] = match_facts(matches)
    return DetectorOutput(evidence=evidence, findings=tuple(findings), facts=facts, errors=errors)


def _fingerprint(opened: OpenedImage) -> Fingerprint | str:
    try:
        return fingerprint_opened(opened)
    except ImageReadError as exc:
        return str(exc)
