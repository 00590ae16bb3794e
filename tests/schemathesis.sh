#!/usr/bin/env bash
# Fuzz the API from its own OpenAPI schema, as an outside client would: two seeded demo
# tenants, gunicorn on loopback, schemathesis with the owner's token of one of them.
# Fails on any 5xx and on any status code the schema does not document.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
PORT=${FUZZ_PORT:-8765}
BASE="http://127.0.0.1:${PORT}"
export DEMO_PASSWORD=${DEMO_PASSWORD:-fuzz-password-1}
export JWT_ACCESS_MINUTES=240
export DJANGO_DEBUG=false
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-fuzz-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz}
export DJANGO_SECURE_SSL_REDIRECT=false
export PUBLIC_BOOKING_RATE=100000/minute
export MEDIA_ROOT=${MEDIA_ROOT:-$(mktemp -d)}
TENANT_SECRETS_KEYS=${TENANT_SECRETS_KEYS:-$("$BIN/python" -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')}
export TENANT_SECRETS_KEYS

"$BIN/python" manage.py migrate --noinput -v0
"$BIN/python" manage.py seed_demo --tenant salon-x
"$BIN/python" manage.py seed_demo --tenant restaurant-x

# The server production runs (the Procfile's web line), with two workers.
"$BIN/gunicorn" config.asgi:application --worker-class uvicorn_worker.UvicornWorker \
  --bind "127.0.0.1:${PORT}" --workers 2 --log-level warning &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fs "${BASE}/healthz" >/dev/null && break; sleep 0.2; done

TOKEN=$(curl -fs -X POST "${BASE}/api/auth/token/" -H 'Content-Type: application/json' -H 'X-Tenant-Slug: salon-x' \
  -d "{\"username\": \"salon-x-owner\", \"password\": \"${DEMO_PASSWORD}\"}" |
  "$BIN/python" -c 'import json, sys; print(json.load(sys.stdin)["access"])')

"$BIN/schemathesis" run "${BASE}/api/schema/" \
  --header "Authorization: Bearer ${TOKEN}" \
  --header "X-Tenant-Slug: salon-x" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance \
  --max-examples "${FUZZ_EXAMPLES:-15}" \
  --phases "${FUZZ_PHASES:-examples,fuzzing,stateful}" \
  --workers 2 \
  --seed 20261123 \
  --generation-database none \
  --no-color
