"""Throughput (MB/s of UTF-8 text) of the purpose, personal-information and blocklist detectors
together, against reading and decoding the same text alone (the named baseline), in one run.

    PYTHONPATH=. python bench/text_speed.py [--mb 8] [--entries 10000]

Two shapes: documents (files of about 16 KB, one item each) and records (one item per
paragraph, as the record reader calls the detectors for JSONL/CSV/Parquet rows).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from text_quality import load, render

from provenance.detectors.blocklist import BlocklistDetector
from provenance.detectors.pii import PiiDetector
from provenance.detectors.purpose import PurposeDetector
from provenance.model import Asset, AssetKind
from provenance.text.items import TextItem

CJK_POOL = "赌博诈骗毒品枪支违禁暴力恐怖代开发票假证贩卖走私洗钱非法集资传销"


def paragraphs() -> list[str]:
    texts = [p["text"] for p in load("eval_paragraphs.jsonl")]
    texts += [render(r["template"]) for r in load("eval_pii.jsonl")]
    return texts


def blocklist_entries(n: int, rng: random.Random) -> tuple[str, ...]:
    entries = set()
    while len(entries) < n:
        if rng.random() < 0.5:
            entries.add("".join(rng.choice(CJK_POOL) for _ in range(rng.randint(2, 4))))
        else:
            entries.add("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(5, 10))))
    return tuple(sorted(entries))


def build_corpus(folder: Path, megabytes: float, rng: random.Random) -> list[Path]:
    pool = paragraphs()
    files: list[Path] = []
    target = int(megabytes * 1024 * 1024)
    written = 0
    while written < target:
        parts: list[str] = []
        size = 0
        while size < 16 * 1024:
            text = rng.choice(pool)
            parts.append(text)
            size += len(text.encode("utf-8")) + 2
        data = "\n\n".join(parts).encode("utf-8")
        path = folder / f"doc{len(files):05d}.txt"
        path.write_bytes(data)
        files.append(path)
        written += len(data)
    return files


def timed(label: str, files: list[Path], work, total_mb: float, base: float | None) -> float:
    """MB/s by CPU time of this process (the machine is shared, so wall time is noisier;
    it is printed too)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    for path in files:
        work(path.read_bytes().decode("utf-8"))
    elapsed = time.perf_counter() - started
    cpu = max(time.process_time() - cpu_started, 1e-6)
    speed = total_mb / cpu
    ratio = f"{speed / base:6.3f}x of baseline" if base else "baseline"
    print(f"| {label} | {elapsed:7.2f} | {cpu:7.2f} | {speed:8.2f} | {ratio} |")
    return speed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=8.0)
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(0)
    purpose = PurposeDetector("为工业产品设计师提供外观和结构设计建议的助手")
    pii = PiiDetector()
    started = time.perf_counter()
    blocklist = BlocklistDetector(blocklist_entries(args.entries, rng))
    blocklist.blocklist.match("warm up")  # build the automaton outside the timed loops
    build = time.perf_counter() - started
    asset = Asset("doc.txt", AssetKind.TEXT, 0, "bench")
    with tempfile.TemporaryDirectory() as tmp:
        files = build_corpus(Path(tmp), args.mb, rng)
        total_mb = sum(p.stat().st_size for p in files) / (1024 * 1024)
        print(f"corpus: {len(files)} files, {total_mb:.1f} MB; blocklist {args.entries} entries "
              f"(automaton built in {build:.2f} s)\n")
        print("| work | wall s | CPU s | MB/s (CPU) | vs read+decode |")
        print("|---|---|---|---|---|")
        base = timed("read + decode (baseline)", files, lambda text: None, total_mb, None)

        def as_document(detector):
            return lambda text: detector.detect_items(asset, [TextItem(text)])

        def as_records(detector):
            return lambda text: detector.detect_items(
                asset, [TextItem(p, str(i)) for i, p in enumerate(text.split("\n\n"))]
            )

        speeds = {}
        for name, detector in (("purpose", purpose), ("pii", pii), ("blocklist", blocklist)):
            speeds[name] = timed(f"{name}, documents", files, as_document(detector), total_mb, base)
        ac = speeds["blocklist"]

        def all_documents(text: str) -> None:
            for detector in (purpose, pii, blocklist):
                detector.detect_items(asset, [TextItem(text)])

        def all_records(text: str) -> None:
            items = [TextItem(p, str(i)) for i, p in enumerate(text.split("\n\n"))]
            for detector in (purpose, pii, blocklist):
                detector.detect_items(asset, items)

        timed("all three, documents", files, all_documents, total_mb, base)
        # The blocklist against its own naive baseline: one substring test per entry.
        few = files[:4]
        few_mb = sum(p.stat().st_size for p in few) / (1024 * 1024)
        lowered = [e.casefold() for e in blocklist.blocklist.entries]

        def naive_match(text: str) -> list[str]:
            folded = text.casefold()
            return [e for e in lowered if e in folded]

        label = "blocklist naive (`entry in text` per entry), 4 documents"
        naive = timed(label, few, naive_match, few_mb, base)
        print(f"| (blocklist automaton vs naive) | | | | {ac / naive:.1f}x faster |")
        timed("all three, records (one per paragraph)", files, all_records, total_mb, base)
        print("\n" + json.dumps({"items_per_file": len(files[0].read_text(encoding="utf-8").split("\n\n"))}))


if __name__ == "__main__":
    main()
