#!/usr/bin/env bash
# Makes sure `promtool` and `prometheus` are on PATH: the rule checks and the alert test use both. When
# either is missing it installs Debian's `prometheus` package (2.42: the server and promtool, in seconds);
# as root directly, otherwise through sudo. Anything else (macOS, another distribution): install Prometheus
# 2.42 or later yourself (https://prometheus.io/download/) and put both binaries on PATH.
set -euo pipefail
if command -v promtool > /dev/null && command -v prometheus > /dev/null; then
  promtool --version 2>&1 | head -1
  exit 0
fi
if ! command -v apt-get > /dev/null; then
  echo "promtool/prometheus not found and no apt-get here: install Prometheus >= 2.42 and put it on PATH" >&2
  exit 1
fi
as_root=()
if [ "$(id -u)" != 0 ]; then as_root=(sudo); fi
echo "installing Debian's prometheus package (promtool and the server)"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# --no-install-recommends: the server and promtool only, no node-exporter, no web assets beyond its own.
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus > /dev/null
promtool --version 2>&1 | head -1
