#!/usr/bin/env bash
# Idempotent set-up before `npm run demo`, `npm test` and `npm run bench`:
# system packages and the kernel's mapping limit (when root), npm dependencies, and the build — each only when
# missing or out of date, so a second run costs a second.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh
bash scripts/raise-map-count.sh

# npm ci writes node_modules/.package-lock.json; newer than the lockfile means up to date.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# The addon: npm ci's install script builds it; rebuild when its sources are newer.
addon=fallback/build/Release/tmnn_native.node
if [ ! -f "$addon" ] || [ -n "$(find fallback/src fallback/binding.gyp -newer "$addon" -print -quit)" ]; then
  npm run --silent build:native
fi

stamp=dist/.build-stamp
if [ ! -f "$stamp" ] || [ -n "$(find src shaders bench examples scripts/build.mjs package.json tsconfig.json -newer "$stamp" -print -quit)" ]; then
  npm run --silent build
fi
