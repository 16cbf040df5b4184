"""The two steps of `provenance sample`: draw a review file, import its verdicts."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from provenance.errors import ConfigError
from provenance.sampling.draw import draw, sample_size
from provenance.sampling.excerpt import excerpts
from provenance.sampling.population import load_population, scan_dir_of
from provenance.sampling.review import ReviewSummary, record_review, recorded_review, summarise, write_json_atomic
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


def import_review(csv_path: Path, scan: str | Path | None = None, kind: str | None = None,
                  replace: bool = False) -> tuple[ReviewSummary, Path]:
    """Read verdicts, summarise them and record the result in the scan's review.json.

    Which check a file is (human or technical) comes from the `.meta.json` written when it was
    drawn, or from `kind`; it is never guessed, and a `kind` that contradicts the plan is refused.
    The entry a different review file left for the same check is kept unless `replace`."""
    plan: dict[str, object] = {}
    if meta_path(csv_path).is_file():
        try:
            plan = json.loads(meta_path(csv_path).read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ConfigError(f"{meta_path(csv_path).name} is not valid JSON: {exc}") from None
    scan_ref = scan if scan is not None else plan.get("scan_dir")
    if not scan_ref:
        raise ConfigError(f"no {meta_path(csv_path).name} beside {csv_path.name}: give --scan and --kind")
    planned = plan.get("kind")
    if kind is not None and isinstance(planned, str) and planned != kind:
        raise ConfigError(f"--kind {kind} contradicts {meta_path(csv_path).name}, which says this sample was drawn"
                          f" for the {planned} check")
    chosen = kind or planned
    if not isinstance(chosen, str):
        raise ConfigError(f"no {meta_path(csv_path).name} beside {csv_path.name} says which check this is:"
                          " give --kind human or --kind technical")
    scan_dir = scan_dir_of(str(scan_ref))
    rows = read_rows(csv_path)
    population = plan.get("population")
    if not isinstance(population, int):
        population = load_population(scan_dir).size
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
    other = recorded_review(scan_dir, chosen)
    if other is not None and not replace and other.get("review_file") not in (None, summary.review_file):
        raise ConfigError(f"review.json already holds the {chosen} check from {other.get('review_file')};"
                          " give --replace to record this file instead")
    return summary, record_review(scan_dir, summary)
