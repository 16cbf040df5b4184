"""Fingerprinting speed and registry search latency, each against a named baseline.

1. Images/s on one core for 1-2 MP JPEGs made from real photos in installed packages:
   our decode path (draft-mode JPEG decode, EXIF orientation, pHash + dHash of the image
   and its mirror) and the full detector (plus rights metadata), against plain
   `imagehash.phash(Image.open(p))` on the same files.
2. Query latency on a registry of 1M fingerprints (p50 over random queries, both
   orientations, pHash scan + dHash confirmation), against a BK-tree of the same codes at
   the same radius (and at radius 10). faiss IndexBinaryFlat is timed too when installed.

    PYTHONPATH=. python bench/image_speed.py [--rows 1000000] [--bk-queries 3]
"""

from __future__ import annotations

import argparse
import os
import site
import sys
import tempfile
import time
from pathlib import Path

import imagehash
import numpy as np
import pyarrow as pa
from PIL import Image

from provenance.detectors.images import analyse
from provenance.images import Fingerprint, fingerprint_file
from provenance.registry import Registry
from provenance.registry import matcher as M
from provenance.registry.store import SCHEMA, current_meta

PHOTOS = ["skimage/data/astronaut.png", "skimage/data/coffee.png", "skimage/data/chelsea.png",
          "skimage/data/rocket.jpg", "skimage/data/hubble_deep_field.jpg", "skimage/data/retina.jpg",
          "matplotlib/mpl-data/sample_data/grace_hopper.jpg", "sklearn/datasets/images/china.jpg",
          "sklearn/datasets/images/flower.jpg", "skimage/data/motorcycle_left.png"]


def one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def make_jpegs(folder: Path) -> list[Path]:
    roots = [Path(p) for p in site.getsitepackages()]
    out = []
    for rel in PHOTOS:
        src = next((r / rel for r in roots if (r / rel).exists()), None)
        if src is None:
            continue
        img = Image.open(src).convert("RGB")
        for mp in (1.0, 1.5, 2.0):
            scale = (mp * 1e6 / (img.width * img.height)) ** 0.5
            big = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.BICUBIC)
            path = folder / f"{src.stem}-{mp}mp.jpg"
            big.save(path, "JPEG", quality=90)
            out.append(path)
    return out


def rate(fn, files: list[Path], repeat: int) -> float:
    fn(files[0])
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for p in files:
            fn(p)
        best = min(best, time.perf_counter() - t)
    return len(files) / best


class BKTree:
    """Baseline: a plain BK-tree over 64-bit codes, each node's children in a dict by distance."""

    def __init__(self) -> None:
        self.codes: list[int] = []
        self.kids: list[dict[int, int] | None] = []

    def add(self, code: int) -> None:
        self.codes.append(code)
        self.kids.append(None)
        new = len(self.codes) - 1
        if new == 0:
            return
        node = 0
        while True:
            d = (code ^ self.codes[node]).bit_count()
            kids = self.kids[node]
            if kids is None:
                self.kids[node] = {d: new}
                return
            nxt = kids.get(d)
            if nxt is None:
                kids[d] = new
                return
            node = nxt

    def search(self, code: int, radius: int) -> tuple[list[int], int]:
        found, visited, stack = [], 0, [0]
        codes, all_kids = self.codes, self.kids
        while stack:
            node = stack.pop()
            visited += 1
            d = (code ^ codes[node]).bit_count()
            if d <= radius:
                found.append(node)
            kids = all_kids[node]
            if kids:
                lo, hi = d - radius, d + radius
                stack.extend(c for k, c in kids.items() if lo <= k <= hi)
        return found, visited


def registry_of(phash: np.ndarray, dhash: np.ndarray) -> Registry:
    n = len(phash)
    ids = pa.array(np.char.add("w", np.arange(n).astype(str)))
    table = pa.table({
        "work_id": ids, "title": ids, "owner": pa.nulls(n, pa.string()), "rights": pa.nulls(n, pa.string()),
        "source": pa.nulls(n, pa.string()), "file": pa.nulls(n, pa.string()),
        "variant": pa.array(["original"] * n), "phash": phash, "dhash": dhash,
        "width": pa.nulls(n, pa.int32()), "height": pa.nulls(n, pa.int32()),
    }, schema=SCHEMA)
    return Registry(table, current_meta(()))


def p50(samples: list[float]) -> float:
    return float(np.median(samples)) * 1e3


def main() -> int:
    ap = argparse.ArgumentParser(description="image fingerprint and registry search speed")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--bk-queries", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    one_core()
    with tempfile.TemporaryDirectory() as tmp:
        files = make_jpegs(Path(tmp))
        if not files:
            print("needs scikit-image / matplotlib / scikit-learn for real photos")
            return 2
        mp = np.mean([Image.open(p).width * Image.open(p).height for p in files]) / 1e6
        base = rate(lambda p: imagehash.phash(Image.open(p)), files, args.repeat)
        ours = rate(fingerprint_file, files, args.repeat)

        def full(p: Path) -> None:
            data = p.read_bytes()
            analyse(str(p), p.name, data[:262144], str(p), None)

        detector = rate(full, files, args.repeat)
    print(f"fingerprinting, one core, {len(files)} JPEGs of {mp:.2f} MP mean:")
    print(f"  baseline imagehash.phash(Image.open(p)):            {base:7.1f} images/s")
    print(f"  provenance fingerprint (pHash+dHash, both ways):    {ours:7.1f} images/s  x{ours / base:.2f}")
    print(f"  provenance detector (+ rights metadata, facts):     {detector:7.1f} images/s"
          f"  x{detector / base:.2f}")

    rng = np.random.default_rng(7)
    n = args.rows
    phash = rng.integers(0, 2**64, size=n, dtype=np.uint64, endpoint=False)
    dhash = rng.integers(0, 2**64, size=n, dtype=np.uint64, endpoint=False)
    t = time.perf_counter()
    reg = registry_of(phash, dhash)
    load_s = time.perf_counter() - t
    queries = []
    for i in range(args.queries):
        if i % 10 == 0:  # a planted near copy: 6 bits off in pHash, 5 in dHash
            j = int(rng.integers(n))
            flip_p = sum(1 << int(b) for b in rng.choice(64, 6, replace=False))
            flip_d = sum(1 << int(b) for b in rng.choice(64, 5, replace=False))
            p, d = int(phash[j]) ^ flip_p, int(dhash[j]) ^ flip_d
        else:
            p, d = (int(x) for x in rng.integers(0, 2**63, size=2))
        queries.append(Fingerprint(p, d, p ^ 0xFFFF, d ^ 0xFFFF, 100, 100))
    lat, found = [], 0
    for q in queries:
        t = time.perf_counter()
        found += bool(reg.match(q))
        lat.append(time.perf_counter() - t)
    ours_p50 = p50(lat)
    print(f"\nregistry of {n:,} fingerprints (in-memory arrays built in {load_s:.1f} s), one core:")
    print(f"  provenance Registry.match p50: {ours_p50:.3f} ms per query (pHash <= {M.PHASH_RADIUS} scan in "
          f"both orientations + dHash/sum confirmation), p90 {np.percentile(lat, 90) * 1e3:.3f} ms; "
          f"planted copies found {found}/{len(queries) // 10}")
    lat1 = []
    from provenance.registry.search import within
    for q in queries:
        t = time.perf_counter()
        within(reg.phash, q.phash, M.PHASH_RADIUS)
        lat1.append(time.perf_counter() - t)
    print(f"  one orientation only (single vectorised scan):  p50 {p50(lat1):.3f} ms")
    try:
        import faiss

        faiss.omp_set_num_threads(1)
        index = faiss.IndexBinaryFlat(64)
        index.add(phash.view(np.uint8).reshape(n, 8))
        lat2 = []
        for q in queries:
            qs = np.array([q.phash, q.phash_mirror], dtype=np.uint64).view(np.uint8).reshape(2, 8)
            t = time.perf_counter()
            index.range_search(qs, M.PHASH_RADIUS + 1)
            lat2.append(time.perf_counter() - t)
        print(f"  faiss IndexBinaryFlat.range_search, both orientations: p50 {p50(lat2):.3f} ms (not used)")
    except ImportError:
        print("  (faiss not installed; skipped)")

    t = time.perf_counter()
    tree = BKTree()
    for code in phash.tolist():
        tree.add(code)
    build_s = time.perf_counter() - t
    for radius in (M.PHASH_RADIUS, 10):
        lat3, visits = [], []
        for q in queries[1 : 1 + args.bk_queries]:
            t = time.perf_counter()
            for code in (q.phash, q.phash_mirror):
                _, v = tree.search(code, radius)
                visits.append(v)
            lat3.append(time.perf_counter() - t)
        bk = p50(lat3)
        print(f"  BK-tree baseline (built in {build_s:.0f} s), radius {radius}, both orientations: "
              f"p50 {bk:.1f} ms, visits {np.mean(visits) / n:.0%} of nodes; "
              f"provenance is x{bk / ours_p50:.0f} faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
