"""Reading record files with bounded memory; shared by every reader of records (license fields,
record text, URLs, embedded media)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO, Any

import pyarrow as pa

#: A JSON Lines line longer than this is skipped, never held in memory whole.
MAX_LINE = 16 * 2**20


def jsonl_lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) for every line; None for a line over MAX_LINE, skipped as it is read."""
    with io.BufferedReader(stream, buffer_size=1 << 20) as reader:  # type: ignore[type-var]
        lineno = 0
        while line := reader.readline(MAX_LINE + 1):
            lineno += 1
            if len(line) > MAX_LINE and not line.endswith(b"\n"):
                while (rest := reader.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                    pass
                yield lineno, None
                continue
            yield lineno, line


def arrow_batches(local_path: str | None, opener: Any) -> tuple[Any, Iterator[Any]]:
    """(schema, record batches) of an Arrow IPC file or stream: memory-mapped when on disk."""
    source: Any = pa.memory_map(local_path) if local_path else opener()
    try:
        reader: Any = pa.ipc.open_file(source)
        return reader.schema, (reader.get_batch(i) for i in range(reader.num_record_batches))
    except pa.ArrowInvalid:
        source.seek(0)
        reader = pa.ipc.open_stream(source)
        return reader.schema, iter(reader)
