"""A short Markdown account of a saved scan for CI job summaries and pull-request comments: the
verdict, the findings table, what could not be read. The filing reports are `provenance report`."""

from __future__ import annotations

from provenance.model import Status
from provenance.results import ScanResult
from provenance.words import RULES, word

#: Rows of the per-folder table in the collapsed details.
FOLDER_ROWS = 50
SHOWN_ERRORS = 5
_MARK = {Status.PASS: "✅", Status.FAIL: "❌", Status.INCOMPLETE: "⚠️"}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").replace("`", "'")


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def job_summary(result: ScanResult) -> str:
    v = result.verdict
    s = result.summary
    failed = dict(v.failed)
    lines = [
        f"### provenance: {_MARK[v.status]} {v.status.value.upper()} (exit {v.exit_code})",
        "",
        f"{s['assets']:,} assets, {_size(s['bytes'])}, {s['records']:,} records; policy `{_cell(v.policy)}`,"
        f" use `{v.use}`; knowledge base {result.knowledge_base}.",
    ]
    notes = [f"- {_cell(r)}" for r in v.reasons]
    notes += [f"- waived {w.rule} on `{_cell(w.pattern)}` ({w.assets}): {_cell(w.reason)}" for w in v.waived]
    if notes:
        lines += ["", *notes]
    by_rule = s.get("findings_by_rule") or {}
    if by_rule:
        lines += ["", "| finding | assets | meaning | gate |", "|---|---:|---|---|"]
        order = sorted(by_rule, key=lambda r: (r not in failed, r))
        for rule in order:
            lines.append(f"| `{rule}` | {by_rule[rule]:,} | {_cell(word(RULES, rule, 'en'))} |"
                         f" {'**fails**' if rule in failed else ''} |")
    else:
        lines += ["", "No findings."]
    if s.get("by_use_class"):
        lines += ["", "| use class (data) | assets | size |", "|---|---:|---:|"]
        lines += [f"| {'no license' if name == 'none' else name} | {x['assets']:,} | {_size(x['bytes'])} |"
                  for name, x in s["by_use_class"].items()]
    groups = sorted(result.findings, key=lambda g: (g.rule not in failed, g.rule, -g.assets, g.folder))
    if groups:
        lines += ["", f"<details><summary>Findings by folder ({len(groups)})</summary>", "",
                  "| finding | folder | assets | examples |", "|---|---|---:|---|"]
        for g in groups[:FOLDER_ROWS]:
            examples = ", ".join(f"`{_cell(e)}`" for e in g.examples[:3])
            lines.append(f"| `{g.rule}` | `{_cell(g.folder or '.')}` | {g.assets:,} | {examples} |")
        if len(groups) > FOLDER_ROWS:
            lines.append(f"| ... | {len(groups) - FOLDER_ROWS} more in scan.json | | |")
        lines += ["", "</details>"]
    unread = [e for e in result.errors if e.severity == "error"]
    if unread:
        lines += ["", f"{len(unread)} item(s) could not be read (first {min(len(unread), SHOWN_ERRORS)}; all in"
                  " scan.json `errors`):", ""]
        lines += [f"- `{_cell(e.path)}`: {_cell(e.reason)}" for e in unread[:SHOWN_ERRORS]]
    return "\n".join(lines) + "\n"
