#!/usr/bin/env bash
# The main job on embedded defaults: install, prepare models, synthesise demo calls, score them
# into SQLite under ./qa_assist_data, and serve the results (prints the address).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec qa-assist demo "$@"
