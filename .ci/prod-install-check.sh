#!/usr/bin/env bash
# Installs the app the way servers and newcomers do, each from a fresh clone of this checkout's HEAD
# (committed files only), and proves it serves:
#   prod: npm ci --omit=dev && npm start   (NODE_ENV=production, SECRET_KEY set)
#   dev:  npm install && npm start
#   here: npm start in this checkout as it is (for .ci/run, whose checkout is itself a fresh clone that
#         has just run npm install: no second install, which compiles better-sqlite3 again where its
#         prebuilt binary cannot be downloaded)
# For each: start on a free port with a temporary DATABASE_PATH, GET /healthz must answer 200, SIGTERM
# must end it with exit code 0. Usage: .ci/prod-install-check.sh [prod|dev|here ...] (default: prod dev).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
server_pid=""
cleanup() {
  # The whole process group (npm, node): a failed run leaves nothing behind.
  if [[ -n "$server_pid" ]]; then kill -KILL -- "-$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

START_DEADLINE_S=60
STOP_DEADLINE_S=20

fail() {
  echo "prod-install-check: $*" >&2
  [[ -f "$tmp/server.log" ]] && { echo "--- server output ---" >&2; tail -n 30 "$tmp/server.log" >&2; }
  exit 1
}

# The "listening" log line names the address: PORT=0 lets the kernel pick a free port, with no race.
wait_for_url() {
  local log="$1" url=""
  for _ in $(seq 1 $((START_DEADLINE_S * 10))); do
    url=$(sed -n 's/.*"event":"listening".*"url":"\([^"]*\)".*/\1/p; s/.*"url":"\([^"]*\)".*"event":"listening".*/\1/p' "$log" | head -n 1)
    [[ -n "$url" ]] && { echo "$url"; return 0; }
    kill -0 "$server_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

check_one() {
  local mode="$1" dir="$tmp/$1" started
  case "$mode" in
    prod | dev)
      echo "--- $mode: fresh clone, install ---"
      git clone -q "$repo" "$dir"
      cd "$dir"
      started=$(date +%s)
      if [[ "$mode" == prod ]]; then npm ci --omit=dev --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
      echo "$mode: installed in $(($(date +%s) - started)) s, $(du -sh node_modules | cut -f1) of node_modules"
      ;;
    here) cd "$repo" ;;
    *) fail "unknown mode $mode" ;;
  esac
  [[ "$mode" != prod ]] || [[ ! -d node_modules/vitest ]] || fail "npm ci --omit=dev installed dev dependencies"

  mkdir -p "$tmp/db-$mode"
  : >"$tmp/server.log"
  started=$(date +%s%N)
  # setsid: npm and node in their own process group, so a failed run can be cleaned up. The SIGTERM below
  # goes to npm alone, as a process manager would send it; npm passes it on to node (the start script
  # execs node, so no shell sits between them to swallow it).
  NODE_ENV=production SECRET_KEY="ci-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" \
    HOST=127.0.0.1 PORT=0 DATABASE_PATH="$tmp/db-$mode/chat_history.db" LOG_LEVEL=info \
    setsid npm start --silent >"$tmp/server.log" 2>&1 &
  server_pid=$!
  local url
  url=$(wait_for_url "$tmp/server.log") || fail "$mode: the server did not start listening within ${START_DEADLINE_S} s"
  echo "$mode: npm start listening at $url after $((($(date +%s%N) - started) / 1000000)) ms"

  local status
  status=$(node -e 'fetch(process.argv[1]).then((r) => console.log(r.status), (e) => console.log(`no answer: ${e.message}`))' "$url/healthz")
  [[ "$status" == 200 ]] || fail "$mode: GET /healthz answered $status, expected 200"
  [[ -f "$tmp/db-$mode/chat_history.db" ]] || fail "$mode: no database at DATABASE_PATH"
  echo "$mode: GET /healthz 200"

  kill -TERM "$server_pid"
  local code=""
  for _ in $(seq 1 $((STOP_DEADLINE_S * 10))); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$server_pid" 2>/dev/null && fail "$mode: still running ${STOP_DEADLINE_S} s after SIGTERM"
  wait "$server_pid" && code=0 || code=$?
  local left
  left=$(pgrep -g "$server_pid" -a || true)
  [[ -z "$left" ]] || fail "$mode: npm exited but left the server running: $left"
  server_pid=""
  [[ "$code" == 0 ]] || fail "$mode: exit code $code after SIGTERM, expected 0"
  grep -q '"event":"shutdown_complete"' "$tmp/server.log" || fail "$mode: no shutdown_complete line after SIGTERM"
  echo "$mode: SIGTERM -> exit 0"
  cd "$repo"
}

modes=("$@")
[[ ${#modes[@]} -gt 0 ]] || modes=(prod dev)
for mode in "${modes[@]}"; do check_one "$mode"; done
echo "prod-install-check: OK (${modes[*]})"
