"""provenance: training-data provenance and licensing scanner."""

__version__ = "0.1.0"
