"""A hostile corpus, scanned the way a user would: cases tried, crashes, unreported cases, peak RSS.

    python bench/hostile.py [--keep DIR]

The corpus holds special files, broken links and loops, bad names, archive bombs and zip-slip
names, decompression-bomb and truncated images, broken tables, a 100 MB single-line JSONL, deep
JSON, a YAML alias bomb in a card and a 2 GiB sparse file. The scan runs as `provenance scan` in a
child process; a crash is a traceback or an exit code other than 1 or 3. Each case must show up
as an error entry (or, for names, a finding) with its reason; the corpus must be unchanged and
nothing may be written outside the output folder.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import socket
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.conftest import tree_digest  # noqa: E402


def build(root: Path) -> dict[str, str]:
    """Write every case; returns {path in the result: what it is}."""
    cases: dict[str, str] = {}

    def add(rel: str, what: str, data: bytes | None = None) -> Path:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if data is not None:
            path.write_bytes(data)
        cases[rel] = what
        return path

    (root / "LICENSE").write_text("Released under the MIT License.\n")
    os.mkfifo(add("fifo", "FIFO"))
    os.mknod(add("chardev", "character device"), stat.S_IFCHR | 0o600, os.makedev(1, 3))
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(add("socket", "socket")))
    sock.close()
    os.symlink("loop-b", add("loop-a", "symlink loop"))
    os.symlink("loop-a", add("loop-b", "symlink loop"))
    os.symlink("missing", add("dangling", "dangling symlink"))
    with open(os.path.join(os.fsencode(root), b"bad-\xff\xfe.txt"), "wb") as f:
        f.write(b"x")
    cases["bad-\\xff\\xfe.txt"] = "invalid UTF-8 name"
    add("new\nline.txt", "newline in name", b"y").rename(root / "new\nline.txt")
    cases["new\\x0aline.txt"] = cases.pop("new\nline.txt")
    add("binary.txt", "binary data named .txt", bytes(range(256)) * 64)
    add("empty.txt", "empty file", b"")
    add("ragged.csv", "ragged CSV", b"a,license\n1,mit\n2\n3,mit,x\n")
    add("deep.json", "deeply nested JSON", b"[" * 200_000 + b"]" * 200_000)
    add("big-line.jsonl", "100 MB single-line JSONL", b'{"text": "' + b"a" * (100 * 2**20) + b'"}\n')
    add("card/README.md", "YAML alias bomb in a card",
        b"---\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        b"d: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n---\n")
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.table({"license": ["mit"] * 10_000}), buf)
    add("truncated.parquet", "truncated Parquet", buf.getvalue()[: len(buf.getvalue()) // 2])
    from PIL import Image

    jpeg = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 10, 10)).save(jpeg, "JPEG")
    add("truncated.jpg", "truncated JPEG", jpeg.getvalue()[:600])
    png = io.BytesIO()
    Image.new("L", (8, 8)).save(png, "PNG")
    data = bytearray(png.getvalue())
    data[16:24] = (100_000).to_bytes(4, "big") + (100_000).to_bytes(4, "big")  # IHDR claims 10^10 pixels
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")  # a valid chunk: only the size lies
    add("bomb.png", "decompression-bomb image", bytes(data))
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.txt", b"\0" * (512 * 2**20))
    add("bomb.zip", "zip bomb (512 MiB of zeros)", zbuf.getvalue())
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("../../escape.txt", b"zip slip")
    add("slip.zip", "zip-slip member name", zbuf.getvalue())
    tbuf = io.BytesIO()
    with tarfile.open(fileobj=tbuf, mode="w:gz") as t:
        info = tarfile.TarInfo("zeros.bin")
        info.size = 256 * 2**20
        t.addfile(info, io.BytesIO(b"\0" * info.size))
    add("bomb.tar.gz", "tar.gz bomb (256 MiB of zeros)", tbuf.getvalue())
    inner = b"innermost"
    for level in range(12):
        zb = io.BytesIO()
        with zipfile.ZipFile(zb, "w") as z:
            z.writestr(f"level{level}.zip" if level else "data.txt", inner)
        inner = zb.getvalue()
    add("nested.zip", "archives nested 12 deep", inner)
    add("gz-bomb.txt.gz", "gzip bomb", gzip.compress(b"\0" * (256 * 2**20)))
    with open(add("sparse.bin", "2 GiB sparse file"), "wb") as f:
        f.truncate(2 * 2**30)
    return cases


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", type=Path, help="build the corpus here and keep it")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="hostile-"))
    root, out = work / "corpus", work / "out"
    root.mkdir(parents=True, exist_ok=True)
    cases = build(root)
    before = tree_digest(root)
    siblings = set(os.listdir(work))
    code = ("import runpy, sys, json, resource;"
            "sys.argv = ['provenance', 'scan', sys.argv[1], '-o', sys.argv[2], '-q', '--no-reports'];"
            "import atexit;"
            "atexit.register(lambda: print(json.dumps({'rss': [l for l in open('/proc/self/status') "
            "if l.startswith('VmHWM')][0].split()[1]}), file=sys.stderr));"
            "runpy.run_module('provenance', run_name='__main__')")
    proc = subprocess.run([sys.executable, "-c", code, str(root), str(out)], capture_output=True, text=True,
                          cwd=HERE.parent)
    crashed = "Traceback" in proc.stderr or proc.returncode not in (1, 3)
    rss_mb = int(json.loads(proc.stderr.strip().splitlines()[-1])["rss"]) / 1024 if proc.stderr.strip() else 0.0
    data = json.loads((out / "scan.json").read_text()) if (out / "scan.json").exists() else {"errors": []}
    reasons: dict[str, list[str]] = {}
    for e in data["errors"]:
        top = e["path"].split("!", 1)[0]
        reasons.setdefault(top, []).append(e["reason"])
    print(f"{'case':<34}{'path':<22} reported reason")
    missing = 0
    for path, what in cases.items():
        got = reasons.get(path)
        missing += got is None
        print(f"{what:<34}{path[:21]:<22} {'yes' if got else 'NO '} {(got or [''])[0][:70]}")
    unchanged = tree_digest(root) == before
    outside = sorted(set(os.listdir(work)) - siblings - {"out"})
    print(f"\ncases tried: {len(cases)}; crashes: {int(crashed)}; cases without an error entry: {missing}")
    print(f"exit code {proc.returncode} ({data.get('verdict', {}).get('status', '?')}); peak RSS {rss_mb:.0f} MB; "
          f"corpus unchanged: {unchanged}; written outside the output folder: {outside or 'nothing'}")
    if crashed:
        print(proc.stderr[-3000:])
    sys.exit(1 if crashed or not unchanged or outside else 0)


if __name__ == "__main__":
    main()
