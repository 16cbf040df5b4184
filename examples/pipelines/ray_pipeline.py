"""A Ray Data pipeline over Parquet shards with provenance as its gate.

    python examples/pipelines/ray_pipeline.py SHARDS_DIR OUT_DIR DEST_DIR [--use research]

1. Scan SHARDS_DIR with the Ray engine (the Ray started here runs the scan's tasks too).
2. Shards that cannot be read completely, or that fail for reasons other than their records'
   licenses (a known work, an opt-out, a conflict), are left out whole.
3. The other shards are read with Ray Data; each record is kept or dropped by its `license` value
   (a record without one inherits its shard's folder or declared license), as `filter_dataset` does.
4. The kept records are written to DEST_DIR as Parquet.

Exit codes: 3 when the scan is incomplete, else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pa_dataset
import ray

import provenance
from provenance.datasets_api import RecordFilter

#: Rules about records' licenses: handled record by record, not by dropping the shard.
RECORD_RULES = {"unlicensed", "use-restricted", "unknown-license", "license-denied", "license-not-allowed"}


def inherited_license(evidence_json: str) -> str | None:
    """The license a shard's records inherit: the nearest folder's, else the declared one."""
    for e in json.loads(evidence_json or "[]"):
        if e["level"] in ("directory", "declared") and e.get("license") and not e.get("reservation"):
            return str(e["license"])
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("shards", type=Path)
    parser.add_argument("out_dir")
    parser.add_argument("dest")
    parser.add_argument("--use", choices=["commercial", "research"], default="commercial")
    args = parser.parse_args(argv)

    # Ray Data lists paths on several threads; with fsspec installed without aiohttp (as `datasets`
    # leaves it) those threads race on an optional import and fail now and then (Ray 2.60). The
    # variable is read when Ray Data's listing module loads, here and in the workers started below.
    os.environ.setdefault("RAY_DATA_LIST_FILES_THREADED_NUM_WORKERS", "1")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    try:
        result = provenance.scan(args.shards, args.out_dir, engine="ray", use=args.use, reports=False)
        print(f"scan: {result.verdict.status.value}; results in {args.out_dir}")
        if result.exit_code == 3:
            print("scan incomplete: nothing written", file=sys.stderr)
            return 3
        failing = {rule for rule, _ in result.verdict.failed} - RECORD_RULES
        inherits: dict[str, str | None] = {}
        for row in result.assets(columns=["path", "kind", "findings", "evidence_json", "error"]):
            if row["kind"] != "table" or not row["path"].endswith(".parquet"):
                continue
            if row["error"] or failing & set(row["findings"]):
                print(f"left out: {row['path']} ({', '.join(sorted(failing & set(row['findings']))) or row['error']})")
                continue
            inherits[str((args.shards / row["path"]).resolve())] = inherited_license(row["evidence_json"])
        if not inherits:
            print("no shard passed")
            return 0
        gate = RecordFilter(result)

        def keep(batch: pa.Table) -> pa.Table:
            paths = batch.column("path").to_pylist()
            values = batch.column("license").to_pylist() if "license" in batch.column_names else [None] * len(paths)
            reasons = gate.reasons(values, inherited=[inherits[str(Path(p).resolve())] for p in paths])
            return batch.filter(pa.array([r is None for r in reasons])).drop_columns(["path"])

        shards = ray.data.read_parquet(sorted(inherits), include_paths=True)
        kept = shards.map_batches(keep, batch_format="pyarrow")
        kept.write_parquet(args.dest)
        total, count = shards.count(), pa_dataset.dataset(args.dest, format="parquet").count_rows()
        print(f"kept {count} of {total} records from {len(inherits)} shard(s) -> {args.dest}")
    finally:
        ray.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
