#!/usr/bin/env bash
# The README's demo command: set up (idempotent), then run the end-to-end demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node bin/t2v.js demo engine "$@"
