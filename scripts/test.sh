#!/usr/bin/env bash
# Runs the test suite against PostgreSQL (the project's own cluster unless DATABASE_URL is set),
# with Debian's Chromium for the browser tests. Installs Chromium with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "test: installing Debian's Chromium for the browser tests ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get -o DPkg::Lock::Timeout=300 install -y -qq chromium >/dev/null
  else
    echo "test: /usr/bin/chromium is missing: sudo apt-get install chromium" >&2
    exit 1
  fi
fi

$PY -m pytest "$@"
