#!/usr/bin/env bash
# `npm run ops:check`: the alert rules are valid (`promtool check rules`) and every alert fires, and stays
# quiet, where its unit tests say (`promtool test rules`, ops/prometheus/klaviyo-relay.rules.test.yml); the
# compose profile's prometheus.yml is valid (`promtool check config`, which checks its rule files too).
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/ops/ensure-prometheus.sh > /dev/null
promtool check rules ops/prometheus/klaviyo-relay.rules.yml
promtool test rules ops/prometheus/klaviyo-relay.rules.test.yml
promtool check config ops/prometheus/prometheus.yml
