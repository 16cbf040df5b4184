"""Side by side with ScanCode on the same files: accuracy per variant and files/s.

    PYTHONPATH=.:bench python bench/license_vs_scancode.py [--every N] [--scancode PATH]

ScanCode runs as its own CLI from its own environment (never a project dependency): the path
comes from --scancode or $SCANCODE (default /tmp/scvenv/bin/scancode); without it the ScanCode
column is skipped. Both tools are scored by one rule: the set of license ids in the file's
expression must be non-empty and within the truth's identical-text group (for a family answer,
the family's members); for notice files, the expression's ids must equal the expected ones, and
ambiguous, reservation and negative notices must yield no license.
"""

from __future__ import annotations

import argparse
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

from notice_cases import expression_correct, load_cases
from variants import VARIANTS

from provenance.licensing.identify import identify_file, index_version
from provenance.licensing.identify.index import get_index
from provenance.licensing.identify.reference import load_bundle
from provenance.licensing.identify.types import FileIdentification


@dataclass(frozen=True)
class Item:
    """One benchmark file: where it is, which variant, what it should give."""

    path: str
    variant: str
    truth: str  # an SPDX id for texts, the notice case's expectation for notices
    text: str


def build_corpus(root: Path, every: int) -> list[Item]:
    refs = [(lic.id, lic.text) for lic in load_bundle().licenses if lic.text and not lic.deprecated][::every]
    items = []
    for variant, make in VARIANTS.items():
        (root / variant).mkdir(parents=True)
        for seed, (lid, text) in enumerate(refs):
            path = root / variant / f"{seed:04d}.txt"
            body = make(text, seed)
            path.write_bytes(body.encode("utf-8"))
            items.append(Item(str(path), variant, lid, body))
    (root / "notices").mkdir()
    for n, case in enumerate(load_cases()):
        path = root / "notices" / f"{case.language}-{n:04d}.txt"
        path.write_text(case.text + "\n", encoding="utf-8")
        items.append(Item(str(path), f"notices-{case.language}", case.expected, case.text))
    return items


def ids_of(expression: str | None) -> set[str]:
    if not expression:
        return set()
    return {t for t in re.split(r"[\s()]+", expression) if t and t not in ("AND", "OR", "WITH")}


def text_correct(truth: str, ids: set[str], group: frozenset[str]) -> bool:
    # An exception id never counts against a text answer: only the license ids are compared.
    return bool(ids) and truth in group and ids <= group


def our_ids(result: FileIdentification) -> set[str]:
    """The expression's license ids, or the family's members when the answer is a family."""
    if result.expression:
        return {i for i in ids_of(result.expression) if "exception" not in i.lower()}
    return {a for m in result.matches if m.matcher == "text" for a in m.ambiguous}


def score(item: Item, ids: set[str], expression: str | None, groups: dict[str, frozenset[str]]) -> bool:
    if item.variant.startswith("notices"):
        case = next(c for c in load_cases_cached() if c.text == item.text)
        return expression_correct(case, expression)
    return text_correct(item.truth, ids, groups.get(item.truth, frozenset({item.truth})))


_CASES: list = []


def load_cases_cached() -> list:
    if not _CASES:
        _CASES.extend(load_cases())
    return _CASES


def run_ours(items: list[Item], groups: dict[str, frozenset[str]]) -> tuple[dict[str, bool], float]:
    out = {}
    start = time.perf_counter()
    results = {item.path: identify_file(Path(item.path).read_text("utf-8")) for item in items}
    elapsed = time.perf_counter() - start
    for item in items:
        result = results[item.path]
        out[item.path] = score(item, our_ids(result), result.expression, groups)
    return out, elapsed


def run_scancode(exe: str, root: Path, items: list[Item], groups: dict[str, frozenset[str]]):
    """ScanCode on the whole corpus in one process, and on one tiny file to time its start-up."""
    out_json = root.parent / "scancode.json"
    tiny = root.parent / "tiny"
    tiny.mkdir(exist_ok=True)
    (tiny / "a.txt").write_text("Licensed under the MIT License.\n")
    common = ["--license", "-n", "1", "--quiet", "--timeout", "300"]
    t0 = time.perf_counter()
    subprocess.run([exe, *common, "--json", str(root.parent / "tiny.json"), str(tiny)], check=True)
    startup = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run([exe, *common, "--json", str(out_json), str(root)], check=True)
    total = time.perf_counter() - t0
    data = json.loads(out_json.read_text())
    by_path = {}
    for f in data["files"]:
        if f["type"] != "file":
            continue
        by_path[f["path"]] = f.get("detected_license_expression_spdx")
    version = next((h.get("tool_version") for h in data.get("headers", [])), "?")
    out = {}
    answers = {}
    base = root.name
    for item in items:
        rel = base + "/" + str(Path(item.path).relative_to(root))
        expression = by_path.get(rel)
        answers[item.path] = expression
        out[item.path] = score(item, ids_of(expression), expression, groups)
    return out, total, startup, version, answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=6, help="every Nth SPDX text (default 6)")
    parser.add_argument("--scancode", default=os.environ.get("SCANCODE", "/tmp/scvenv/bin/scancode"))
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()

    t0 = time.perf_counter()
    index = get_index()
    load = time.perf_counter() - t0
    groups = {m: frozenset(e.members) for e in index.entries for m in e.members}
    root = Path(tempfile.mkdtemp(prefix="provenance-bench-")) / "corpus"
    try:
        items = build_corpus(root, args.every)
        identify_file("warm-up: Licensed under the MIT License.")
        ours, our_time = run_ours(items, groups)
        print(f"Corpus: {len(items)} files ({args.every}th SPDX text x {len(VARIANTS)} variants + notices)")
        print(
            f"provenance {index_version()}: index loaded in {load * 1000:.0f} ms; "
            f"{our_time * 1000 / len(items):.2f} ms/file, {len(items) / our_time:.0f} files/s (one core)"
        )
        have_sc = shutil.which(args.scancode) or Path(args.scancode).exists()
        if not have_sc:
            print(
                f"\nScanCode column skipped: no ScanCode at {args.scancode!r} "
                "(install scancode-toolkit and 'pluggy<1.6' in a separate venv, pass --scancode or $SCANCODE)"
            )
            theirs: dict[str, bool] = {}
        else:
            theirs, total, startup, version, answers = run_scancode(args.scancode, root, items, groups)
            scan_only = max(total - startup, 1e-9)
            print(
                f"ScanCode {version}: {total:.1f} s wall for the corpus incl. start-up {startup:.1f} s; "
                f"{len(items) / scan_only:.1f} files/s scanning (-n 1), {len(items) / total:.1f} files/s overall"
            )
            print(
                f"Speed ratio (files/s, ScanCode scanning only): {(len(items) / our_time) / (len(items) / scan_only):.0f}x"
            )
        print(f"\n{'variant':<12}{'files':>6}{'provenance':>12}{'ScanCode':>10}")
        variants = list(dict.fromkeys(item.variant for item in items))
        for variant in [*variants, "all"]:
            chosen = [i for i in items if variant in ("all", i.variant)]
            n = len(chosen)
            ours_ok = sum(ours[i.path] for i in chosen)
            sc = f"{sum(theirs[i.path] for i in chosen) / n:>10.2%}" if theirs else f"{'-':>10}"
            print(f"{variant:<12}{n:>6}{ours_ok / n:>12.2%}{sc}")
        if theirs and args.show_misses:
            for item in items:
                if not theirs[item.path] or not ours[item.path]:
                    print(
                        f"  {item.variant:<12} {item.truth:<28} ours={ours[item.path]!s:<5} "
                        f"scancode={theirs[item.path]!s:<5} {answers[item.path]}"
                    )
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
