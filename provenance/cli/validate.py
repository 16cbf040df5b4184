"""`provenance validate OUT/`: judge a scan's outputs with the official SPDX libraries.

Exit 0 when every output is valid, 1 with the validators' messages, 2 when OUT is not a folder.
Validation is never part of a scan: a scan does not fail because a validator disagrees.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from provenance.model import EXIT_USAGE
from provenance.reporting.validate import validate_outputs


@click.command()
@click.argument("out_dir", type=click.Path(path_type=Path))
def validate(out_dir: Path) -> None:
    """Validate manifest.spdx.json (spdx-tools), manifest.spdx3.jsonld (spdx-python-model) and scan.json
    in OUT_DIR. Exit 0 when all are valid, 1 with the validators' messages.

    \b
    Example:
      provenance scan ./data -o out/ && provenance validate out/
    """

    if not out_dir.is_dir():
        click.echo(f"provenance: {out_dir} is not a folder of scan outputs", err=True)
        sys.exit(EXIT_USAGE)
    verdicts = validate_outputs(out_dir)
    for v in verdicts:
        if v.valid:
            click.echo(f"{v.file}: valid ({v.judge}" + (f"; {v.checked:,} {v.unit}" if v.checked else "") + ")")
        else:
            click.echo(f"{v.file}: {len(v.messages)} problem(s) ({v.judge})")
            for message in v.messages:
                click.echo(f"  - {message}")
    sys.exit(0 if all(v.valid for v in verdicts) else 1)
