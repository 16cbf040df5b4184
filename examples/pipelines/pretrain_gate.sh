#!/usr/bin/env bash
# A pre-training gate: scan the data, and start training only when the policy passes.
#
#   examples/pipelines/pretrain_gate.sh DATA_DIR TRAIN_COMMAND [ARGS...]
#
# Stops with the scan's code when the policy fails (1) or the scan is incomplete (3: files that
# could not be read, an interrupted or failed scan); a usage error (2) stops too. The results stay
# in $PROVENANCE_OUT (default provenance-report); $PROVENANCE_ARGS adds scan options.
set -uo pipefail

data=${1:?usage: pretrain_gate.sh DATA_DIR TRAIN_COMMAND [ARGS...]}
shift
[ "$#" -gt 0 ] || { echo "usage: pretrain_gate.sh DATA_DIR TRAIN_COMMAND [ARGS...]" >&2; exit 2; }
out=${PROVENANCE_OUT:-provenance-report}

# shellcheck disable=SC2086  # PROVENANCE_ARGS is a list of options
provenance scan "$data" -o "$out" ${PROVENANCE_ARGS:-}
code=$?
case "$code" in
  0) echo "gate: pass; training" ;;
  1) echo "gate: the policy failed; not training (provenance summary $out)" >&2; exit 1 ;;
  3) echo "gate: the scan is incomplete; not training (the unreadable items are in $out/scan.json)" >&2; exit 3 ;;
  *) echo "gate: provenance exited $code; not training" >&2; exit "$code" ;;
esac
exec "$@"
