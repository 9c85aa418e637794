#!/usr/bin/env bash
# The web dashboard's whole test: install (npm ci), generate (buf generate), typecheck + build
# (dist/), unit tests (vitest), end-to-end test (Chromium against `hh demo --stack-only`).
#   HH_SKIP_E2E=1  skip the end-to-end test (it says so loudly).
#   HH_BIN         path of the hh binary for the e2e (default ../target/debug/hh).
# Needs: Node 20 + npm; Debian chromium (apt-get install -y chromium chromium-driver) for e2e.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== web-client: npm ci"
npm ci --no-audit --no-fund

echo "== web-client: generate (buf generate → src/gen)"
npm run generate

echo "== web-client: typecheck + build (dist/)"
npm run build

echo "== web-client: unit tests (vitest)"
npx vitest run

if [[ "${HH_SKIP_E2E:-0}" == "1" ]]; then
  echo "!! web-client: END-TO-END TEST SKIPPED (HH_SKIP_E2E=1): the dashboard was NOT tested against a real server in Chromium"
  exit 0
fi

if [[ ! -x /usr/bin/chromium && -z "${HH_CHROMIUM:-}" ]]; then
  echo "!! web-client: /usr/bin/chromium is missing: apt-get install -y chromium chromium-driver (or set HH_SKIP_E2E=1)" >&2
  exit 1
fi

echo "== web-client: end-to-end (hh demo --stack-only + Chromium)"
npm run e2e
