"""Golden files a reviewer can read: values that change with every release, not with the content,
are replaced by placeholders, in the stored files and in the comparison, so a golden diff shows only
a real change of content.

Each volatile value is replaced where it is exactly the value the outputs must show, worked out
from the scan and the files written, never by a loose pattern: a report naming a wrong scan.json
digest, a wrong manifest digest or size, or a detector that did not run keeps the wrong value and
still fails. Only the SPDX document namespaces (digests of the saved result and of the content) are
matched by their form.

| value | placeholder |
| --- | --- |
| tool version (`provenance 0.1.0`, `Tool: provenance-0.1.0`) | `provenance <VERSION>` |
| license knowledge base version (`2026.12.2`) | `<KB>` |
| license index version (`spdx-3.29.0+provenance-13`) | `<LICENSE-INDEX>` |
| detector versions of the scan (`records@6`) | `records@<N>` |
| SHA-256 of the scan.json the reports come from | `<SCAN-SHA256>` |
| SHA-256 and size of each manifest written beside the reports | `<SHA256 manifest.spdx.json>`, `<SIZE>` |
| SPDX document namespace (`https://spdx.org/spdxdocs/provenance-<hex>`) | `...provenance-<ID>` |

Dates are fixed by SOURCE_DATE_EPOCH in these tests and stay as they are.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from pathlib import Path

from provenance.results import ScanResult

MANIFESTS = ("manifest.spdx.json", "manifest.spdx3.jsonld")
NAMESPACE = re.compile(r"(https://spdx\.org/spdxdocs/provenance-)[0-9a-f]{32,64}\b")

#: What PROVENANCE_UPDATE_GOLDEN=1 changed in this session, printed at the end (conftest.py).
UPDATES: list[str] = []


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def normalise(text: str, result: ScanResult, out: Path) -> str:
    """`text` (an output written into `out` from `result`) with its volatile values replaced."""
    pairs: list[tuple[str, str]] = [
        (f"provenance {result.tool_version}", "provenance <VERSION>"),
        (f"provenance-{result.tool_version}", "provenance-<VERSION>"),
        (result.license_index, "<LICENSE-INDEX>"),
        (result.knowledge_base, "<KB>"),
    ]
    for detector in result.parameters.get("detectors", []):
        name, _, version = str(detector).rpartition("@")
        if name and version:
            pairs.append((f"{name}@{version}", f"{name}@<N>"))
    scan_json = Path(result.output_dir or "") / "scan.json"
    if result.output_dir and scan_json.is_file():
        pairs.append((_sha256(scan_json), "<SCAN-SHA256>"))
    for pattern, placeholder in pairs:
        if pattern:
            text = text.replace(pattern, placeholder)
    for name in MANIFESTS:
        path = out / name
        if not path.is_file():
            continue
        digest, size = _sha256(path), f"{path.stat().st_size:,} B"
        marker = f"<SHA256 {name}>"
        lines = text.replace(digest, marker).split("\n")
        text = "\n".join(line.replace(size, "<SIZE>") if marker in line else line for line in lines)
    return NAMESPACE.sub(r"\1<ID>", text)


def diff(old: str, new: str, old_name: str, new_name: str, context: int = 1, limit: int = 4000) -> str:
    text = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), old_name, new_name, n=context))
    return text if len(text) <= limit else text[:limit] + f"\n... ({len(text) - limit} more characters of diff)\n"


def record_update(name: str, old: str | None, new: str) -> None:
    """Say what an update rewrote: a new file, or the lines added and removed and a short diff."""
    if old is None:
        UPDATES.append(f"{name}: new golden file ({len(new.splitlines())} lines)")
        return
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0))
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    UPDATES.append(f"{name}: {added} line(s) added, {removed} removed\n"
                   + diff(old, new, f"golden/{name} (before)", f"golden/{name} (now)", context=0, limit=2000))
