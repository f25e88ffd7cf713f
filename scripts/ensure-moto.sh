#!/usr/bin/env bash
# Installs the pinned Python test tools into .venv (once): moto server, the AWS emulator of the integration tests;
# cfn-lint, which the suite runs on every template it synthesizes (test/lint/); and ministack, the emulator the
# end-to-end tests deploy the example stack to and whose Lambda functions really run (test/e2e/). Called by
# `npm test` and .ci/run; idempotent, and a no-op that does not start pip when all are at their pins. The name is
# older than cfn-lint and ministack; package.json and .ci/run call it by this name.
set -euo pipefail
MOTO_VERSION="5.2.5"
CFN_LINT_VERSION="1.58.0"
MINISTACK_VERSION="1.5.33"
# ministack pins botocore exactly (1.43.106), and moto takes any boto3: boto3 is pinned to the release of that
# botocore, or pip would pick a newer boto3 that needs a newer botocore and leave the two in conflict.
BOTO3_VERSION="1.43.106"
cd "$(dirname "$0")/.."
# importlib.metadata reads the installed versions without importing the tools (each takes a second).
installed() {
  .venv/bin/python - "$MOTO_VERSION" "$CFN_LINT_VERSION" "$MINISTACK_VERSION" "$BOTO3_VERSION" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
wanted = dict(zip(["moto", "cfn-lint", "ministack", "boto3"], sys.argv[1:]))
sys.exit(any(version(name) != pin for name, pin in wanted.items()))
PY
}
if [ -x .venv/bin/moto_server ] && [ -x .venv/bin/cfn-lint ] && [ -x .venv/bin/ministack ] && installed; then
  exit 0
fi
echo "installing moto[server]==$MOTO_VERSION, cfn-lint==$CFN_LINT_VERSION and ministack==$MINISTACK_VERSION into .venv" >&2
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" "cfn-lint==$CFN_LINT_VERSION" \
  "ministack==$MINISTACK_VERSION" "boto3==$BOTO3_VERSION"
