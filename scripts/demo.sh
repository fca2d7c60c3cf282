#!/usr/bin/env bash
# The README's demo: set up (idempotent), then run the `quick` study on a freshly generated
# `single` SyncDraw set (both families, 1 seed; about 10–20 minutes on 2 cores) and print where
# the report is. Re-running skips the steps that already finished. Extra arguments go to
# `t2v study` (e.g. --seeds 3).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
start=$(date +%s)
node bin/t2v.js study --preset quick --seeds 1 --out runs/demo "$@"
echo "demo finished in $(( $(date +%s) - start )) s"
echo "report: $(pwd)/runs/demo/report.html (open it in a browser; it is self-contained)"
