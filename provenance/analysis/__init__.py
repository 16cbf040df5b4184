"""The per-asset work: read an asset once, run the detectors, analyse archive members and media
inside tables, and conclude one effective license and every finding. Workers run `process_batch`."""

#: Version of how assets are read outside the detectors (archives, compressed members, tables):
#: part of the analysis cache's key, so a change here re-analyses what was cached before.
#: 2: members of compressed tars and single compressed files over the head are read whole.
READING_VERSION = "2"
