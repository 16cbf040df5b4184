"""Coverage-guided fuzzing (atheris) of the parsers that read corpus text, for a fixed budget.

    pip install atheris
    python bench/fuzz.py [--seconds 60] [--target all|identify|notices|card|expression|names]

Each target runs in its own child process (atheris owns the process while it fuzzes). A crash is
any exception other than the documented "bad input" ones; the script prints iterations run and
crashes found per target, and exits non-zero if any target crashed. Not part of CI.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

TARGETS = ("identify", "notices", "card", "expression", "names")

CHILD = r'''
import sys, atheris
with atheris.instrument_imports():
    from provenance.frontmatter import parse_card
    from provenance.licensing.expression import ExpressionSyntaxError, parse
    from provenance.licensing.identify import find_notices, identify_file
    from provenance.licensing.names import normalize_license

count = 0

def text_of(data):
    return atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))

def one(data):
    global count
    count += 1
    text = text_of(data)
    target = {target!r}
    if target == "identify":
        identify_file(text)
    elif target == "notices":
        find_notices(text)
    elif target == "card":
        parse_card(text)
    elif target == "expression":
        try:
            parse(text)
        except ExpressionSyntaxError:
            pass
    elif target == "names":
        normalize_license(text)
    if count % 1000 == 0:
        with open({counter!r}, "w") as f:
            f.write(str(count))

atheris.Setup([sys.argv[0], "-max_total_time={seconds}", "-max_len=4096", "-rss_limit_mb=2048",
               {corpus!r}], one)
try:
    atheris.Fuzz()
finally:
    with open({counter!r}, "w") as f:
        f.write(str(count))
'''

SEEDS = {
    "identify": ["Permission is hereby granted, free of charge, to any person obtaining a copy",
                 "Licensed under the Apache License, Version 2.0"],
    "notices": ["本数据集采用 CC BY 4.0 许可协议", "released under CC BY-NC 4.0", "All rights reserved"],
    "card": ["---\nlicense: mit\n---\n# Card\n", "---\nlicense: [cc-by-4.0, other]\nlicense_name: x\n---\n"],
    "expression": ["MIT OR (Apache-2.0 WITH LLVM-exception)", "LicenseRef-X AND GPL-2.0-or-later"],
    "names": ["cc-by-nc-4.0", "https://creativecommons.org/licenses/by/4.0/", "llama3"],
}


def run(target: str, seconds: int) -> tuple[int, int, str]:
    work = Path(tempfile.mkdtemp(prefix=f"fuzz-{target}-"))
    corpus = work / "corpus"
    corpus.mkdir()
    for i, seed in enumerate(SEEDS[target]):
        (corpus / f"seed{i}").write_text(seed, encoding="utf-8")
    counter = work / "count"
    code = CHILD.format(target=target, seconds=seconds, corpus=str(corpus), counter=str(counter))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=work)
    iterations = int(counter.read_text()) if counter.exists() else 0
    crashed = proc.returncode != 0
    tail = "\n".join(proc.stderr.strip().splitlines()[-15:]) if crashed else ""
    return iterations, int(crashed), tail


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--target", choices=("all", *TARGETS), default="all")
    args = ap.parse_args()
    try:
        import atheris  # noqa: F401
    except ImportError:
        sys.exit("atheris is not installed: pip install atheris")
    chosen = TARGETS if args.target == "all" else (args.target,)
    print(f"{'target':<12}{'seconds':>8}{'iterations':>12}{'crashes':>9}")
    crashed = 0
    for target in chosen:
        iterations, crashes, tail = run(target, args.seconds)
        crashed += crashes
        print(f"{target:<12}{args.seconds:>8}{iterations:>12}{crashes:>9}")
        if tail:
            print(tail)
    sys.exit(1 if crashed else 0)


if __name__ == "__main__":
    main()
