"""The `provenance` command. Each subcommand lives in its own small module."""

from __future__ import annotations

import importlib
from typing import Any

import click

from provenance.model import EXIT_INTERRUPTED
from provenance.version import __version__

# Subcommand modules, imported when present: a missing optional part must not break the CLI.
_SUBCOMMANDS = (
    ("provenance.cli.init", "init"),
    ("provenance.cli.scan", "scan"),
    ("provenance.cli.explain", "explain"),
    ("provenance.cli.diff", "diff"),
    ("provenance.cli.summary", "summary"),
    ("provenance.cli.report", "report"),
    ("provenance.cli.licenses", "licenses"),
    ("provenance.cli.registry", "registry"),
    ("provenance.cli.sample", "sample"),
)


class _Main(click.Group):
    """Keeps the subcommands in the order of a workflow (init, scan, explain, diff, ...), and makes
    Ctrl-C exit 130 as shells expect: click's default (exit 1, "Aborted!") reads as a failed policy."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("provenance: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="provenance")
def main() -> None:
    """Training-data provenance and licensing scanner, and pre-training gate.

    \b
    A first run:
      provenance init ./data            # writes provenance.yaml and policy.yaml to fill in
      provenance scan ./data -o out/    # exit 0 pass, 1 policy failed, 2 usage, 3 incomplete
      provenance explain out/ open/a.txt
      provenance diff old-out/ out/     # exit 1 when something got worse
    """


for _module, _name in _SUBCOMMANDS:
    try:
        main.add_command(getattr(importlib.import_module(_module), _name))
    except ModuleNotFoundError as exc:
        if exc.name != _module:
            raise
