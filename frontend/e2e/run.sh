#!/usr/bin/env bash
# End-to-end tests: the backend on a temporary SQLite database, one build of this
# frontend served twice (Salon X and Restaurant X, on two host names), and headless
# Chromium driving both. Every server started here is stopped on the way out.
#
#   bash e2e/run.sh            (from frontend/, after npm ci; `make e2e` does it all)
#   E2E_SKIP_BUILD=1 ...       reuse the existing .next build
#   bash e2e/run.sh e2e/chat.test.mjs    only these test files
set -euo pipefail

FRONTEND="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$FRONTEND/.." && pwd)"
VENV_BIN="${VENV_BIN:-$ROOT/.venv/bin}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export DEMO_PASSWORD="${DEMO_PASSWORD:-nbne-demo-2026}"
export NEXT_TELEMETRY_DISABLED=1

for tool in "$VENV_BIN/python" "$VENV_BIN/gunicorn" "$CHROMIUM" "$FRONTEND/node_modules/.bin/next"; do
  [ -x "$tool" ] || { echo "e2e: missing $tool (run 'make e2e')" >&2; exit 2; }
done

OUTPUT="$FRONTEND/e2e/output"
rm -rf "$OUTPUT"
mkdir -p "$OUTPUT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/nbne-e2e.XXXXXX")"
PIDS=()

stop_servers() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}

on_exit() {
  local status=$?
  stop_servers
  rm -rf "$WORK"
  if [ "$status" -ne 0 ]; then
    echo "e2e: FAILED (exit $status); logs and failure screenshots in $OUTPUT" >&2
  fi
  exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts a server in its own process group, so stopping it also stops its children.
start() {
  local name=$1
  shift
  setsid "$@" >"$OUTPUT/$name.log" 2>&1 &
  PIDS+=("$!")
}

wait_until_up() {
  local name=$1 url=$2 pid=$3
  for _ in $(seq 1 240); do
    if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.status < 500 ? 0 : 1), () => process.exit(1))' "$url"; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "e2e: $name exited before answering; its log:" >&2
      tail -n 40 "$OUTPUT/$name.log" >&2
      return 1
    fi
    sleep 0.25
  done
  echo "e2e: $name did not answer $url within 60 s" >&2
  tail -n 40 "$OUTPUT/$name.log" >&2
  return 1
}

# Three distinct free loopback ports (all held open at once, then released).
read -r BACKEND_PORT SALON_PORT RESTAURANT_PORT < <("$VENV_BIN/python" - <<'PY'
import socket
sockets = [socket.socket() for _ in range(3)]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in sockets))
for s in sockets:
    s.close()
PY
)

# --- backend: its own database, nothing shared with other runs -------------------
# (On SQLite the settings make each transaction take the write lock as it begins: the ASGI
# server's requests and sockets write from several threads at once.)
export DATABASE_URL="sqlite:///$WORK/e2e.sqlite3"
unset DATABASE_MIGRATE_URL DATABASE_PLATFORM_URL REDIS_URL TENANT_FALLBACK_SLUG DJANGO_ALLOWED_HOSTS TENANT_BASE_DOMAIN
export DJANGO_DEBUG=true
export MEDIA_ROOT="$WORK/media"
echo "e2e: preparing the backend database"
(
  cd "$ROOT"
  "$VENV_BIN/python" manage.py migrate --noinput
  "$VENV_BIN/python" manage.py seed_demo --tenant salon-x
  "$VENV_BIN/python" manage.py seed_demo --tenant restaurant-x
) >"$OUTPUT/backend-setup.log" 2>&1 || { tail -n 40 "$OUTPUT/backend-setup.log" >&2; exit 1; }

# As the Procfile's web line (HTTP and WebSockets, the ASGI app under uvicorn's worker),
# with one process: without REDIS_URL the channel layer lives in that process's memory.
# Keep-alive longer than Node's fetch keeps an idle connection (4 s), so the backend
# never closes a connection at the moment the frontend reuses it.
start backend "$VENV_BIN/gunicorn" config.asgi:application --worker-class uvicorn_worker.UvicornWorker \
  --chdir "$ROOT" -b "127.0.0.1:$BACKEND_PORT" --workers 1 --keep-alive 75 --timeout 60 --access-logfile -
BACKEND_PID=${PIDS[-1]}

# --- frontend: one build, no business in it ------------------------------------
cd "$FRONTEND"
if [ "${E2E_SKIP_BUILD:-}" != "1" ] || [ ! -f .next/BUILD_ID ]; then
  echo "e2e: next build"
  env -u NEXT_PUBLIC_TENANT_SLUG -u BACKEND_URL -u NEXT_PUBLIC_WS_URL node_modules/.bin/next build >"$OUTPUT/next-build.log" 2>&1 ||
    { tail -n 60 "$OUTPUT/next-build.log" >&2; exit 1; }
fi

BACKEND_URL="http://127.0.0.1:$BACKEND_PORT"
# Browsers open the team-chat socket on the backend itself, on the host the proxy asks
# for tickets on (BACKEND_URL's): a ticket is bound to that host.
WS_URL="ws://127.0.0.1:$BACKEND_PORT"
# Two host names, because cookies are shared between ports of one host.
SALON_URL="http://127.0.0.1:$SALON_PORT"
RESTAURANT_URL="http://localhost:$RESTAURANT_PORT"

start salon-x env NEXT_PUBLIC_TENANT_SLUG=salon-x BACKEND_URL="$BACKEND_URL" NEXT_PUBLIC_WS_URL="$WS_URL" \
  node_modules/.bin/next start -H 127.0.0.1 -p "$SALON_PORT"
SALON_PID=${PIDS[-1]}
start restaurant-x env NEXT_PUBLIC_TENANT_SLUG=restaurant-x BACKEND_URL="$BACKEND_URL" NEXT_PUBLIC_WS_URL="$WS_URL" \
  node_modules/.bin/next start -H 127.0.0.1 -p "$RESTAURANT_PORT"
RESTAURANT_PID=${PIDS[-1]}

wait_until_up backend "$BACKEND_URL/healthz" "$BACKEND_PID"
wait_until_up salon-x "http://127.0.0.1:$SALON_PORT/login" "$SALON_PID"
wait_until_up restaurant-x "http://127.0.0.1:$RESTAURANT_PORT/login" "$RESTAURANT_PID"
echo "e2e: backend $BACKEND_URL, Salon X $SALON_URL, Restaurant X $RESTAURANT_URL"

TESTS=("$@")
[ "${#TESTS[@]}" -gt 0 ] || TESTS=(e2e/tenant.test.mjs e2e/chat.test.mjs)
[ "$#" -gt 0 ] || rm -f e2e/screenshots/*.png
E2E_BACKEND_URL="$BACKEND_URL" E2E_SALON_URL="$SALON_URL" E2E_RESTAURANT_URL="$RESTAURANT_URL" \
  node --test --test-concurrency=1 --test-timeout=180000 --test-reporter=spec "${TESTS[@]}"
