#!/usr/bin/env bash
# The README's test command: set up (idempotent), then run the whole test suite with node's
# built-in test runner. Extra arguments filter test files by substring.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node scripts/run-tests.mjs "$@"
