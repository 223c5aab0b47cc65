#!/usr/bin/env bash
# vendor_frontend.sh — vendor GOV.UK Frontend into static/govuk/ (build time only).
#
# What it does (reproducibly, from frontend/package.json + frontend/package-lock.json):
#   1. `npm ci` in frontend/ (exact pinned govuk-frontend and sass; node_modules is not committed).
#   2. Compiles frontend/lsp.scss with the local sass binary to
#      static/govuk/govuk-frontend.min.css (compressed, no source map). lsp.scss sets a
#      system font stack, switches off the GDS Transport @font-face, and points asset
#      URLs at /static/govuk/assets/ (Django STATIC_URL).
#   3. Copies dist/govuk/govuk-frontend.min.js (ES module exporting initAll) to
#      static/govuk/govuk-frontend.min.js; dist/govuk/assets/images/ and
#      dist/govuk/assets/manifest.json to static/govuk/assets/. The fonts folder is NOT
#      copied (LSP Assess is not a GOV.UK service and may not use GDS Transport).
#   4. Writes static/govuk/LICENSE.txt (MIT; the npm package does not ship a LICENSE
#      file, so frontend/LICENSE-govuk-frontend.txt is used as fallback) and
#      static/govuk/VERSION ("govuk-frontend X.Y.Z", read from the installed package).
#   5. Sanity-checks the output: no GDS Transport, no url(http...), JS exports initAll.
#
# The output in static/govuk/ is committed; nothing is fetched at run time (no CDN).
#
# When to re-run: after changing the govuk-frontend (or sass) version in
# frontend/package.json — run `npm install` in frontend/ first to update
# package-lock.json — or after editing frontend/lsp.scss. Then commit
# frontend/package*.json and static/govuk/. crispy-forms-gds 2.0.1 supports
# GOV.UK Frontend 5.0–5.8: check before bumping past 5.8.
#
# Usage (from any directory):  scripts/vendor_frontend.sh
# Needs: node >= 20.19 and npm, with access to the npm registry.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FRONTEND="$ROOT/frontend"
OUT="$ROOT/static/govuk"
PKG="$FRONTEND/node_modules/govuk-frontend"
DIST="$PKG/dist/govuk"

echo "==> npm ci (frontend/)"
(cd "$FRONTEND" && npm ci --no-audit --no-fund --ignore-scripts)

VERSION="$(node -p 'require(process.argv[1]).version' "$PKG/package.json")"
echo "==> govuk-frontend $VERSION, sass $("$FRONTEND/node_modules/.bin/sass" --version)"

# Start from a clean output folder so removed upstream files do not linger.
rm -rf "$OUT"
mkdir -p "$OUT/assets"

echo "==> compile frontend/lsp.scss -> static/govuk/govuk-frontend.min.css"
(cd "$FRONTEND" && ./node_modules/.bin/sass \
  --load-path=node_modules \
  --style=compressed \
  --no-source-map \
  --quiet-deps \
  lsp.scss "$OUT/govuk-frontend.min.css")

echo "==> copy JS, images, manifest, licence"
cp "$DIST/govuk-frontend.min.js" "$OUT/govuk-frontend.min.js"
cp -R "$DIST/assets/images" "$OUT/assets/images"
if [[ -f "$DIST/assets/manifest.json" ]]; then
  cp "$DIST/assets/manifest.json" "$OUT/assets/manifest.json"
fi

LICENSE_SRC=""
for f in "$PKG"/LICENSE "$PKG"/LICENSE.txt "$PKG"/LICENSE.md "$PKG"/LICENCE "$PKG"/LICENCE.txt; do
  if [[ -f "$f" ]]; then LICENSE_SRC="$f"; break; fi
done
cp "${LICENSE_SRC:-$FRONTEND/LICENSE-govuk-frontend.txt}" "$OUT/LICENSE.txt"

printf 'govuk-frontend %s\n' "$VERSION" > "$OUT/VERSION"

echo "==> checks"
CSS="$OUT/govuk-frontend.min.css"
fail() { echo "vendor_frontend.sh: $*" >&2; exit 1; }
[[ -s "$CSS" ]] || fail "CSS is empty"
if grep -q "GDS Transport" "$CSS"; then fail "CSS references GDS Transport"; fi
if grep -Eq 'url\(["'"'"']?https?:' "$CSS"; then fail "CSS has an absolute http(s) URL"; fi
if grep -Eo 'url\([^)]*\)' "$CSS" | grep -Fqv '/static/govuk/assets/'; then
  fail "CSS has a url() outside /static/govuk/assets/"
fi
grep -q 'initAll' "$OUT/govuk-frontend.min.js" || fail "JS does not export initAll"
[[ ! -e "$OUT/assets/fonts" ]] || fail "fonts folder must not be vendored"

echo "==> done: $(du -h "$CSS" | cut -f1) CSS, $(du -h "$OUT/govuk-frontend.min.js" | cut -f1) JS in static/govuk/"
