#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the dashboard's browser tests (driven by playwright-core; no
# browser download). Called by `npm test` and .ci/run; idempotent.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The dashboard's browser tests need Chromium at /usr/bin/chromium: sudo apt-get install -y chromium" >&2
exit 1
