"""`provenance sample`: draw review samples from a saved scan, and import the verdicts.

    provenance sample scan.json -n 4000 --seed 7 -o review.csv     (human check)
    provenance sample scan.json --fraction 0.1 --seed 7 -o tech.csv (technical check)
    provenance sample import review.csv                              (verdicts -> review.json)
"""

from __future__ import annotations

from pathlib import Path

import click

from provenance.errors import ProvenanceError
from provenance.model import EXIT_CODES, EXIT_USAGE, Status
from provenance.sampling.workflow import draw_review, import_review


class _DrawByDefault(click.Group):
    """`sample SCAN ...` means `sample draw SCAN ...`; `sample import ...` stays a subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["draw", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DrawByDefault)
def sample() -> None:
    """Draw a reproducible review sample from a scan, or import reviewed verdicts.

    \b
    Examples:
      provenance sample draw out/ -n 4000 --seed 7 -o review.csv        # human check
      provenance sample draw out/ --fraction 0.1 --seed 7 -o tech.csv   # technical check
      provenance sample import review.csv                               # verdicts -> out/review.json
    """


@sample.command("draw")
@click.argument("scan", type=click.Path(exists=True))
@click.option("-n", "n", type=int, default=None, help="Items to draw (human check: at least 4000).")
@click.option("--fraction", type=float, default=None, help="Share of all items (technical check: 0.1).")
@click.option("--seed", type=int, required=True, help="Random seed; the same seed gives the same sample.")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def draw_command(scan: str, n: int | None, fraction: float | None, seed: int, output: Path) -> None:
    """Draw a sample stratified by source and write it as a review CSV (with SAMPLE.meta.json
    beside it, which the import reads).

    \b
    Example:
      provenance sample draw out/scan.json -n 4000 --seed 7 -o review.csv
    """
    try:
        plan = draw_review(scan, output, seed, n=n, fraction=fraction)
    except ProvenanceError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(EXIT_USAGE) from exc
    click.echo(f"{plan.size} of {plan.population} items ({plan.kind} check, seed {plan.seed}) -> {output}")
    for source, drawn, total in plan.strata:
        click.echo(f"  {source}: {drawn} of {total}")


@sample.command("import")
@click.argument("review", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--scan", type=click.Path(exists=True), default=None,
              help="The scan (needed when the review file has no .meta.json beside it).")
@click.option("--kind", type=click.Choice(["human", "technical"]), default=None,
              help="Which check this file is (needed without .meta.json; must agree with it otherwise).")
@click.option("--replace", is_flag=True,
              help="Replace the entry another review file recorded for the same check.")
def import_command(review: Path, scan: str | None, kind: str | None, replace: bool) -> None:
    """Read verdicts (合格/不合格, qualified/unqualified) and record pass or fail in review.json
    beside scan.json. Exit 0 when the check passes, 1 when it fails, 2 for a usage error.

    \b
    Examples:
      provenance sample import review.csv
      provenance sample import review.csv --scan out/ --kind human    # without review.meta.json
    """
    try:
        summary, path = import_review(review, scan=scan, kind=kind, replace=replace)
    except ProvenanceError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(EXIT_USAGE) from exc
    verdict = "PASS" if summary.passed else "FAIL"
    click.echo(
        f"{summary.kind} check: {summary.qualified}/{summary.reviewed} qualified = {summary.rate:.2%} "
        f"(95% CI {summary.ci_low:.2%}-{summary.ci_high:.2%}), threshold {summary.threshold:.0%}: {verdict}"
    )
    for reason in summary.reasons:
        click.echo(f"  {reason}")
    click.echo(f"recorded in {path}")
    raise SystemExit(0 if summary.passed else EXIT_CODES[Status.FAIL])
