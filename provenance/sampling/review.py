"""The qualified rate of a reviewed sample, its confidence interval, and pass or fail."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from provenance.atomic import write_text
from provenance.errors import ConfigError
from provenance.sampling.draw import HUMAN_MIN_ITEMS, HUMAN_THRESHOLD, TECHNICAL_FRACTION, TECHNICAL_THRESHOLD
from provenance.sampling.review_csv import ReviewRow, parse_verdict

REVIEW_FILE = "review.json"
Z95 = 1.959963984540054


@dataclass(frozen=True)
class ReviewSummary:
    """One imported review, as the report shows it."""

    #: "human" (>= 4,000 items, >= 96%) or "technical" (>= 10% of items, >= 98%).
    kind: str
    #: Items in the sample, reviewed or not.
    n: int
    reviewed: int
    qualified: int
    unqualified: int
    #: Qualified share of the reviewed items (0 when none was reviewed).
    rate: float
    #: Wilson score 95% interval of the rate.
    ci_low: float
    ci_high: float
    threshold: float
    #: The smallest sample the rule accepts for this kind.
    min_items: int
    #: Items the sample was drawn from.
    population: int
    seed: int | None
    #: Rate at or over the threshold, every item reviewed, and the sample large enough.
    passed: bool
    #: Why it did not pass (empty when it passed).
    reasons: tuple[str, ...]
    review_file: str


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval: honest near 100%, where the normal approximation breaks down."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def rule_for(kind: str, population: int) -> tuple[float, int]:
    """(threshold, minimum sample size) of the human or technical check."""
    if kind == "human":
        return HUMAN_THRESHOLD, min(HUMAN_MIN_ITEMS, population)
    if kind == "technical":
        return TECHNICAL_THRESHOLD, math.ceil(TECHNICAL_FRACTION * population)
    raise ConfigError(f"unknown review kind {kind!r} (human or technical)")


def summarise(
    rows: tuple[ReviewRow, ...],
    kind: str,
    population: int,
    seed: int | None,
    review_file: str,
    drawn: int | None = None,
) -> ReviewSummary:
    """`drawn` is the sample size recorded when the sample was drawn, when known."""
    qualified = unqualified = 0
    unknown: list[str] = []
    for row in rows:
        try:
            verdict = parse_verdict(row.verdict)
        except ValueError:
            unknown.append(f"{row.sample_id}: {row.verdict!r}")
            continue
        if verdict is True:
            qualified += 1
        elif verdict is False:
            unqualified += 1
    if unknown:
        shown = "; ".join(unknown[:5])
        raise ConfigError(
            f"{len(unknown)} verdict(s) not understood (use 合格/不合格 or qualified/unqualified): {shown}"
        )
    reviewed = qualified + unqualified
    rate = qualified / reviewed if reviewed else 0.0
    low, high = wilson(qualified, reviewed)
    threshold, min_items = rule_for(kind, population)
    reasons = []
    ids = [row.sample_id for row in rows]
    if len(set(ids)) != len(ids):
        reasons.append("the review file repeats sample ids")
    if drawn is not None and len(rows) != drawn:
        reasons.append(f"the review file has {len(rows)} rows but {drawn} items were drawn")
    if reviewed < len(rows):
        reasons.append(f"{len(rows) - reviewed} of {len(rows)} items have no verdict")
    if len(rows) < min_items:
        reasons.append(f"sample of {len(rows)} is below the required {min_items}")
    if reviewed == 0 or rate < threshold:
        reasons.append(f"qualified rate {rate:.2%} is below {threshold:.0%}")
    return ReviewSummary(
        kind=kind,
        n=len(rows),
        reviewed=reviewed,
        qualified=qualified,
        unqualified=unqualified,
        rate=round(rate, 6),
        ci_low=round(low, 6),
        ci_high=round(high, 6),
        threshold=threshold,
        min_items=min_items,
        population=population,
        seed=seed,
        passed=not reasons,
        reasons=tuple(reasons),
        review_file=review_file,
    )


def write_json_atomic(path: Path, data: Any) -> None:
    write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def _reviews(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = {"schema": 1, "reviews": {}}
    if path.is_file():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict) and isinstance(loaded.get("reviews"), dict):
                data = loaded
        except ValueError:
            pass  # a broken file is replaced by a correct one
    return data


def recorded_review(scan_dir: Path, kind: str) -> dict[str, Any] | None:
    """The entry review.json holds for one check, if any."""
    entry = _reviews(scan_dir / REVIEW_FILE)["reviews"].get(kind)
    return entry if isinstance(entry, dict) else None


def record_review(scan_dir: Path, summary: ReviewSummary) -> Path:
    """Store the summary in `review.json` beside scan.json, keyed by kind; scan.json is untouched.

    Layout: {"schema": 1, "reviews": {"human": {...summary}, "technical": {...}}}.
    """
    path = scan_dir / REVIEW_FILE
    data = _reviews(path)
    entry = asdict(summary)
    entry["pass"] = entry.pop("passed")
    entry["reasons"] = list(summary.reasons)
    data["reviews"][summary.kind] = entry
    write_json_atomic(path, data)
    return path
