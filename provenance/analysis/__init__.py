"""The per-asset work: read an asset once, run the detectors, analyse archive members and media
inside tables, and conclude one effective license and every finding. Workers run `process_batch`."""
