"""`provenance licenses show|list`: what the knowledge base says about a license, and why."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Any

import click

from provenance.cli.console import Console
from provenance.errors import ProvenanceError
from provenance.licensing.describe import LicenseInfo, describe_license, known_licenses
from provenance.licensing.kb import ALLOWED_FOR_USE, LicenseFacts, load_kb
from provenance.model import EXIT_USAGE, UseClass
from provenance.words import USE_CLASSES, word


@click.group("licenses")
def licenses() -> None:
    """What the license knowledge base says about training on licensed data.

    \b
    Examples:
      provenance licenses show "cc by-nc 4.0"
      provenance licenses list --use-class non-commercial
    """


def _yes(flag: bool, yes: str = "required") -> str:
    return yes if flag else "no"


def _facts_lines(facts: LicenseFacts) -> list[str]:
    uses = ", ".join(f"{use}: {'yes' if facts.use in allowed else 'no'}" for use, allowed in ALLOWED_FOR_USE.items())
    lines = [
        f"  use class:       {facts.use.value} ({word(USE_CLASSES, facts.use, 'en')})",
        f"  may train for:   {uses}",
        f"  attribution:     {_yes(facts.attribution)}",
        f"  share-alike:     {_yes(facts.share_alike, 'yes')}",
        f"  no-derivatives:  {_yes(facts.no_derivatives, 'yes')}",
    ]
    if facts.notes:
        lines.append(f"  notes:           {facts.notes}")
    return lines


def _info_lines(info: LicenseInfo) -> list[str]:
    lines = [f"{info.id}" + (f"  {info.facts.name}" if info.facts.name else ""), *_facts_lines(info.facts),
             f"  classified by:   {info.source}"]
    if info.url:
        lines.append(f"  SPDX page:       {info.url}")
    return lines


def _as_json(info: LicenseInfo) -> dict[str, Any]:
    facts = asdict(info.facts)
    facts["use"] = info.facts.use.value
    return {"id": info.id, **{k: v for k, v in facts.items() if k != "id"}, "classified_by": info.source,
            "spdx_page": info.url or None, "scancode_category": info.category}


@licenses.command("show")
@click.argument("license_text", metavar="LICENSE")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(license_text: str, as_json: bool) -> None:
    """Show what the knowledge base says about LICENSE: an SPDX id or expression, a Hugging Face id,
    a name as people write it, or a Creative Commons URL.

    \b
    Examples:
      provenance licenses show CC-BY-NC-SA-4.0
      provenance licenses show "cc by-nc 4.0"
      provenance licenses show https://creativecommons.org/licenses/by-sa/4.0/
      provenance licenses show "MIT OR Apache-2.0"
    """
    try:
        found = describe_license(license_text)
    except ProvenanceError as exc:
        Console().error(str(exc), EXIT_USAGE)
        sys.exit(EXIT_USAGE)
    kb = load_kb().version
    if as_json:
        combined = asdict(found.combined)
        combined["use"] = found.combined.use.value
        click.echo(json.dumps({"query": found.query, "expression": found.expression, "read_as": found.read_as,
                               "knowledge_base": kb, "combined": combined,
                               "licenses": [_as_json(p) for p in found.parts]}, ensure_ascii=False, indent=2))
        return
    if found.expression != found.query.strip():
        click.echo(f"'{found.query}' reads as {found.expression} ({found.read_as})\n")
    if len(found.parts) > 1:
        click.echo(f"{found.expression}  (the terms that bind a user of the whole expression)")
        click.echo("\n".join(_facts_lines(found.combined)) + "\n")
    for part in found.parts:
        click.echo("\n".join(_info_lines(part)) + "\n")
    click.echo(f"knowledge base {kb}; engineering facts to flag data for review, not legal advice")


@licenses.command("list")
@click.option("--use-class", "use_classes", multiple=True, type=click.Choice([u.value for u in UseClass]),
              help="Only licenses of this use class (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_command(use_classes: tuple[str, ...], as_json: bool) -> None:
    """List the licenses the knowledge base classifies (the SPDX list and its own entries) with
    use class, attribution (A), share-alike (SA), no-derivatives (ND) and where that comes from.

    \b
    Examples:
      provenance licenses list --use-class non-commercial --use-class research-only
      provenance licenses list --json
    """
    found = known_licenses(use_classes)
    if as_json:
        click.echo(json.dumps([_as_json(i) for i in found], ensure_ascii=False, indent=2))
        return
    width = max((len(i.id) for i in found), default=10)
    click.echo(f"{'license':<{width}}  {'use class':<14}  A  SA ND  classified by")
    for i in found:
        f = i.facts
        flags = "  ".join("x" if v else "-" for v in (f.attribution, f.share_alike, f.no_derivatives))
        basis = f.basis if f.basis != "none" else "unknown"
        click.echo(f"{i.id:<{width}}  {f.use.value:<14}  {flags}  {basis}")
    click.echo(f"\n{len(found)} licenses; knowledge base {load_kb().version}")
