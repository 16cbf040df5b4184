"""provenance: training-data provenance and licensing scanner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from provenance.api import scan as scan


def __getattr__(name: str) -> Any:
    # Lazy, so `import provenance` stays cheap for the CLI and for worker processes.
    if name == "scan":
        from provenance.api import scan

        return scan
    if name in ("load_result", "ScanResult"):
        from provenance import results

        return getattr(results, name)
    raise AttributeError(f"module 'provenance' has no attribute {name!r}")


__all__ = ["ScanResult", "__version__", "load_result", "scan"]
