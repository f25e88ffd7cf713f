#!/usr/bin/env bash
# Runs the app's stack on this machine: starts ministack (pinned, in .venv) on a loopback port, bootstraps and
# deploys the stack to it with the CDK CLI, prints its outputs as WHARF_* variables (also written to
# .wharf/local-stack.env) and how to point the CLI and the dashboard at it, then keeps the emulator up until
# Ctrl-C. Its state lives in memory: stopping it throws the stack away. README "Run your stack on your machine".
#   npm run stack:local                       the example app's stack, WharfExample, on 127.0.0.1:4566
#   WHARF_LOCAL_PORT=4600 WHARF_LOCAL_STACK=MyStack npm run stack:local
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${WHARF_LOCAL_PORT:-4566}"
STACK="${WHARF_LOCAL_STACK:-WharfExample}"
bash scripts/ensure-moto.sh
# ministack runs a nodejs24.x function with the first `node` on its PATH: Node 24 from the npm `node` package.
export PATH="$PWD/node_modules/.bin:$PATH"
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test \
  AWS_SECRET_ACCESS_KEY=test CDK_DISABLE_CLI_TELEMETRY=true
mkdir -p .wharf
log=.wharf/ministack.log
GATEWAY_PORT="$PORT" BIND_HOST=127.0.0.1 setsid .venv/bin/ministack >"$log" 2>&1 &
pid=$!
# Its own session: stopping the group also ends the Node processes it runs the functions in.
trap 'kill -- -"$pid" 2>/dev/null || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
until curl -sf "$AWS_ENDPOINT_URL/_ministack/health" >/dev/null; do
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "ministack did not start (log: $log)" >&2; exit 1; }
  sleep 0.3
done
echo "ministack on $AWS_ENDPOINT_URL (log: $log); deploying $STACK" >&2
npx cdk bootstrap "aws://000000000000/$AWS_REGION" >/dev/null
# -c wharf:emulator=ministack: nothing retained (the emulator is thrown away) and no metric-math alarm.
npx cdk deploy "$STACK" -c wharf:emulator=ministack --require-approval never \
  --outputs-file .wharf/local-outputs.json >/dev/null
{
  echo "export AWS_ENDPOINT_URL='$AWS_ENDPOINT_URL' AWS_REGION='$AWS_REGION'"
  echo "export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test"
  npx tsx src/cli/main.ts env --stack "$STACK"
} >.wharf/local-stack.env
cat .wharf/local-stack.env
cat >&2 <<MSG

$STACK is deployed; its workers run as Lambda functions on ministack. In another shell:
  source .wharf/local-stack.env
  npm run wharf -- --registry functions/registry.ts queues
  npm run wharf -- --registry functions/registry.ts dlq list
  npm run wharf -- --registry functions/registry.ts dashboard
Ctrl-C here stops the emulator.
MSG
wait "$pid"
