"""One table for scale: first scan, unchanged rescan, rescan after touching 1% of files,
--jobs 1 against all cores, throughput against a bare walk-and-read of the same bytes, peak RSS
(optionally on a 1M-file corpus), then each detector's own benchmark.

    python bench/run_all.py [--files 50000] [--million] [--detectors]

Every scan runs in its own child process so its peak RSS (VmHWM, plus the largest worker's) is
its own. The corpus is the one bench/scan_local.py builds.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import scan_local  # noqa: E402  (the corpus builder and baseline live there)

CHILD = """
import json, os, sys, threading, time, resource
sys.path.insert(0, {here!r})
workers_peak = [0.0]


def descendants_peak():
    # Workers are children of the forkserver, not of this process: RUSAGE_CHILDREN misses them.
    # Poll /proc for every process below this one and keep the largest VmHWM seen.
    me = os.getpid()
    while True:
        parents = {{}}
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{{pid}}/stat") as f:
                    parents[int(pid)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
        for pid in parents:
            p, hops = parents.get(pid), 0
            while p and p != me and hops < 5:
                p, hops = parents.get(p), hops + 1
            if p == me:
                try:
                    with open(f"/proc/{{pid}}/status") as f:
                        hwm = next(int(line.split()[1]) for line in f if line.startswith("VmHWM"))
                    workers_peak[0] = max(workers_peak[0], hwm / 1024)
                except (OSError, StopIteration, ValueError):
                    pass
        time.sleep(0.5)


threading.Thread(target=descendants_peak, daemon=True).start()
import scan_local
from pathlib import Path
from provenance.api import ScanRequest, scan_options
from provenance.scanner import Scanner
from provenance.sources.local import LocalSource
root, out, jobs, cache = {root!r}, Path({out!r}), {jobs}, {cache}
opts = scan_options(ScanRequest(Path(root), jobs=jobs, cache=cache), out)
scanner = Scanner(LocalSource(root, skip_dirs=[out]), opts)
start = time.perf_counter()
result = scanner.run(out)
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "files": result.summary["assets"], "bytes": result.summary["bytes"],
                  "rss": scan_local.own_peak_rss_mb(),
                  "workers_rss": max(workers_peak[0], resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
                  "stats": dict(scanner.stats)}}))
"""


def scan_child(root: Path, out: Path, jobs: int, cache: bool) -> dict:
    code = CHILD.format(here=str(HERE), root=str(root), out=str(out), jobs=jobs, cache=cache)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"scan failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def touch_share(root: Path, share: float) -> int:
    files = sorted(p for p in root.rglob("*.txt"))
    step = max(int(1 / share), 1)
    touched = files[::step]
    now = time.time()
    for p in touched:
        os.utime(p, (now, now))
    return len(touched)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=50_000)
    ap.add_argument("--folders", type=int, default=500)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "provenance-bench-local")
    ap.add_argument("--million", action="store_true", help="also measure peak RSS on a 1M-file corpus")
    ap.add_argument("--detectors", action="store_true", help="also run each detector's own benchmark")
    args = ap.parse_args()

    args.corpus.mkdir(parents=True, exist_ok=True)
    scan_local.build(args.corpus, args.files, args.folders, args.rows)
    scan_local.walk_and_read(str(args.corpus))  # warm the page cache
    base = scan_local.walk_and_read(str(args.corpus))
    out = Path(tempfile.mkdtemp(prefix="bench-all-"))
    cores = os.cpu_count() or 1
    rows = []
    first = scan_child(args.corpus, out, 0, True)
    rows.append(("first scan (all cores, cache on)", first))
    rows.append(("unchanged rescan", scan_child(args.corpus, out, 0, True)))
    rows.append(("unchanged rescan, --jobs 1", scan_child(args.corpus, out, 1, True)))
    touched = touch_share(args.corpus, 0.01)
    rows.append((f"rescan after touching {touched} files (1%)", scan_child(args.corpus, out, 0, True)))
    single = scan_child(args.corpus, Path(tempfile.mkdtemp()), 1, False)
    rows.append(("--jobs 1, no cache", single))
    every = scan_child(args.corpus, Path(tempfile.mkdtemp()), cores, False)
    rows.append((f"--jobs {cores}, no cache", every))

    base_fps = base["files"] / base["seconds"]
    print(f"\ncorpus: {args.corpus}: {base['files']} files, {base['bytes'] / 1e6:.1f} MB; {cores} cores")
    print(f"{'run':<42}{'seconds':>9}{'files/s':>10}{'MB/s':>8}{'RSS MB':>8}{'worker MB':>10}"
          f"{'x first':>9}{'x walk':>8}  cache")
    print(f"{'baseline: walk and read the same bytes':<42}{base['seconds']:>9.2f}{base_fps:>10.0f}"
          f"{base['bytes'] / base['seconds'] / 1e6:>8.1f}{'':>8}{'':>10}{'':>9}{1.0:>8.2f}")
    for name, r in rows:
        fps = r["files"] / r["seconds"]
        print(f"{name:<42}{r['seconds']:>9.2f}{fps:>10.0f}{r['bytes'] / r['seconds'] / 1e6:>8.1f}{r['rss']:>8.0f}"
              f"{r['workers_rss']:>10.0f}{first['seconds'] / r['seconds']:>9.2f}{fps / base_fps:>8.2f}  "
              f"{r['stats']}")
    print(f"\nall cores against --jobs 1: {single['seconds'] / every['seconds']:.2f}x")

    if args.million:
        big = Path(tempfile.gettempdir()) / "provenance-bench-million"
        big.mkdir(exist_ok=True)
        t = time.perf_counter()
        scan_local.build(big, 1_000_000, 10_000, 1000)
        print(f"\n1M-file corpus ready in {time.perf_counter() - t:.0f} s")
        big_out = Path(tempfile.mkdtemp(prefix="bench-million-"))
        r = scan_child(big, big_out, 0, True)
        print(f"1M files, first scan (all cores, cache on): {r['seconds']:.0f} s, {r['files'] / r['seconds']:.0f} "
              f"files/s, peak RSS {r['rss']:.0f} MB (largest worker {r['workers_rss']:.0f} MB); goal under 1024 MB")
        again = scan_child(big, big_out, 0, True)
        print(f"1M files, unchanged rescan: {again['seconds']:.1f} s, peak RSS {again['rss']:.0f} MB, "
              f"x{r['seconds'] / again['seconds']:.1f} faster than the first scan; {again['stats']}")

    if args.detectors:
        for script, extra in (("license_accuracy.py", ["--every", "10"]), ("image_speed.py", ["--rows", "200000"]),
                              ("text_speed.py", ["--mb", "2"]), ("image_recall.py", [])):
            print(f"\n== bench/{script} {' '.join(extra)}")
            subprocess.run([sys.executable, str(HERE / script), *extra], check=False)


if __name__ == "__main__":
    main()
