"""Side by side with ScanCode on the same files: accuracy per variant and files/s.

    PYTHONPATH=.:bench python bench/license_vs_scancode.py [--every N] [--scancode PATH] [--real GLOB]

ScanCode runs as its own CLI from its own environment (never a project dependency): the path
comes from --scancode or $SCANCODE (default /tmp/scvenv/bin/scancode); without it the ScanCode
column is skipped with a message. One scoring rule for both tools:
- SPDX texts: the ids in the file's expression must be non-empty and all within the truth's
  identical-text group (a family answer counts through its members); any extra id is a miss.
- notices: the expression's ids must equal the expected ones; ambiguous, reservation and negative
  phrasings must give no license at all.
- real files (LICENSE/COPYING/NOTICE files of installed packages, no ground truth): the two tools'
  agreement is reported, with the files each identified, and speed on them.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from notice_cases import NoticeCase, expression_correct, load_cases
from variants import VARIANTS

from provenance.licensing.identify import identify_file, index_version
from provenance.licensing.identify.cache import get_index
from provenance.licensing.identify.reference import load_bundle
from provenance.licensing.identify.types import FileIdentification

DEFAULT_REAL = "/tmp/*venv/lib/python3.*/site-packages/*.dist-info/**/*"


@dataclass(frozen=True)
class Item:
    """One benchmark file and what it should give."""

    name: str  # path relative to the corpus root
    kind: str  # a variant name, "notices-<set>", or "real"
    truth: str  # an SPDX id (texts) or a notice expectation; "" for real files
    notice: NoticeCase | None = None
    source: str = ""  # where a real file came from


def build_corpus(root: Path, every: int, real_glob: str) -> list[Item]:
    items: list[Item] = []

    def put(name: str, body: str, item: Item) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body.encode("utf-8"))
        items.append(item)

    refs = [(lic.id, lic.text) for lic in load_bundle().licenses if lic.text and not lic.deprecated][::every]
    for variant, make in VARIANTS.items():
        for seed, (lid, text) in enumerate(refs):
            name = f"{variant}/{seed:04d}.txt"
            put(name, make(text, seed), Item(name, variant, lid))
    for pattern, label in (("notices_*.tsv", "tuned"), ("heldout_*.tsv", "heldout")):
        for n, case in enumerate(load_cases(pattern)):
            name = f"notices-{label}/{n:04d}.txt"
            put(name, case.text + "\n", Item(name, f"notices-{label}", case.expected, case))
    real = sorted(p for p in glob.glob(real_glob, recursive=True) if _is_license_file(p))
    for n, path in enumerate(real):
        name = f"real/{n:04d}-{Path(path).name}"
        put(name, Path(path).read_text("utf-8", errors="replace"), Item(name, "real", "", source=path))
    return items


def _is_license_file(path: str) -> bool:
    name = Path(path).name.upper()
    return os.path.isfile(path) and bool(
        re.fullmatch(r"(LICEN[CS]E|COPYING|NOTICE)([._-][A-Z0-9._-]*)?", name)
    )


def ids_of(expression: str | None) -> set[str]:
    if not expression:
        return set()
    words = re.split(r"[\s()]+", expression)
    return {w for w in words if w and w not in ("AND", "OR", "WITH") and "exception" not in w.lower()}


def our_ids(result: FileIdentification) -> set[str]:
    """The expression's license ids, or the family's members when the answer is a family."""
    if result.expression:
        return ids_of(result.expression)
    return {a for m in result.matches if m.matcher == "text" for a in m.ambiguous}


def correct(
    item: Item,
    ids: set[str],
    expression: str | None,
    groups: dict[str, frozenset[str]],
    lenient: bool = False,
) -> bool:
    """Strict: every id in the answer belongs to the truth's group. Lenient (texts only): extra
    LicenseRef- ids (ScanCode's "unknown-license-reference", "warranty-disclaimer") are ignored."""
    if item.notice is not None:
        return expression_correct(item.notice, expression)
    group = groups.get(item.truth, frozenset({item.truth}))
    if lenient:
        ids = {i for i in ids if not i.startswith("LicenseRef-")}
    return bool(ids) and ids <= group


def run_ours(root: Path, items: list[Item]) -> tuple[dict[str, FileIdentification], dict[str, float]]:
    results: dict[str, FileIdentification] = {}
    seconds: dict[str, float] = {}
    for item in items:
        text = (root / item.name).read_text("utf-8")
        t0 = time.perf_counter()
        results[item.name] = identify_file(text)
        seconds[item.kind] = seconds.get(item.kind, 0.0) + time.perf_counter() - t0
    return results, seconds


def run_scancode(exe: str, root: Path) -> tuple[dict[str, str | None], float, float, str]:
    """ScanCode over the corpus in one process (-n 1), and over one tiny file to time its start-up."""
    work = root.parent
    tiny = work / "tiny"
    tiny.mkdir(exist_ok=True)
    (tiny / "a.txt").write_text("Licensed under the MIT License.\n")
    common = ["--license", "-n", "1", "--quiet", "--timeout", "300"]
    t0 = time.perf_counter()
    subprocess.run([exe, *common, "--json", str(work / "tiny.json"), str(tiny)], check=True)
    startup = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run([exe, *common, "--json", str(work / "scancode.json"), str(root)], check=True)
    total = time.perf_counter() - t0
    data = json.loads((work / "scancode.json").read_text())
    answers = {
        f["path"].split("/", 1)[1]: f.get("detected_license_expression_spdx")
        for f in data["files"]
        if f["type"] == "file"
    }
    version = next((h.get("tool_version", "?") for h in data.get("headers", [])), "?")
    return answers, total, startup, version


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--every", type=int, default=6, help="every Nth SPDX text (default 6)")
    parser.add_argument("--scancode", default=os.environ.get("SCANCODE", "/tmp/scvenv/bin/scancode"))
    parser.add_argument("--real", default=DEFAULT_REAL, help="glob of real license files (dist-info dirs)")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()

    t0 = time.perf_counter()
    index = get_index()
    load = time.perf_counter() - t0
    groups = {m: frozenset(e.members) for e in index.entries for m in e.members}
    work = Path(tempfile.mkdtemp(prefix="provenance-bench-"))
    root = work / "corpus"
    try:
        items = build_corpus(root, args.every, args.real)
        identify_file("warm-up: Licensed under the MIT License.")
        ours, our_seconds = run_ours(root, items)
        our_total = sum(our_seconds.values())
        print(
            f"Corpus: {len(items)} files: every {args.every}th SPDX text x {len(VARIANTS)} variants, "
            f"notice phrasings, real license files of installed packages"
        )
        print(
            f"provenance {index_version()}: index loaded in {load * 1000:.0f} ms; "
            f"{our_total * 1000 / len(items):.2f} ms/file, {len(items) / our_total:.0f} files/s (one core)"
        )
        theirs: dict[str, str | None] = {}
        if not (shutil.which(args.scancode) or Path(args.scancode).is_file()):
            print(
                f"ScanCode column skipped: no ScanCode at {args.scancode!r} (install scancode-toolkit and "
                "'pluggy<1.6' in a separate venv; pass --scancode or set $SCANCODE)"
            )
        else:
            theirs, total, startup, version = run_scancode(args.scancode, root)
            scanning = max(total - startup, 1e-9)
            ratio = (len(items) / our_total) / (len(items) / scanning)
            print(
                f"ScanCode {version}: {total:.1f} s for the corpus, of which start-up {startup:.1f} s; "
                f"{len(items) / scanning:.1f} files/s scanning (-n 1)"
            )
            print(
                f"Speed: provenance/ScanCode = {ratio:.0f}x (files/s, ScanCode start-up excluded; "
                f"{(len(items) / our_total) / (len(items) / total):.0f}x including it)"
            )

        print(
            f"\n{'set':<16}{'files':>6}{'provenance':>12}{'ScanCode':>10}"
            f"{'SC lenient':>12}{'our ms/file':>13}"
        )
        kinds = list(dict.fromkeys(item.kind for item in items if item.kind != "real"))
        scored = [i for i in items if i.kind != "real"]
        for kind in [*kinds, "all scored"]:
            chosen = [i for i in scored if kind in ("all scored", i.kind)]
            n = len(chosen)
            ok = sum(correct(i, our_ids(ours[i.name]), ours[i.name].expression, groups) for i in chosen)
            sc = lenient = "-"
            if theirs:
                hits = sum(correct(i, ids_of(theirs.get(i.name)), theirs.get(i.name), groups) for i in chosen)
                sc = f"{hits / n:.2%}"
                soft = sum(
                    correct(i, ids_of(theirs.get(i.name)), theirs.get(i.name), groups, lenient=True)
                    for i in chosen
                )
                lenient = f"{soft / n:.2%}"
            spent = our_seconds[kind] if kind in our_seconds else our_total - our_seconds.get("real", 0.0)
            ms = spent * 1000 / n
            print(f"{kind:<16}{n:>6}{ok / n:>12.2%}{sc:>10}{lenient:>12}{ms:>13.2f}")

        real = [i for i in items if i.kind == "real"]
        if real:
            found = sum(bool(ours[i.name].expression) for i in real)
            line = f"\nReal license files: {len(real)}; provenance identified {found}"
            if theirs:
                sc_found = sum(bool(theirs.get(i.name)) for i in real)
                agree = sum(our_ids(ours[i.name]) == ids_of(theirs.get(i.name)) for i in real)
                line += f", ScanCode {sc_found}; same license ids on {agree} ({agree / len(real):.0%})"
            print(line + f"; our {our_seconds['real'] * 1000 / len(real):.2f} ms/file")
        if args.show_misses:
            for item in items:
                mine = ours[item.name]
                ok = item.kind == "real" or correct(item, our_ids(mine), mine.expression, groups)
                other = theirs.get(item.name)
                same = our_ids(mine) == ids_of(other)
                if not ok or (theirs and not same):
                    print(
                        f"  {item.kind:<15} {item.name:<40} truth={item.truth or '?':<22} "
                        f"ours={mine.expression} | scancode={other}"
                    )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
