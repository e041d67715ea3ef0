#!/usr/bin/env bash
# First-render timing of the web UI in a real browser, on any store: starts `newsgraph serve`
# on a free loopback port and loads each page a few times in Debian's Chromium
# (crates/server/ui/e2e/timing.mjs). A benchmark: it prints, it does not fail on slow pages.
#
#   cargo build --release -p newsgraph
#   target/release/newsgraph bench corpus --sizes 100000 --keep /tmp/ng   # a 100k-article store
#   scripts/bench-ui.sh /tmp/ng/100000                # RUNS=5 BUDGET_MS=200 by default
#
# Needs what scripts/ci/browser.sh installs (Chromium, the e2e folder's node modules).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STORE="${1:?usage: scripts/bench-ui.sh STORE_DIR}"
BIN="${NEWSGRAPH_BIN:-$ROOT/target/release/newsgraph}"
[ -x "$BIN" ] || { echo "bench-ui.sh: $BIN missing: cargo build --release -p newsgraph" >&2; exit 2; }
[ -d "$ROOT/crates/server/ui/e2e/node_modules/playwright-core" ] || { echo "bench-ui.sh: run scripts/ci/browser.sh first" >&2; exit 2; }

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$BIN" serve --store "$STORE" --port "$PORT" 2>/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break
  kill -0 $SERVER 2>/dev/null || { echo "bench-ui.sh: newsgraph serve exited" >&2; exit 2; }
  sleep 0.5
done
echo "bench-ui.sh: $(nproc) cores; server and browser share them"
NEWSGRAPH_URL="http://127.0.0.1:$PORT" node "$ROOT/crates/server/ui/e2e/timing.mjs"
