#!/usr/bin/env bash
# What the browser tests of the web UI need (crates/cli/tests/ui_browser.rs):
# Debian's Chromium at /usr/bin/chromium and the e2e folder's node modules (playwright-core
# and axe-core, the accessibility audit, pinned by crates/server/ui/e2e/package-lock.json;
# playwright-core drives that Chromium, it downloads no browser of its own).
#
#   scripts/ci/browser.sh            # install what is missing
#   CI=1 cargo test -p newsgraph --test ui_browser
#
# apt-get runs with sudo only when not root. Node.js and npm must be on the machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
E2E="$ROOT/crates/server/ui/e2e"
log() { echo "browser.sh: $*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ ! -x /usr/bin/chromium ]; then
  log "installing Debian's chromium"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi
log "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium: no version')"

command -v node >/dev/null || { log "node not found: install Node.js 20 or later"; exit 2; }
command -v npm >/dev/null || { log "npm not found"; exit 2; }
log "node $(node --version), npm $(npm --version)"

# npm ci installs exactly the lock file's versions; the browser is Debian's.
(cd "$E2E" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
log "playwright-core $(node -p "require('$E2E/node_modules/playwright-core/package.json').version"), axe-core $(node -p "require('$E2E/node_modules/axe-core/package.json').version")"
