#!/usr/bin/env bash
# The README's test command: set up (idempotent), then run the whole test suite with node's
# built-in test runner. Extra arguments filter test files by substring.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The micro study (issue 9) runs end to end in CI; T2V_STUDY_E2E=0 skips it.
export T2V_STUDY_E2E="${T2V_STUDY_E2E:-1}"
node scripts/run-tests.mjs "$@"
