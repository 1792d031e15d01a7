#!/usr/bin/env bash
# The programs the integration tests drive besides the JDK: headless Chromium (the admin status page
# rendered as a browser renders it, screenshot included) and Prometheus's Python client (its parsers
# read /metrics back, as a scraper would).
#
#   bin/lib/test-tools.sh           installs what is missing with apt-get when run as root (bin/test does this)
#   bin/lib/test-tools.sh --check   installs nothing; prints where each tool is, one NAME=PATH line each
#
# Either way it exits 1, saying what to install, when a tool is still missing: the tests that need it
# run this with --check and fail with that message rather than skip.
set -euo pipefail

packages="chromium python3-prometheus-client"
check_only=false
[ "${1:-}" = --check ] && check_only=true

find_chromium() {
  local name
  for name in chromium chromium-browser google-chrome; do
    command -v "$name" 2>/dev/null && return 0
  done
  return 1
}

# Debian's package puts the module in the system Python, which a pyenv or venv python3 on PATH may not see.
find_python() {
  local candidate
  for candidate in "$(command -v python3 2>/dev/null || true)" /usr/bin/python3; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    if "$candidate" -c 'import prometheus_client.parser, prometheus_client.openmetrics.parser' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

missing() {
  find_chromium >/dev/null && find_python >/dev/null && return 1
  return 0
}

if missing && ! $check_only && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "test-tools: installing $packages (apt-get)" >&2
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y $packages >&2; then
    DEBIAN_FRONTEND=noninteractive apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y $packages >&2 || true
  fi
fi

if missing; then
  cat >&2 <<MSG
The integration tests need headless Chromium and Prometheus's Python client (prometheus_client), and
$( find_chromium >/dev/null || printf 'Chromium is not installed' )$( find_chromium >/dev/null || find_python >/dev/null || printf ' and ' )$( find_python >/dev/null || printf 'no python3 can import prometheus_client' ).
Install them, then run again:
  Debian/Ubuntu:  sudo apt-get install $packages
                  (or run bin/test as root: it installs them)
  elsewhere:      a Chromium or Chrome on PATH, and pip install prometheus-client
MSG
  exit 1
fi

if $check_only; then
  echo "chromium=$(find_chromium)"
  echo "python3=$(find_python)"
fi
