#!/usr/bin/env sh
# Runs a command with the project's pinned Node (24 LTS, from the npm package `node`) first on PATH.
# The machine's Node may be older than our dependencies accept; installing `node` as a dev dependency
# puts node_modules/.bin/node in front of it, so every npm script and bin shebang runs on Node 24.
# On a fresh clone it installs the dependencies first (npm ci), so `npm test` and `npm run demo` are the
# whole quick start.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
if [ ! -x "$root/node_modules/.bin/node" ] || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
  echo "klaviyo-relay: installing dependencies (npm ci)…" >&2
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
PATH="$root/node_modules/.bin:$PATH"
export PATH
# kafkajs 2.2.4's request queue schedules a negative timeout when a request is already overdue; Node 24 warns
# about it (TimeoutNegativeWarning) and runs it at once, which is what kafkajs means. Silence that one warning.
case " ${NODE_OPTIONS:-} " in
  *TimeoutNegativeWarning*) ;;
  *) NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--disable-warning=TimeoutNegativeWarning" ;;
esac
export NODE_OPTIONS
exec "$@"
