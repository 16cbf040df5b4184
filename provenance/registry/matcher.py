"""Find registered works in fingerprints.

One vectorised scan of the mirror-invariant hash retrieves candidates for both
orientations; pHash and dHash, in the orientation that fits, confirm them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute

from provenance.images.fingerprint import Fingerprint
from provenance.registry.search import CodeIndex, popcount64, within_idx
from provenance.registry.store import RegistryMeta, read_table

# Thresholds chosen with bench/image_recall.py --sweep (21 real photos, 462 distractors):
# pHash alone is fragile on dark or textured photos with an overlay (watermark: pHash 14-26
# bits, dHash 1-12) and dHash on contrast changes, so a candidate is accepted on the sum
# of both, i.e. a 128-bit distance. The closest distractor scored 26.
#: pHash distance a candidate must meet (and the scan radius for rows without an shash).
PHASH_RADIUS = 20
#: dHash distance that a pHash candidate must also meet (same orientation as the pHash hit).
DHASH_CONFIRM = 16
#: pHash + dHash distance that confirms a candidate.
SUM_MAX = 24
#: Rotation variants have black corners, a strong shared pattern: a bright-centred face
#: matched one at 25 on the bench. Rotated copies match them within 13, so they get a
#: tighter sum.
SUM_MAX_ROTATED = 16
#: Radius of the single retrieval scan on the mirror-invariant hash (see sym_hash).
SHASH_RADIUS = 22
#: Without a dHash (hash lists that share only pHashes) the pHash alone must be this close.
PHASH_ALONE = 6


@dataclass(frozen=True)
class Work:
    """A registered work as the registry describes it."""

    work_id: str
    title: str | None
    owner: str | None
    rights: str | None
    source: str | None


@dataclass(frozen=True)
class Match:
    """One registered work found in one image."""

    work: Work
    #: Registry row that matched: "original" or a variant such as crop-c or rot+4.
    variant: str
    phash_distance: int
    #: None when the registry row has no dHash (pHash-only hash list).
    dhash_distance: int | None
    mirrored: bool
    #: Human summary of what seems to have been done to the work, e.g. "mirrored, resized".
    transformation: str

    @property
    def score(self) -> int:
        """pHash + dHash distance; lower is closer. pHash-only rows count their pHash twice."""
        d = self.dhash_distance if self.dhash_distance is not None else self.phash_distance
        return self.phash_distance + d


class Registry:
    """Fingerprints held in memory as numpy arrays, ready to search."""

    def __init__(self, table: pa.Table, meta: RegistryMeta) -> None:
        self.meta = meta
        self.phash = _u64(table.column("phash"))
        dh = table.column("dhash")
        self.has_dhash = dh.is_valid().to_numpy(zero_copy_only=False)
        self.dhash = _u64(dh.fill_null(0))
        sh = table.column("shash")
        has_shash = sh.is_valid().to_numpy(zero_copy_only=False)
        # Rows with a mirror-invariant hash are found with one scan; rows without one
        # (hash lists that share only pHashes) are scanned by pHash in both orientations.
        self._sym_rows = np.flatnonzero(has_shash)
        self._sym_codes = _u64(sh.fill_null(0))[self._sym_rows]
        self._sym_index = CodeIndex(self._sym_codes)
        self._plain_rows = np.flatnonzero(~has_shash)
        self._plain_phash = self.phash[self._plain_rows]
        # Descriptive columns stay in Arrow (compact, shared by nothing per row); a Work is
        # built only for rows that match.
        self._text = {n: table.column(n).combine_chunks() for n in
                      ("work_id", "title", "owner", "rights", "source")}
        variants = table.column("variant").combine_chunks().dictionary_encode()
        self._variant_codes = variants.indices.to_numpy(zero_copy_only=False)
        self._variant_names: list[str] = variants.dictionary.to_pylist()
        limits = np.array([SUM_MAX_ROTATED if v.startswith("rot") else SUM_MAX for v in self._variant_names]
                          or [SUM_MAX], dtype=np.int16)
        self._sum_max = limits[self._variant_codes]
        self._width = table.column("width").fill_null(0).to_numpy()
        self._height = table.column("height").fill_null(0).to_numpy()
        self._n_works = pa.compute.count_distinct(self._text["work_id"]).as_py()

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Registry:
        table, meta = read_table(path)
        return cls(table, meta)

    @classmethod
    def load_many(cls, paths: Sequence[str | os.PathLike[str]]) -> Registry | None:
        """The image rows of several registries searched as one (each recipe checked); None when
        none holds an image (registries of text works only)."""
        tables, metas = [], []
        for path in paths:
            table, meta = read_table(path)
            if table.num_rows:
                tables.append(table)
                metas.append(meta)
        if not tables:
            return None
        return cls(pa.concat_tables(tables) if len(tables) > 1 else tables[0], metas[0])

    def __len__(self) -> int:
        return len(self.phash)

    @property
    def works(self) -> int:
        return int(self._n_works)

    def work(self, row: int) -> Work:
        t = self._text
        return Work(*(t[n][row].as_py() for n in ("work_id", "title", "owner", "rights", "source")))

    def work_id(self, row: int) -> str:
        return str(self._text["work_id"][row].as_py())

    def variant(self, row: int) -> str:
        return self._variant_names[int(self._variant_codes[row])]

    def candidates(self, fp: Fingerprint) -> np.ndarray:
        """Registry rows worth confirming: one vectorised scan of the mirror-invariant hash,
        plus pHash scans of the rows that have none."""
        hits = self._sym_index.within(fp.shash, SHASH_RADIUS)
        if not len(self._plain_rows):
            return hits  # every row has an shash: scan positions are row numbers
        rows = self._sym_rows[hits]
        if len(self._plain_rows):
            extra = [self._plain_rows[within_idx(self._plain_phash, ph, PHASH_RADIUS)]
                     for ph in (fp.phash, fp.phash_mirror)]
            rows = np.unique(np.concatenate([rows, *extra]))
        return rows

    def match(self, fp: Fingerprint) -> tuple[Match, ...]:
        """Registered works in one image, best first (one match per work)."""
        rows = self.candidates(fp)
        if len(rows) == 0:
            return ()
        # Cheap cut first: most retrieval candidates are far in pHash in both orientations.
        ph = self.phash.take(rows)
        pn = popcount64(np.bitwise_xor(ph, np.uint64(fp.phash)))
        pm = popcount64(np.bitwise_xor(ph, np.uint64(fp.phash_mirror)))
        near = np.flatnonzero(np.minimum(pn, pm) <= PHASH_RADIUS)
        if not len(near):
            return ()
        rows, pn, pm = rows[near], pn[near], pm[near]
        dh, has, limit = self.dhash[rows], self.has_dhash[rows], self._sum_max[rows]
        best: dict[str, Match] = {}
        for mirrored, pd, qd in ((False, pn, fp.dhash), (True, pm, fp.dhash_mirror)):
            dd = popcount64(np.bitwise_xor(dh, np.uint64(qd)))
            confirmed = (pd <= PHASH_RADIUS) & (dd <= DHASH_CONFIRM) & (pd.astype(np.int16) + dd <= limit)
            ok = np.flatnonzero(np.where(has, confirmed, pd <= PHASH_ALONE))
            for i in ok.tolist():
                m = self._make(int(rows[i]), int(pd[i]), int(dd[i]) if has[i] else None, mirrored, fp)
                w = m.work.work_id
                if w not in best or m.score < best[w].score:
                    best[w] = m
        return tuple(sorted(best.values(), key=lambda m: (m.score, m.work.work_id)))

    def match_many(self, fps: Sequence[Fingerprint]) -> list[tuple[Match, ...]]:
        """`match` for a batch (e.g. the image cells of one Parquet row group)."""
        return [self.match(fp) for fp in fps]

    def _make(self, row: int, pd: int, dd: int | None, mirrored: bool, fp: Fingerprint) -> Match:
        variant = self.variant(row)
        parts = []
        if mirrored:
            parts.append("mirrored")
        if variant.startswith("crop"):
            parts.append("cropped")
        elif variant.startswith("rot"):
            parts.append(f"rotated about {variant[3:]} degrees")
        w0, h0 = int(self._width[row]), int(self._height[row])
        if w0 and h0 and not variant.startswith("crop"):
            if abs((fp.width / fp.height) / (w0 / h0) - 1) > 0.02:
                parts.append(f"aspect changed ({w0}x{h0} -> {fp.width}x{fp.height})")
            elif abs(fp.width / w0 - 1) > 0.01:
                parts.append(f"resized ({w0}x{h0} -> {fp.width}x{fp.height})")
        if pd == 0 and (dd or 0) == 0 and not parts:
            parts.append("identical or re-encoded")
        elif not parts:
            parts.append("re-encoded or edited (brightness, contrast, overlay)")
        return Match(self.work(row), variant, pd, dd, mirrored, ", ".join(parts))


def _u64(col: pa.ChunkedArray) -> np.ndarray:
    return np.ascontiguousarray(col.to_numpy(zero_copy_only=False).astype(np.uint64, copy=False))
