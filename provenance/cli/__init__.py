"""The `provenance` command. Each subcommand lives in its own small module, imported only when that
subcommand runs: `provenance scan` does not pay for the SPDX validators, `validate` not for the scanner."""

from __future__ import annotations

import importlib
from typing import Any

import click

from provenance.version import __version__

#: name -> (module, attribute, one-line help shown in `provenance --help`).
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "scan": ("provenance.cli.scan", "scan", "Scan a folder, file or Hugging Face dataset; exit with the verdict."),
    "report": ("provenance.cli.report", "report", "Render the reports again from a saved scan."),
    "registry": ("provenance.cli.registry", "registry", "Build and manage a known-works registry."),
    "sample": ("provenance.cli.sample", "sample", "Draw review samples and import the verdicts."),
    "validate": ("provenance.cli.validate", "validate", "Validate a scan's outputs with the official libraries."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in SUBCOMMANDS:
            return None
        module, attribute, _ = SUBCOMMANDS[name]
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: Any) -> None:
        # The short help from the table: listing the commands must not import them all.
        with formatter.section("Commands"):
            formatter.write_dl([(name, SUBCOMMANDS[name][2]) for name in sorted(SUBCOMMANDS)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="provenance")
def main() -> None:
    """Training-data provenance and licensing scanner, and pre-training gate."""
