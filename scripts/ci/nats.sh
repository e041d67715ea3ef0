#!/usr/bin/env bash
# Installs Debian's nats-server when it is missing (the scale-out tests start their own
# servers on free loopback ports; nothing is started here).
set -euo pipefail
if command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -qq nats-server >/dev/null 2>&1 || {
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq nats-server >/dev/null
}
# The package enables a system service; the tests do not use it.
$SUDO systemctl disable --now nats-server >/dev/null 2>&1 || true
command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ]
