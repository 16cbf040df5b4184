"""What the filing outputs cost, against the `--no-reports` scan of the same corpus.

    python bench/reports.py [--sizes 20000,100000] [--million] [--validate-max 25000] [--corpora DIR]

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
               outputs_rss=outputs["rss"], failed=outputs["failed"], sizes=outputs["sizes"])
    if base["files"] <= validate_max:
        row["validate"] = child(VALIDATE, str(work / "scan"))
    first = child(SCAN, str(root), str(work / "cli"), "1")
    again = child(SCAN, str(root), str(work / "cli"), "1")
    row.update(first=first, rescan=again, load_after=load())
    return row


def report(rows: list[dict]) -> None:
    print(f"\n{'files':>10} {'scan s':>8} {'outputs s':>10} {'x scan':>7} {'outputs RSS MB':>15} "
          f"{'validate s (2.3 / 3.0.1)':>26} {'first s':>8} {'rescan s':>9} {'first/rescan':>13}")
    for r in rows:
        v = r.get("validate")
        vtext = (f"{v['manifest.spdx.json']['seconds']:.1f} / {v['manifest.spdx3.jsonld']['seconds']:.1f}"
                 if v else "not run")
        first, again = r["first"]["total"], r["rescan"]["total"]
        print(f"{r['files']:>10,} {r['scan']:>8.2f} {r['outputs']:>10.2f} {r['outputs'] / r['scan']:>7.1%} "
              f"{r['outputs_rss']:>15.0f} {vtext:>26} {first:>8.2f} {again:>9.2f} {first / again:>12.1f}x")
    for r in rows:
        print(f"\n{r['files']:,} files: {r['load_before']} -> {r['load_after']}; baseline scan peak RSS "
              f"{r['scan_rss']:.0f} MB; outputs failed: {r['failed'] or 'none'}")
        print("  sizes: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sorted(r["sizes"].items())))
        if r.get("validate"):
            v = r["validate"]
            print(f"  official validation: valid 2.3={v['manifest.spdx.json']['valid']} "
                  f"3.0.1={v['manifest.spdx3.jsonld']['valid']}, peak RSS {v['rss']:.0f} MB")
        f, a = r["first"], r["rescan"]
        print(f"  first scan + outputs: scan {f['scan']:.2f} s + outputs {f['outputs']:.2f} s; "
              f"unchanged rescan: scan {a['scan']:.2f} s + outputs {a['outputs']:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="20000,100000", help="comma-separated file counts")
    ap.add_argument("--million", action="store_true", help="also 1,000,000 files")
    ap.add_argument("--validate-max", type=int, default=25_000,
                    help="validate with the official libraries up to this many files")
    ap.add_argument("--corpora", type=Path, default=Path(tempfile.gettempdir()) / "provenance-bench-reports")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s] + ([1_000_000] if args.million else [])
    rows = []
    for files in sizes:
        root = corpus(args.corpora, files)
        rows.append(measure(root, args.validate_max))
        report(rows[-1:])
    print("\n== all sizes (baseline: the --no-reports first scan of the same corpus, its own process)")
    report(rows)


if __name__ == "__main__":
    main()
