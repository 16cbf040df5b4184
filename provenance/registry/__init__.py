"""Known-works registry: Parquet store, build/import, vectorised Hamming search."""

from provenance.registry.matcher import Match, Registry, Work
from provenance.registry.store import RegistryMeta, read_meta

__all__ = ["Match", "Registry", "RegistryMeta", "Work", "read_meta"]
