#!/usr/bin/env bash
# The test suite, slow tests (real Whisper on real audio) included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
qa-assist models prepare
# The triage tests use the trained classifier; a no-op when the model is up to date.
qa-assist triage train
# Storage tests run on SQLite and on a real PostgreSQL server (scripts/postgres.sh starts it).
QA_ASSIST_TEST_POSTGRES_URL=$(bash scripts/postgres.sh)
export QA_ASSIST_TEST_POSTGRES_URL
exec python3 -m pytest "$@"
