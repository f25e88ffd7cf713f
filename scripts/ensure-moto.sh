#!/usr/bin/env bash
# Installs the pinned Python test tools into .venv (once): moto server, the AWS emulator of the integration tests,
# and cfn-lint, which the suite runs on every template it synthesizes (test/lint/). Called by `npm test` and
# .ci/run; idempotent, and a no-op that does not start pip when both are at their pins. The name is older than
# cfn-lint; package.json and .ci/run call it by this name.
set -euo pipefail
MOTO_VERSION="5.2.5"
CFN_LINT_VERSION="1.58.0"
cd "$(dirname "$0")/.."
# importlib.metadata reads the installed versions without importing moto or cfn-lint (each takes a second).
installed() {
  .venv/bin/python - "$MOTO_VERSION" "$CFN_LINT_VERSION" <<'EOF' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(version("moto") != sys.argv[1] or version("cfn-lint") != sys.argv[2])
EOF
}
if [ -x .venv/bin/moto_server ] && [ -x .venv/bin/cfn-lint ] && installed; then
  exit 0
fi
echo "installing moto[server]==$MOTO_VERSION and cfn-lint==$CFN_LINT_VERSION into .venv" >&2
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" "cfn-lint==$CFN_LINT_VERSION"
