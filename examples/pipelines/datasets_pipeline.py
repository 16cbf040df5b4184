"""A `datasets` pipeline with provenance as its gate: load, scan, filter, save.

    python examples/pipelines/datasets_pipeline.py DATA_FILES OUT_DIR SAVE_DIR [--use research]

DATA_FILES: JSON Lines files (a glob is fine) with a `text` and a `license` column; records without
a license value inherit --dataset-license. The scan's results go to OUT_DIR; the records that pass
the policy are saved to SAVE_DIR with `save_to_disk`. Exit codes follow `provenance scan`: 3 when the
scan is incomplete (nothing is saved); otherwise 0, with the dropped records counted by reason.
"""

from __future__ import annotations

import argparse
import sys

import datasets

import provenance


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_files")
    parser.add_argument("out_dir")
    parser.add_argument("save_dir")
    parser.add_argument("--use", choices=["commercial", "research"], default="commercial")
    parser.add_argument("--dataset-license", default=None, help="License of records without their own value.")
    args = parser.parse_args(argv)

    ds = datasets.load_dataset("json", data_files=args.data_files, split="train")
    if args.dataset_license:
        ds.info.license = args.dataset_license
    result = provenance.scan_dataset(ds, name="instructions", output_dir=args.out_dir, use=args.use)
    print(f"scan: {result.verdict.status.value} ({result.summary['records']} records); results in {args.out_dir}")
    if result.exit_code == 3:
        print("scan incomplete: nothing saved", file=sys.stderr)
        return 3
    kept, dropped = provenance.filter_dataset(ds, result)
    kept.save_to_disk(args.save_dir)
    reasons = ", ".join(f"{n} {rule}" for rule, n in sorted(dropped.items())) or "none"
    print(f"kept {kept.num_rows} of {ds.num_rows} records (dropped: {reasons}) -> {args.save_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
