"""Personal-information hits on REAL text: the detector run over the text records of real
dataset repositories, for judging precision by hand. Never run in CI; skipped when the
repositories are absent.

    PYTHONPATH=. python bench/pii_realworld.py [ROOT] [--sample 50] [--seed 7] [--judged FILE]

ROOT (default /work/realworld/repos) holds one folder per repository. Every file the scanner
would hand to the personal-information detector (text, code, tables; not cards or license
files) is read the way the scan reads it (the first 8 MiB of a text, up to 20,000 records of a
table) and checked with `find_pii`. Printed: hits per repository and type, then a sample of up
to `--sample` hits, each as its masked value with 40 characters of masked context either side.
Raw values are never printed: the context is cut from the masked text.

`--judged FILE` (JSON Lines written by hand: {"key": ..., "true": true|false}, keys as printed
in the sample) prints precision = judged true / judged, overall and per type.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from provenance.detectors.interface import AssetContent
from provenance.detectors.text_items import TEXT_DETECTOR_KINDS, read_items
from provenance.model import Asset
from provenance.sources.kinds import kind_of
from provenance.text.pii import masked_hits

ROOT = Path("/work/realworld/repos")
HEAD_BYTES = 8 * 2**20  # what a scan hands to detectors in memory (Limits.head_bytes)
CONTEXT = 40
SKIP_DIRS = frozenset({".git", "site-packages"})


def files(repo: Path) -> list[Path]:
    out: list[Path] = []
    for folder, dirs, names in os.walk(repo):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                out.append(path)
    return out


def content_of(path: Path, rel: str) -> AssetContent | None:
    kind = kind_of(path.name)
    if kind not in TEXT_DETECTOR_KINDS:
        return None
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    asset = Asset(rel, kind, size, "bench")
    return AssetContent(asset, head, size <= HEAD_BYTES, lambda: path.open("rb"), path)


def hits_of(repo: Path, today: date) -> list[dict]:
    found: list[dict] = []
    for path in files(repo):
        rel = path.relative_to(repo).as_posix()
        content = content_of(path, rel)
        if content is None:
            continue
        items, _facts = read_items(content)
        for item in items:
            masked, spans = masked_hits(item.text, today)
            for start, end, hit in spans:
                before = masked[max(0, start - CONTEXT) : start]
                after = masked[end : end + CONTEXT]
                where = item.locator if item.locator is not None else str(hit.line)
                found.append({
                    "key": f"{repo.name}/{rel}:{where}@{start}",
                    "repo": repo.name, "type": hit.type, "masked": hit.masked,
                    "context": f"{before}[[{hit.masked}]]{after}".replace("\n", "\u23ce"),
                })
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", nargs="?", type=Path, default=ROOT)
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--judged", type=Path, help="JSON Lines of {key, true} judgements")
    parser.add_argument("--dump", type=Path, help="write every hit (masked) as JSON Lines here")
    args = parser.parse_args()
    if not args.root.is_dir():
        print(f"skipped: {args.root} is absent (real repositories are not part of the project)")
        return 0
    today = date(2026, 6, 1)
    hits: list[dict] = []
    for repo in sorted(p for p in args.root.iterdir() if p.is_dir() and p.name not in SKIP_DIRS):
        hits.extend(hits_of(repo, today))
    by_repo: Counter[tuple[str, str]] = Counter((h["repo"], h["type"]) for h in hits)
    types = sorted({t for _, t in by_repo})
    print(f"## personal-information hits on real text ({len(hits)} hits)\n")
    print("| repository | " + " | ".join(types) + " | all |")
    print("|---|" + "---|" * (len(types) + 1))
    for repo in sorted({r for r, _ in by_repo}):
        counts = [by_repo[(repo, t)] for t in types]
        print(f"| {repo} | " + " | ".join(str(c) for c in counts) + f" | {sum(counts)} |")
    totals = Counter(h["type"] for h in hits)
    print("| all | " + " | ".join(str(totals[t]) for t in types) + f" | {len(hits)} |\n")
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as fh:
            for h in hits:
                fh.write(json.dumps(h, ensure_ascii=False) + "\n")
    sample = random.Random(args.seed).sample(hits, min(args.sample, len(hits)))
    print(f"## sample of {len(sample)} hits (seed {args.seed})\n")
    for h in sample:
        print(f"- `{h['key']}` {h['type']}: {h['context']}")
    if args.judged:
        judged = {}
        with args.judged.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    judged[row["key"]] = bool(row["true"])
        seen = [h for h in hits if h["key"] in judged]
        right = sum(judged[h["key"]] for h in seen)
        print(f"\njudged {len(seen)} of {len(hits)} hits: precision {right}/{len(seen)}"
              f" = {right / len(seen) if seen else 1.0:.3f}")
        for t in sorted({h["type"] for h in seen}):
            of_type = [h for h in seen if h["type"] == t]
            good = sum(judged[h["key"]] for h in of_type)
            print(f"- {t}: {good}/{len(of_type)}")
    return 0


if __name__ == "__main__":
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", line_buffering=True)
    raise SystemExit(main())
