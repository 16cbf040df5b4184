"""The `provenance` command. Each subcommand lives in its own small module."""

from __future__ import annotations

import importlib

import click

from provenance import __version__

# Subcommand modules, imported when present: a missing optional part must not break the CLI.
_SUBCOMMANDS = (
    ("provenance.cli.scan", "scan"),
    ("provenance.cli.report", "report"),
    ("provenance.cli.registry", "registry"),
    ("provenance.cli.sample", "sample"),
    ("provenance.cli.validate", "validate"),
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="provenance")
def main() -> None:
    """Training-data provenance and licensing scanner, and pre-training gate."""


for _module, _name in _SUBCOMMANDS:
    try:
        main.add_command(getattr(importlib.import_module(_module), _name))
    except ModuleNotFoundError as exc:
        if exc.name != _module:
            raise
