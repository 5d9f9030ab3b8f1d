#!/usr/bin/env bash
# The test suite, slow tests (real Whisper on real audio) included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
qa-assist models prepare
exec python3 -m pytest "$@"
