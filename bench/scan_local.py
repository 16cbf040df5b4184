"""Local scan throughput and memory against a baseline that only walks and reads the same bytes.

Corpus (generated once, reused): N small text/code files in F folders, each folder with a license
file or card, some files with SPDX headers, plus one Parquet table with a license column.

    python bench/scan_local.py [--files 50000] [--folders 500] [--rows 1000000] [--corpus DIR]

Each measurement runs in a child process so its peak RSS is its own (ru_maxrss of the child).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LICENSES = ["mit", "apache-2.0", "cc-by-4.0", "cc-by-nc-4.0", "cc0-1.0", "odc-by"]


def build(root: Path, files: int, folders: int, rows: int) -> None:
    marker = root / ".complete"
    spec = f"{files} {folders} {rows}"
    if marker.exists() and marker.read_text() == spec:
        return
    rng = random.Random(7)
    per = max(files // folders, 1)
    words = ["design", "surface", "hinge", "curvature", "material", "finish", "tooling", "sketch", "colour", "texture"]
    for f in range(folders):
        d = root / f"part-{f // 50:02d}" / f"folder-{f:04d}"
        d.mkdir(parents=True, exist_ok=True)
        if f % 3 == 0:
            (d / "README.md").write_text(f"---\nlicense: {LICENSES[f % len(LICENSES)]}\n---\n# Folder {f}\n")
        elif f % 3 == 1:
            (d / "LICENSE").write_text(f"This folder is licensed under {LICENSES[f % len(LICENSES)].upper()}.\n")
        for i in range(per):
            body = " ".join(rng.choice(words) for _ in range(rng.randint(20, 400)))
            if i % 4 == 0:
                (d / f"f{i:04d}.py").write_text(f"# SPDX-License-Identifier: MIT\n# {body}\n")
            else:
                (d / f"f{i:04d}.txt").write_text(body + "\n")
    import pyarrow as pa
    import pyarrow.parquet as pq

    values = pa.array([LICENSES[i % len(LICENSES)] if i % 97 else None for i in range(rows)])
    table = pa.table({"text": pa.array(["x" * 20] * rows), "license": values})
    pq.write_table(table, root / "records.parquet")
    marker.write_text(spec)


def own_peak_rss_mb() -> float:
    """VmHWM: this process's peak RSS (ru_maxrss would include the parent's peak from before exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def walk_and_read(root: str) -> dict[str, float]:
    """Baseline: list every file and read its bytes, nothing else."""
    files = size = 0
    start = time.perf_counter()
    for dirpath, _, names in os.walk(root):
        for name in names:
            with open(os.path.join(dirpath, name), "rb") as f:
                while chunk := f.read(1 << 20):
                    size += len(chunk)
            files += 1
    return {"files": files, "bytes": size, "seconds": time.perf_counter() - start}


def scan(root: str, jobs: int, reports: bool = False) -> dict[str, float]:
    """A first scan (cache on, as by default, so its writes are counted); reports only when asked."""
    from provenance.api import scan as run_scan

    warm = tempfile.mkdtemp(prefix="bench-warm-")
    Path(warm, "LICENSE").write_text("Released under the MIT License.\n")
    run_scan(warm, tempfile.mkdtemp(), jobs=1, reports=False)  # imports and the index load are not timed
    out = tempfile.mkdtemp(prefix="bench-scan-")
    start = time.perf_counter()
    result = run_scan(root, out, jobs=jobs, reports=reports)
    seconds = time.perf_counter() - start
    return {"files": result.summary["assets"], "bytes": result.summary["bytes"], "seconds": seconds,
            "records": result.summary["records"]}


def child(kind: str, root: str, jobs: int, reports: bool = False) -> dict[str, float]:
    args = f", {jobs}, {reports}" if kind == "scan" else ""
    code = (f"import json, resource, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            f"import scan_local as b; r = b.{kind}({root!r}{args}); "
            "r['peak_rss_mb'] = b.own_peak_rss_mb(); "
            "r['children_rss_mb'] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024; "
            "print(json.dumps(r))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=50_000)
    ap.add_argument("--folders", type=int, default=500)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "provenance-bench-local")
    args = ap.parse_args()
    args.corpus.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    build(args.corpus, args.files, args.folders, args.rows)
    print(f"corpus: {args.corpus} (ready in {time.perf_counter() - t:.1f} s)")
    child("walk_and_read", str(args.corpus), 0)  # warm the page cache for both sides
    base = child("walk_and_read", str(args.corpus), 0)
    rows = [("baseline: walk and read", base)]
    for jobs in (1, os.cpu_count() or 1):
        rows.append((f"provenance scan --jobs {jobs}", child("scan", str(args.corpus), jobs)))
    rows.append(("scan --jobs 1 + all reports", child("scan", str(args.corpus), 1, True)))
    print(f"\n{'run':<28}{'files/s':>10}{'MB/s':>9}{'RSS MB':>8}{'worker RSS':>11}{'x baseline':>12}")
    for name, r in rows:
        fps = r["files"] / r["seconds"]
        mbs = r["bytes"] / r["seconds"] / 1e6
        print(f"{name:<28}{fps:>10.0f}{mbs:>9.1f}{r['peak_rss_mb']:>8.0f}{r['children_rss_mb']:>11.0f}"
              f"{fps / (base['files'] / base['seconds']):>12.2f}")
    print(f"\nfiles {int(base['files'])}, bytes {int(base['bytes'])}; "
          f"records counted by the scan: {int(rows[1][1].get('records', 0))}")


if __name__ == "__main__":
    main()
