"""Recall of the known-works registry on edited copies of real photos, and false matches.

Reference works are real photos shipped inside installed packages (scikit-image `data`,
matplotlib sample data, scikit-learn images). They are split in two folds: each fold is
registered in turn and the other fold serves as distractors (the photos, crops of them,
and every edit of them), so every photo is a reference once. Crops (10%) and 5-degree
rotations are scored separately, with and without the registry's extra variants.

    PYTHONPATH=. python bench/image_recall.py [--sweep] [--held-out]

--held-out checks the chosen thresholds on photos that played no part in choosing them (PyWavelets'
aero and ascent, mahotas' demo photos: `pip install PyWavelets mahotas`), registered with the default
variants, against every tuning photo, its crops and edits as distractors.
"""

from __future__ import annotations

import argparse
import io
import site
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageOps

from provenance.images import Fingerprint, fingerprint_bytes
from provenance.images.fingerprint import expand_variant_sets
from provenance.registry import Registry
from provenance.registry import matcher as M
from provenance.registry.build import build_registry

PHOTOS = [
    "skimage/data/astronaut.png", "skimage/data/brick.png", "skimage/data/camera.png",
    "skimage/data/cell.png", "skimage/data/chelsea.png", "skimage/data/clock_motion.png",
    "skimage/data/coffee.png", "skimage/data/coins.png", "skimage/data/grass.png",
    "skimage/data/gravel.png", "skimage/data/hubble_deep_field.jpg", "skimage/data/ihc.png",
    "skimage/data/moon.png", "skimage/data/motorcycle_left.png", "skimage/data/page.png",
    "skimage/data/retina.jpg", "skimage/data/rocket.jpg", "skimage/data/text.png",
    "matplotlib/mpl-data/sample_data/grace_hopper.jpg",
    "sklearn/datasets/images/china.jpg", "sklearn/datasets/images/flower.jpg",
]
HELD_OUT = ["pywt/data/aero.npz", "pywt/data/ascent.npz", "mahotas/demos/data/DepartmentStore.jpg",
            "mahotas/demos/data/luispedro.jpg", "mahotas/demos/data/nuclear.png"]
# motorcycle_right.png is left out: it is the other half of a stereo pair with motorcycle_left,
# i.e. the same picture, and would count as a "false" match that is really a true one.

Edit = Callable[[Image.Image], tuple[Image.Image, int]]  # image, JPEG quality to save with


def _watermark(img: Image.Image) -> Image.Image:
    out = img.convert("RGBA")
    layer = Image.new("RGBA", out.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    w, h = out.size
    box = (int(w * 0.70), int(h * 0.88), int(w * 0.97), int(h * 0.97))
    d.rectangle(box, fill=(255, 255, 255, 120))
    d.text((box[0] + 4, box[1] + 2), "© stockphoto", fill=(0, 0, 0, 200))
    return Image.alpha_composite(out, layer).convert("RGB")


def _scale(img: Image.Image, fx: float, fy: float) -> Image.Image:
    size = (max(1, round(img.width * fx)), max(1, round(img.height * fy)))
    return img.resize(size, Image.Resampling.LANCZOS)


def _crop(img: Image.Image, keep: float, where: str) -> Image.Image:
    w, h = img.size
    cw, ch = round(w * keep), round(h * keep)
    x = (w - cw) // 2 if where == "center" else (w - cw) * 3 // 4
    y = (h - ch) // 2 if where == "center" else (h - ch) // 4
    return img.crop((x, y, x + cw, y + ch))


def _combo(img: Image.Image) -> Image.Image:
    return _watermark(ImageEnhance.Contrast(ImageEnhance.Brightness(_scale(img, 0.6, 0.6)).enhance(1.15))
                      .enhance(1.2))


MAIN: dict[str, Edit] = {
    "resize 50%": lambda im: (_scale(im, 0.5, 0.5), 90),
    "JPEG q30": lambda im: (im, 30),
    "brightness +30%": lambda im: (ImageEnhance.Brightness(im).enhance(1.3), 90),
    "brightness -30%": lambda im: (ImageEnhance.Brightness(im).enhance(0.7), 90),
    "contrast -40%": lambda im: (ImageEnhance.Contrast(im).enhance(0.6), 90),
    "contrast +50%": lambda im: (ImageEnhance.Contrast(im).enhance(1.5), 90),
    "small watermark": lambda im: (_watermark(im), 90),
    "mirror": lambda im: (ImageOps.mirror(im), 90),
    "aspect 4:3 -> wider 30%": lambda im: (_scale(im, 1.3, 1.0), 90),
    "aspect squash 25%": lambda im: (_scale(im, 1.0, 0.75), 90),
    "combination": lambda im: (_combo(im), 50),
    "combination + mirror": lambda im: (ImageOps.mirror(_combo(im)), 50),
}
HARD: dict[str, Edit] = {
    "crop 10% centre": lambda im: (_crop(im, 0.9, "center"), 90),
    "crop 10% off-centre": lambda im: (_crop(im, 0.9, "offset"), 90),
    "rotate +5°": lambda im: (im.rotate(5, Image.Resampling.BICUBIC), 90),
    "rotate -5°": lambda im: (im.rotate(-5, Image.Resampling.BICUBIC), 90),
}
CONFIGS = {"no variants": "none", "crop variants": "crop", "crop+rotate variants": "crop,rotate"}


def find_photos(names: list[str] = PHOTOS) -> list[Path]:
    roots = [Path(p) for p in site.getsitepackages()]
    found = []
    for rel in names:
        for root in roots:
            if (root / rel).exists():
                found.append(root / rel)
                break
    return found


def load_rgb(path: Path) -> Image.Image:
    if path.suffix == ".npz":  # PyWavelets keeps its photos as 8-bit arrays
        with np.load(path) as arrays:
            return Image.fromarray(np.asarray(arrays[arrays.files[0]], dtype=np.uint8)).convert("RGB")
    img = Image.open(path)
    img.load()
    return img.convert("RGB")


def reference_bytes(path: Path) -> bytes:
    return path.read_bytes() if path.suffix != ".npz" else jpeg(load_rgb(path), 95)


def jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def fp(data: bytes) -> Fingerprint:
    result = fingerprint_bytes(data)
    if isinstance(result, str):
        raise SystemExit(f"benchmark image failed to decode: {result}")
    return result


def faces() -> list[tuple[str, Fingerprint]]:
    """200 real face photos (scikit-image's LFW subset, 25x25, upscaled): look-alike distractors."""
    roots = [Path(p) for p in site.getsitepackages()]
    rel = "skimage/data/lfw_subset.npy"
    npy = next((r / rel for r in roots if (r / rel).exists()), None)
    if npy is None:
        return []
    arr = (np.load(npy) * 255).clip(0, 255).astype(np.uint8)
    big = [Image.fromarray(a, "L").resize((100, 100), Image.Resampling.BICUBIC) for a in arr]
    return [(f"lfw face {i}", fp(jpeg(img, 90))) for i, img in enumerate(big)]


def distractors(photos: list[Path]) -> list[tuple[str, Fingerprint]]:
    out = []
    for p in photos:
        im = load_rgb(p)
        w, h = im.size
        out.append((f"{p.stem}", fp(reference_bytes(p))))
        boxes = [(0, 0, w // 2, h // 2), (w // 2, 0, w, h // 2), (0, h // 2, w // 2, h),
                 (w // 2, h // 2, w, h),
                 (w // 4, h // 4, w * 3 // 4, h * 3 // 4)]
        out.extend((f"{p.stem} crop{i}", fp(jpeg(im.crop(b), 90))) for i, b in enumerate(boxes))
        for name, edit in {**MAIN, **HARD}.items():
            img, q = edit(im)
            out.append((f"{p.stem} {name}", fp(jpeg(img, q))))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sweep", action="store_true", help="also print recall/false matches per threshold")
    ap.add_argument("--held-out", action="store_true", help="only the held-out photos (see the module doc)")
    args = ap.parse_args()
    photos = find_photos()
    if args.held_out:
        return held_out(photos)
    if len(photos) < 10:
        print("needs scikit-image, matplotlib and scikit-learn installed (real photos in their wheels)")
        return 2
    t0 = time.perf_counter()
    folds = [photos[0::2], photos[1::2]]
    edits = {**MAIN, **HARD}
    hits = {c: {e: 0 for e in edits} for c in CONFIGS}
    wrong = dict.fromkeys(CONFIGS, 0)
    false = dict.fromkeys(CONFIGS, 0)
    false_examples: dict[str, list[str]] = {c: [] for c in CONFIGS}
    n_queries = dict.fromkeys(edits, 0)
    n_distractors = 0
    face_fps = faces()
    sweep_rows: list[tuple[str, bool, np.ndarray, ...]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, refs in enumerate(folds):
            others = folds[1 - k]
            ref_dir = Path(tmp) / f"fold{k}"
            ref_dir.mkdir()
            for p in refs:
                (ref_dir / p.name).write_bytes(p.read_bytes())
            queries = []
            for p in refs:
                im = load_rgb(p)
                for name, edit in edits.items():
                    img, q = edit(im)
                    queries.append((p.name, name, fp(jpeg(img, q))))
                    n_queries[name] += 1
            negs = distractors(others) + face_fps
            n_distractors += len(negs)
            for config, spec in CONFIGS.items():
                reg_path = Path(tmp) / f"reg{k}-{spec}.parquet"
                build_registry(reg_path, ref_dir, variants=expand_variant_sets(spec), jobs=1)
                reg = Registry.load(reg_path)
                for work, name, f in queries:
                    ids = [m.work.work_id for m in reg.match(f)]
                    if work in ids:
                        hits[config][name] += 1
                    wrong[config] += sum(1 for i in ids if i != work)
                    if config == "crop+rotate variants":
                        sweep_rows.append((name, True, *_dists(reg, f, work)))
                for label, f in negs:
                    ms = reg.match(f)
                    if ms:
                        false[config] += 1
                        false_examples[config].append(f"{label} -> {ms[0].work.work_id} "
                                                      f"(p{ms[0].phash_distance}/d{ms[0].dhash_distance})")
                    if config == "crop+rotate variants":
                        sweep_rows.append((label, False, *_dists(reg, f, None)))
    elapsed = time.perf_counter() - t0
    print(f"{len(photos)} real photos in 2 folds; thresholds: retrieval shash <= {M.SHASH_RADIUS}, "
          f"pHash <= {M.PHASH_RADIUS}, dHash <= {M.DHASH_CONFIRM}, sum <= {M.SUM_MAX}; "
          f"{n_distractors} distractor images per config\n")
    cols = list(CONFIGS)
    print("| transformation | n | " + " | ".join(cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for group, names in (("main", MAIN), ("crop/rotate", HARD)):
        for name in names:
            cells = " | ".join(f"{hits[c][name] / n_queries[name]:.3f}" for c in cols)
            print(f"| {name} | {n_queries[name]} | {cells} |")
        tot = sum(n_queries[n] for n in names)
        cells = " | ".join(f"**{sum(hits[c][n] for n in names) / tot:.3f}**" for c in cols)
        print(f"| **{group} set** | {tot} | {cells} |")
    print("| false matches on distractors | " + str(n_distractors) + " | "
          + " | ".join(str(false[c]) for c in cols) + " |")
    print("| matches to the wrong work | - | " + " | ".join(str(wrong[c]) for c in cols) + " |")
    for c in cols:
        for ex in false_examples[c][:5]:
            print(f"  false match ({c}): {ex}")
    if args.sweep:
        _sweep(sweep_rows)
    print(f"\n({elapsed:.1f} s)")
    return 0


def held_out(tuning: list[Path]) -> int:
    photos = find_photos(HELD_OUT)
    if len(photos) < 3:
        print("needs PyWavelets and mahotas installed (held-out photos in their wheels)")
        return 2
    t0 = time.perf_counter()
    edits = {**MAIN, **HARD}
    hits = dict.fromkeys(edits, 0)
    wrong = false = 0
    examples = []
    with tempfile.TemporaryDirectory() as tmp:
        ref_dir = Path(tmp) / "held-out"
        ref_dir.mkdir()
        for p in photos:
            name = f"{p.stem}.jpg" if p.suffix == ".npz" else p.name
            (ref_dir / name).write_bytes(reference_bytes(p))
        reg_path = Path(tmp) / "reg.parquet"
        build_registry(reg_path, ref_dir, variants=expand_variant_sets("crop,rotate"), jobs=1)
        reg = Registry.load(reg_path)
        works = {p.stem: next(m.work.work_id for m in reg.match(fp(reference_bytes(p)))) for p in photos}
        for p in photos:
            im = load_rgb(p)
            for name, edit in edits.items():
                img, q = edit(im)
                ids = [m.work.work_id for m in reg.match(fp(jpeg(img, q)))]
                hits[name] += works[p.stem] in ids
                wrong += sum(1 for i in ids if i != works[p.stem])
        negs = distractors(tuning) + faces()
        for label, f in negs:
            ms = reg.match(f)
            if ms:
                false += 1
                examples.append(f"{label} -> {ms[0].work.work_id}")
    n = len(photos)
    print(f"held-out: {n} photos ({', '.join(p.name for p in photos)}), registered with crop+rotate variants;"
          f" thresholds as chosen on the tuning photos; {len(negs)} distractors (the tuning photos, crops, edits,"
          " faces)\n")
    print("| transformation | n | recall |\n|---|---|---|")
    for group, names in (("main", MAIN), ("crop/rotate", HARD)):
        for name in names:
            print(f"| {name} | {n} | {hits[name] / n:.3f} |")
        print(f"| **{group} set** | {n * len(names)} | **{sum(hits[x] for x in names) / (n * len(names)):.3f}** |")
    print(f"| false matches on distractors | {len(negs)} | {false} |\n| matches to the wrong work | - | {wrong} |")
    for ex in examples[:5]:
        print(f"  false match: {ex}")
    print(f"\n({time.perf_counter() - t0:.1f} s)")
    return 0


def _dists(reg: Registry, f: Fingerprint, work: str | None) -> tuple[np.ndarray, ...]:
    """Per registry row: retrieval-hash distance, best-orientation (pHash, dHash), is it `work`,
    is it a rotation variant."""
    from provenance.registry.search import distances

    s = distances(reg._sym_codes, f.shash)  # every row of these registries has an shash
    pn, pm = distances(reg.phash, f.phash), distances(reg.phash, f.phash_mirror)
    dn, dm = distances(reg.dhash, f.dhash), distances(reg.dhash, f.dhash_mirror)
    mirrored = pm.astype(int) + dm < pn.astype(int) + dn
    p, d = np.where(mirrored, pm, pn), np.where(mirrored, dm, dn)
    rot = np.array([reg.variant(i).startswith("rot") for i in range(len(reg))])
    return s, p, d, np.array([reg.work_id(i) == work for i in range(len(reg))]), rot


def _sweep(rows: list[tuple[str, bool, np.ndarray, ...]]) -> None:
    print("\nthreshold sweep (crop+rotate variants): retrieval scan shash <= R, then pHash <= P,"
          f" dHash <= D, pHash+dHash <= S (rotation variants: <= min(S, {M.SUM_MAX_ROTATED}))")
    print("   R  P  D  S   main   hard  false  closest distractor p+d (original/crop rows, rotation rows)"
          "  candidates/row")
    hard = set(HARD)
    grid = [(r, 20, 16, 24) for r in (16, 18, 20, 22, 24, 64)]
    grid += [(22, p, d, sc) for p in (12, 16, 20, 24) for d in (14, 16, 18) for sc in (20, 22, 24, 26, 128)]
    for rr, pr, dc, sc in grid:
        tp_main = tp_hard = n_main = n_hard = fpos = 0
        closest, closest_rot, cand, total = 128, 128, 0, 0
        for label, positive, s, p, d, is_work, rot in rows:
            near = s <= rr
            total_d = p.astype(int) + d
            limit = np.where(rot, min(sc, M.SUM_MAX_ROTATED), sc)
            ok = near & (p <= pr) & (d <= dc) & (total_d <= limit)
            if positive:
                found = bool((ok & is_work).any())
                if label in hard:
                    n_hard += 1
                    tp_hard += found
                else:
                    n_main += 1
                    tp_main += found
            else:
                fpos += bool(ok.any())
                cand += int(near.sum())
                total += len(s)
                close = near & (p <= pr) & (d <= dc)
                if (close & ~rot).any():
                    closest = min(closest, int(total_d[close & ~rot].min()))
                if (close & rot).any():
                    closest_rot = min(closest_rot, int(total_d[close & rot].min()))
        print(f"  {rr:2d} {pr:2d} {dc:2d} {sc:3d}  {tp_main / n_main:.3f}  {tp_hard / n_hard:.3f}  {fpos:4d}"
              f"   {closest:3d} {closest_rot:3d}   {cand / total:.4f}")


if __name__ == "__main__":
    sys.exit(main())
