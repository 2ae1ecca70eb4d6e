#!/usr/bin/env bash
# Checks docs/messenger-room.service with systemd-analyze verify. Any output fails too: systemd only warns
# about an unknown key or a bad value and then ignores that line, which would silently drop hardening.
set -euo pipefail
unit="$(cd "$(dirname "$0")/.." && pwd)/docs/messenger-room.service"
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "systemd-analyze not installed here: service unit not verified"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# verify also checks that ExecStart's binary exists; where node is not /usr/bin/node, check against this one.
node_bin="$(command -v node)"
sed "s|^ExecStart=/usr/bin/node |ExecStart=${node_bin} |" "$unit" >"$tmp/messenger-room.service"
if ! out=$(cd "$tmp" && systemd-analyze verify ./messenger-room.service 2>&1) || [[ -n "$out" ]]; then
  echo "systemd-analyze verify found problems in docs/messenger-room.service:" >&2
  echo "$out" >&2
  exit 1
fi
echo "docs/messenger-room.service: systemd-analyze verify clean"
