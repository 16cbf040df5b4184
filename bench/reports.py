"""What the filing outputs cost, against the `--no-reports` scan of the same corpus.

    python bench/reports.py [--sizes 20000,100000] [--million | --million-from 100000] [--validate-max 25000]

For each corpus size (N small files in N/100 licensed folders, built by bench/scan_local.py; every
file is listed in the manifests):

- baseline: a first scan with the cache on and no reports (Scanner.run, as `--no-reports`), in
  its own child process;
- outputs: the default outputs (zh/en Markdown and HTML, both SPDX manifests, the EU summary)
  rendered from that saved scan in another child process: its time against the baseline, and
  its peak RSS (VmHWM of that process, imports included);
- reference: the official libraries validating the same two documents (`provenance validate`:
  spdx-tools for SPDX 2.3, spdx-python-model plus spdx-tools' expression check for 3.0.1), up to
  --validate-max files (they hold every file as objects);
- rescan: a first scan with the default outputs into a fresh folder, then the same command
  unchanged (the folder memo and the analysis cache are warm): first / rescan, in-process times.

--million-from N renders the outputs of 1,000,000 listed files made by repeating the rows of the N-file
scan (paths prefixed copy-K/): outputs time and peak RSS at a million files without a real scan of a
million files (hours on a shared 2-core machine); its `x scan` uses the N-file scan time times
1,000,000 / N, and is marked as extrapolated. --million scans a real 1,000,000-file corpus.

Each child prints one JSON line. The load average is printed beside the figures: the machine is
shared, so compare ratios measured in the same run.
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

import scan_local  # noqa: E402  (the corpus builder)

PRELUDE = f"""
import json, sys, time
sys.path.insert(0, {str(HERE)!r})
from pathlib import Path
import scan_local
"""

SCAN = PRELUDE + """
from provenance.api import build_options, cache_file
from provenance.scanner import Scanner
from provenance.sources.local import LocalSource
root, out, reports = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
opts = build_options(root, jobs=0)
opts.cache = cache_file(out, True)
start = time.perf_counter()
result = Scanner(LocalSource(root, skip_dirs=[out]), opts).run(out)
scanned = time.perf_counter()
failed = []
if reports:
    from provenance.reporting import write_reports
    failed = [f.name for f in write_reports(result, out).failed]
done = time.perf_counter()
print(json.dumps({"scan": scanned - start, "outputs": done - scanned, "total": done - start,
                  "files": result.summary["assets"], "failed": failed, "rss": scan_local.own_peak_rss_mb()}))
"""

OUTPUTS = PRELUDE + """
from provenance.results import load_result
from provenance.reporting import write_reports
out = Path(sys.argv[1])
start = time.perf_counter()
run = write_reports(load_result(out), out)
seconds = time.perf_counter() - start
sizes = {p.name: p.stat().st_size for p in run.written}
print(json.dumps({"seconds": seconds, "failed": [f.name for f in run.failed], "sizes": sizes,
                  "rss": scan_local.own_peak_rss_mb()}))
"""

VALIDATE = PRELUDE + """
from provenance.reporting.validate import validate_spdx2, validate_spdx3
out = Path(sys.argv[1])
row = {}
for name, judge in (("manifest.spdx.json", validate_spdx2), ("manifest.spdx3.jsonld", validate_spdx3)):
    start = time.perf_counter()
    verdict = judge(out / name)
    row[name] = {"seconds": time.perf_counter() - start, "valid": verdict.valid, "messages": verdict.messages[:3]}
row["rss"] = scan_local.own_peak_rss_mb()
print(json.dumps(row))
"""


def child(code: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"child failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def corpus(base: Path, files: int) -> Path:
    root = base / f"reports-{files}"
    root.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    scan_local.build(root, files, max(files // 100, 1), 1000)
    print(f"corpus {root}: {files:,} files in {max(files // 100, 1):,} folders "
          f"(ready in {time.perf_counter() - start:.0f} s)", flush=True)
    scan_local.walk_and_read(str(root))  # warm the page cache
    return root


def measure(root: Path, validate_max: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    row: dict = {"load_before": load()}
    base = child(SCAN, str(root), str(work / "scan"), "0")
    outputs = child(OUTPUTS, str(work / "scan"))
    row.update(files=base["files"], scan=base["scan"], scan_rss=base["rss"], outputs=outputs["seconds"],
               outputs_rss=outputs["rss"], failed=outputs["failed"], sizes=outputs["sizes"],
               scan_dir=str(work / "scan"))
    if base["files"] <= validate_max:
        row["validate"] = child(VALIDATE, str(work / "scan"))
    first = child(SCAN, str(root), str(work / "cli"), "1")
    again = child(SCAN, str(root), str(work / "cli"), "1")
    row.update(first=first, rescan=again, load_after=load())
    return row


def measure_outputs_only(root: Path) -> dict:
    """The baseline scan and its outputs, without validation and rescans (for the million-file run)."""
    work = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    row: dict = {"load_before": load()}
    base = child(SCAN, str(root), str(work / "scan"), "0")
    outputs = child(OUTPUTS, str(work / "scan"))
    row.update(files=base["files"], scan=base["scan"], scan_rss=base["rss"], outputs=outputs["seconds"],
               outputs_rss=outputs["rss"], failed=outputs["failed"], sizes=outputs["sizes"], load_after=load())
    return row


def replicate(scan: Path, dst: Path, total: int) -> int:
    """assets.parquet with `total` rows from the rows of `scan` (paths prefixed copy-K/), scan.json as is."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from provenance.results import ASSET_SCHEMA

    dst.mkdir(parents=True, exist_ok=True)
    (dst / "scan.json").write_bytes((scan / "scan.json").read_bytes())
    source = pq.ParquetFile(scan / "assets.parquet")
    writer = pq.ParquetWriter(dst / "assets.parquet", ASSET_SCHEMA, compression="zstd")
    written, k = 0, 0
    while written < total:
        for batch in source.iter_batches(batch_size=8192):
            batch = batch.slice(0, min(batch.num_rows, total - written))
            paths = pc.binary_join_element_wise(f"copy-{k}", batch.column("path"), "/")
            table = pa.Table.from_batches([batch]).set_column(0, "path", paths)
            writer.write_table(table)
            written += table.num_rows
            if written >= total:
                break
        k += 1
    writer.close()
    return written


def synthetic(base_row: dict, total: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-reports-million-"))
    rows = replicate(Path(base_row["scan_dir"]), work, total)
    outputs = child(OUTPUTS, str(work))
    scale = rows / base_row["files"]
    return {"files": rows, "scan": base_row["scan"] * scale, "extrapolated": True, "scan_rss": float("nan"),
            "outputs": outputs["seconds"], "outputs_rss": outputs["rss"], "failed": outputs["failed"],
            "sizes": outputs["sizes"], "load_before": load(), "load_after": load()}


def report(rows: list[dict]) -> None:
    print(f"\n{'files':>10} {'scan s':>9} {'outputs s':>10} {'x scan':>7} {'outputs RSS MB':>15} "
          f"{'validate s (2.3 / 3.0.1)':>26} {'first s':>8} {'rescan s':>9} {'first/rescan':>13}")
    for r in rows:
        v = r.get("validate")
        vtext = (f"{v['manifest.spdx.json']['seconds']:.1f} / {v['manifest.spdx3.jsonld']['seconds']:.1f}"
                 if v else "not run")
        scan = f"{r['scan']:.1f}" + ("*" if r.get("extrapolated") else "")
        if "first" in r:
            first, again = r["first"]["total"], r["rescan"]["total"]
            rescan = f"{first:>8.2f} {again:>9.2f} {first / again:>12.1f}x"
        else:
            rescan = f"{'-':>8} {'-':>9} {'-':>13}"
        print(f"{r['files']:>10,} {scan:>9} {r['outputs']:>10.2f} {r['outputs'] / r['scan']:>7.1%} "
              f"{r['outputs_rss']:>15.0f} {vtext:>26} {rescan}")
    if any(r.get("extrapolated") for r in rows):
        print("* extrapolated from the smaller scan (its rows repeated; see --million-from)")
    for r in rows:
        print(f"\n{r['files']:,} files: {r['load_before']} -> {r['load_after']}; baseline scan peak RSS "
              f"{r['scan_rss']:.0f} MB; outputs failed: {r['failed'] or 'none'}")
        print("  sizes: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sorted(r["sizes"].items())))
        if r.get("validate"):
            v = r["validate"]
            print(f"  official validation: valid 2.3={v['manifest.spdx.json']['valid']} "
                  f"3.0.1={v['manifest.spdx3.jsonld']['valid']}, peak RSS {v['rss']:.0f} MB")
        if "first" in r:
            f, a = r["first"], r["rescan"]
            print(f"  first scan + outputs: scan {f['scan']:.2f} s + outputs {f['outputs']:.2f} s; "
                  f"unchanged rescan: scan {a['scan']:.2f} s + outputs {a['outputs']:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="20000,100000", help="comma-separated file counts")
    ap.add_argument("--million", action="store_true", help="also scan a real 1,000,000-file corpus")
    ap.add_argument("--million-from", type=int, default=0,
                    help="also render 1,000,000 listed files repeated from the rows of this size's scan")
    ap.add_argument("--validate-max", type=int, default=25_000,
                    help="validate with the official libraries up to this many files")
    ap.add_argument("--corpora", type=Path, default=Path(tempfile.gettempdir()) / "provenance-bench-reports")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    rows = []
    for files in sizes:
        root = corpus(args.corpora, files)
        rows.append(measure(root, args.validate_max))
        report(rows[-1:])
    if args.million:
        rows.append(measure_outputs_only(corpus(args.corpora, 1_000_000)))
        report(rows[-1:])
    elif args.million_from:
        base = next(r for r in rows if r["files"] >= args.million_from * 0.99)
        rows.append(synthetic(base, 1_000_000))
        report(rows[-1:])
    print("\n== all sizes (baseline: the --no-reports first scan of the same corpus, its own process)")
    report(rows)


if __name__ == "__main__":
    main()
