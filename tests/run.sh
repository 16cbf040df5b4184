#!/usr/bin/env bash
# Installs the test dependencies and runs the whole test suite. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages for the browser and PDF checks (Debian); installed only when missing.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
{ command -v fc-list >/dev/null 2>&1 && fc-list | grep -qi "noto.*cjk"; } || need+=(fonts-noto-cjk)
if [ "${#need[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet '.[dev]'
# The tests import the installed package, not the source tree (--import-mode=append in pyproject.toml),
# and never touch the network. PROVENANCE_TESTS_INSTALLED=1: tests/test_packaging.py fails if they
# imported the sources.
PROVENANCE_TESTS_INSTALLED=1 HF_HUB_OFFLINE=1 .venv/bin/pytest "$@"
