"""Images inside Parquet: HF Image feature structs and binary columns, matched in a batch."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image, ImageOps

from provenance.images import Fingerprint, cell_bytes, fingerprint_bytes
from provenance.images.report import known_work_findings
from provenance.registry import Registry
from provenance.registry.build import build_registry
from tests.imgfixtures import encode, make_photo


def test_hf_image_feature_and_binary_cells(works_dir: Path, tmp_path: Path) -> None:
    reg_path = tmp_path / "reg.parquet"
    build_registry(reg_path, works_dir)
    known = Image.open(works_dir / "c.png").convert("RGB")
    cells = [
        {"bytes": encode(ImageOps.mirror(known), "JPEG", quality=60), "path": "img0.jpg"},
        {"bytes": encode(make_photo(500), "PNG"), "path": "img1.png"},
        {"bytes": None, "path": "elsewhere/img2.png"},
        {"bytes": b"\x89PNG\r\n\x1a\ntruncated", "path": "img3.png"},
    ]
    table = pa.table({
        "image": pa.array(cells, type=pa.struct([("bytes", pa.binary()), ("path", pa.string())])),
        "raw": pa.array([c["bytes"] for c in cells], type=pa.binary()),
    })
    data_file = tmp_path / "train.parquet"
    pq.write_table(table, data_file)

    back = pq.read_table(data_file)
    for column in ("image", "raw"):
        values = [cell_bytes(v) for v in back.column(column).to_pylist()]
        assert values[2] is None
        results = [fingerprint_bytes(v) for v in values if v is not None]
        assert isinstance(results[2], str)  # the broken cell is a reason, not an exception
        fps = [r for r in results if isinstance(r, Fingerprint)]
        matches = Registry.load(reg_path).match_many(fps)
        assert [len(m) for m in matches] == [1, 0]
        assert matches[0][0].mirrored and matches[0][0].work.work_id == "c.png"
        (finding,) = known_work_findings(matches[0], "train.parquet", count=1)
        assert finding.rule == "known-work" and "mirrored" in finding.message
