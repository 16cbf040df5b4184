"""The `provenance` command. Each subcommand lives in its own small module, imported only when that
subcommand runs: `provenance scan` does not pay for the SPDX validators, `validate` not for the scanner."""

from __future__ import annotations

import importlib
from typing import Any

import click

from provenance.model import EXIT_INTERRUPTED
from provenance.version import __version__

#: name -> (module, attribute, one-line help), in the order of a workflow (init, scan, explain, diff, ...).
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("provenance.cli.init", "init", "Write provenance.yaml and policy.yaml to fill in."),
    "scan": ("provenance.cli.scan", "scan", "Scan a folder, file or Hugging Face dataset; exit with the verdict."),
    "explain": ("provenance.cli.explain", "explain", "Why one asset got its license and findings."),
    "diff": ("provenance.cli.diff", "diff", "Compare two saved scans; exit 1 when something got worse."),
    "summary": ("provenance.cli.summary", "summary", "The verdict and findings of a saved scan as Markdown."),
    "report": ("provenance.cli.report", "report", "Render the reports again from a saved scan."),
    "validate": ("provenance.cli.validate", "validate", "Validate a scan's outputs with the official libraries."),
    "licenses": ("provenance.cli.licenses", "licenses", "What the knowledge base says about a license."),
    "registry": ("provenance.cli.registry", "registry", "Build and manage a known-works registry."),
    "sample": ("provenance.cli.sample", "sample", "Draw review samples and import the verdicts."),
}


class _Main(click.Group):
    """Imports a command on first use, lists them in workflow order without importing them, and makes
    Ctrl-C exit 130 as shells expect: click's default (exit 1, "Aborted!") reads as a failed policy."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in SUBCOMMANDS:
            return None
        module, attribute, _ = SUBCOMMANDS[name]
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: Any) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_text) for name, (_, _, help_text) in SUBCOMMANDS.items()])

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
