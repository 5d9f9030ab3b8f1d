#!/usr/bin/env bash
# The test suite, slow tests (real Whisper on real audio) included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
qa-assist models prepare
# The triage tests use the trained classifier; a no-op when the model is up to date.
qa-assist triage train
exec python3 -m pytest "$@"
