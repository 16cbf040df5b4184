"""The two steps of `provenance sample`: draw a review file, import its verdicts."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from provenance.errors import ConfigError
from provenance.sampling.draw import HUMAN_MIN_ITEMS, draw, sample_size
from provenance.sampling.excerpt import excerpts
from provenance.sampling.population import load_population, scan_dir_of
from provenance.sampling.review import ReviewSummary, record_review, summarise, write_json_atomic
from provenance.sampling.review_csv import ReviewRow, read_rows, write_rows


@dataclass(frozen=True)
class SamplePlan:
    """What was drawn, stored beside the CSV (`<name>.meta.json`) so the import knows the rule."""

    scan_dir: str
    kind: str
    seed: int
    size: int
    population: int
    n: int | None
    fraction: float | None
    #: (source, items drawn, items in the source).
    strata: tuple[tuple[str, int, int], ...]


def meta_path(csv_path: Path) -> Path:
    return csv_path.with_name(csv_path.stem + ".meta.json")


def draw_review(scan: str | Path, out: Path, seed: int, n: int | None = None,
                fraction: float | None = None) -> SamplePlan:
    population = load_population(scan)
    size = sample_size(population.size, n, fraction)
    items = draw(population, size, seed)
    rows: list[ReviewRow] = []
    drawn: dict[str, int] = {}
    for stratum in population.strata:
        mine = tuple(i for i in items if i.source == stratum.source)
        drawn[stratum.source] = len(mine)
        found = excerpts(stratum.root, mine)
        for item in mine:
            excerpt = found[item]
            sample_id = f"{len(rows) + 1:06d}"
            rows.append(ReviewRow(sample_id, item.source, item.path, excerpt.locator, excerpt.text))
    write_rows(out, rows)
    plan = SamplePlan(
        scan_dir=str(population.scan_dir.resolve()),
        kind="technical" if fraction is not None else "human",
        seed=seed,
        size=len(rows),
        population=population.size,
        n=n,
        fraction=fraction,
        strata=tuple((s.source, drawn[s.source], s.size) for s in population.strata),
    )
    write_json_atomic(meta_path(out), asdict(plan))
    return plan


def import_review(csv_path: Path, scan: str | Path | None = None, kind: str | None = None) -> tuple[
    ReviewSummary, Path
]:
    """Read verdicts, summarise them and record the result in the scan's review.json."""
    plan: dict[str, object] = {}
    if meta_path(csv_path).is_file():
        plan = json.loads(meta_path(csv_path).read_text(encoding="utf-8"))
    scan_ref = scan if scan is not None else plan.get("scan_dir")
    if not scan_ref:
        raise ConfigError(f"no {meta_path(csv_path).name} beside {csv_path.name}: give --scan")
    scan_dir = scan_dir_of(str(scan_ref))
    rows = read_rows(csv_path)
    population = plan.get("population")
    if not isinstance(population, int):
        population = load_population(scan_dir).size
    chosen = kind or plan.get("kind")
    if not isinstance(chosen, str):
        # Without a plan, decide by size: under 4,000 items but at least 10% can only be technical.
        chosen = "technical" if HUMAN_MIN_ITEMS > len(rows) >= 0.1 * population else "human"
    seed = plan.get("seed")
    drawn = plan.get("size")
    summary = summarise(
        rows,
        chosen,
        population,
        seed if isinstance(seed, int) else None,
        str(csv_path.resolve()),
        drawn if isinstance(drawn, int) else None,
    )
    return summary, record_review(scan_dir, summary)
