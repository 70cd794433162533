#!/usr/bin/env bash
# Regenerates the protobuf code and fails if it differs from what is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
npx --no-install buf generate
if ! git diff --quiet --exit-code -- packages/proto/src/gen || [ -n "$(git status --porcelain -- packages/proto/src/gen)" ]; then
  echo "generated code is out of date: run 'npm run generate' and commit the result" >&2
  git status --short -- packages/proto/src/gen >&2
  exit 1
fi
