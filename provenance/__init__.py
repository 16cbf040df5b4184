"""provenance: training-data provenance and licensing scanner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from provenance.version import __version__

if TYPE_CHECKING:
    from provenance.api import scan as scan
    from provenance.datasets_api import filter_dataset as filter_dataset
    from provenance.datasets_api import scan_dataset as scan_dataset


def __getattr__(name: str) -> Any:
    # Lazy re-exports of the public API (PEP 562): every submodule import runs this file first, so
    # importing the API here would load the whole scanner into a worker that needs one module.
    if name == "scan":
        from provenance.api import scan

        return scan
    if name in ("scan_dataset", "filter_dataset"):
        from provenance import datasets_api

        return getattr(datasets_api, name)
    if name in ("load_result", "ScanResult"):
        from provenance import results

        return getattr(results, name)
    raise AttributeError(f"module 'provenance' has no attribute {name!r}")


__all__ = ["ScanResult", "__version__", "filter_dataset", "load_result", "scan", "scan_dataset"]
