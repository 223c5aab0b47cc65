#!/usr/bin/env bash
# vendor_axe.sh — vendor axe-core into tests/browser/vendor/ for the accessibility test.
#
# What it does (reproducibly, from frontend/package.json + frontend/package-lock.json):
#   1. `npm ci` in frontend/ unless node_modules already holds the pinned axe-core
#      (`make vendor` runs scripts/vendor_frontend.sh first, which has just done it).
#   2. Copies node_modules/axe-core/axe.min.js to tests/browser/vendor/axe.min.js, with
#      its licence (MPL-2.0) as LICENSE-axe-core.txt, the licences of the code it
#      bundles as LICENSE-axe-core-3RD-PARTY.txt, and VERSION ("axe-core X.Y.Z").
#
# axe-core is used ONLY by tests/browser/test_accessibility.py, which injects it into
# each page with Playwright. It is never served to users: tests/ is not a static
# folder, and nothing under static/ or templates/ refers to it. The output is
# committed, so neither CI nor a developer running the tests needs node or npm.
#
# When to re-run: after changing the axe-core version in frontend/package.json (run
# `npm install` in frontend/ first to update package-lock.json). Then commit
# frontend/package*.json and tests/browser/vendor/.
#
# Usage (from any directory):  scripts/vendor_axe.sh   (or `make vendor`)
# Needs: node >= 20.19 and npm, with access to the npm registry.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FRONTEND="$ROOT/frontend"
OUT="$ROOT/tests/browser/vendor"
PKG="$FRONTEND/node_modules/axe-core"

WANTED="$(node -p 'require(process.argv[1]).devDependencies["axe-core"]' "$FRONTEND/package.json")"
INSTALLED=""
if [[ -f "$PKG/package.json" ]]; then
  INSTALLED="$(node -p 'require(process.argv[1]).version' "$PKG/package.json")"
fi
if [[ "$INSTALLED" != "$WANTED" ]]; then
  echo "==> npm ci (frontend/)"
  (cd "$FRONTEND" && npm ci --no-audit --no-fund --ignore-scripts)
fi
VERSION="$(node -p 'require(process.argv[1]).version' "$PKG/package.json")"
echo "==> axe-core $VERSION -> tests/browser/vendor/"

rm -rf "$OUT"
mkdir -p "$OUT"
cp "$PKG/axe.min.js" "$OUT/axe.min.js"
cp "$PKG/LICENSE" "$OUT/LICENSE-axe-core.txt"
cp "$PKG/LICENSE-3RD-PARTY.txt" "$OUT/LICENSE-axe-core-3RD-PARTY.txt"
printf 'axe-core %s\n' "$VERSION" > "$OUT/VERSION"

fail() { echo "vendor_axe.sh: $*" >&2; exit 1; }
[[ "$VERSION" == "$WANTED" ]] || fail "installed axe-core $VERSION, package.json pins $WANTED"
head -c 200 "$OUT/axe.min.js" | grep -q "axe v$VERSION" || fail "axe.min.js is not axe v$VERSION"
grep -q "Mozilla Public License" "$OUT/LICENSE-axe-core.txt" || fail "licence is not MPL-2.0"

echo "==> done: $(du -h "$OUT/axe.min.js" | cut -f1) axe.min.js in tests/browser/vendor/"
