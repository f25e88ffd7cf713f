#!/usr/bin/env bash
# Installs the pinned moto server into .venv (once). Called by `npm test` and .ci/run; idempotent.
set -euo pipefail
MOTO_VERSION="5.2.5"
cd "$(dirname "$0")/.."
if [ -x .venv/bin/moto_server ] && .venv/bin/python -c "import moto,sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
  exit 0
fi
echo "installing moto[server]==$MOTO_VERSION into .venv" >&2
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
