# NBNE Business Platform — `make run` to try it, `make test` to prove it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
# The demo users' password for a local run; set DEMO_PASSWORD yourself anywhere else.
DEMO_PASSWORD ?= nbne-demo-2026
export DEMO_PASSWORD

.PHONY: setup lock run test lint format seed bench-rls bench bench-lifecycle bench-sockets bench-noisy bench-peers e2e clean

# Runtime (requirements.txt) and development (requirements-dev.txt) dependencies, both
# locked with hashes from their .in files: `make lock` after changing one.
$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $@

LOCK := $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-header
lock: setup
	$(LOCK) -o requirements.txt requirements.in
	$(LOCK) -o requirements-dev.txt requirements-dev.in

setup: $(BIN)/.installed

seed: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --all

# The ASGI app (HTTP and WebSockets, as the Procfile's web line), reloaded when code changes.
RELOAD_DIRS := $(foreach dir,config core accounts bookings staff comms crm documents compliance payments analytics,--reload-dir $(dir))
run: seed
	@echo ""
	@echo "Demo logins (password: $$DEMO_PASSWORD):"
	@echo "  salon-x-owner, restaurant-x-owner, health-club-x-owner, mind-department-owner, nbne-owner"
	@echo "  (also <slug>-manager and <slug>-staff for each demo business)"
	@echo "  platform operator for /admin/: platform-admin"
	@echo "API on http://127.0.0.1:$(PORT)/api/  docs: http://127.0.0.1:$(PORT)/api/docs/"
	@echo "Try:  curl -H 'X-Tenant-Slug: salon-x' http://127.0.0.1:$(PORT)/api/tenant/"
	@echo "WebSockets: ws://127.0.0.1:$(PORT)/ws/comms/?ticket=...  (POST /api/comms/ws-ticket/ first)"
	@echo ""
	$(BIN)/uvicorn config.asgi:application --host 127.0.0.1 --port $(PORT) --reload $(RELOAD_DIRS)

test: setup
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

# Needs the local PostgreSQL (owner role postgres; the runtime role nbne_app and the platform role nbne_platform are created).
bench-rls: setup
	$(BIN)/python bench/rls_overhead.py

# 1,000 tenants and 1,000,000 bookings against the local PostgreSQL and Redis db 11 (not part
# of `make test`); figures to bench/RESULTS.md and bench/latency.png. BENCH_ARGS=--quick to try it.
bench: setup
	@command -v wrk >/dev/null || apt-get install -y wrk || (apt-get update && apt-get install -y wrk)
	$(BIN)/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	$(BIN)/python -m bench $(BENCH_ARGS)

# A business exported, imported (into an empty database, and beside itself) and deleted on
# the database of `make bench` (built if missing); figures to bench/LIFECYCLE.md.
bench-lifecycle: setup
	$(BIN)/python -m bench.lifecycle $(BENCH_ARGS)

# 500 sockets over 50 businesses on the Procfile's web line (local PostgreSQL, Redis db 12):
# delivery latency, deliveries across businesses (0) and memory per socket; to bench/SOCKETS.md.
bench-sockets: setup
	$(BIN)/python -m bench.sockets $(BENCH_ARGS)

# One business flooding a heavy endpoint while another sends light requests: the quiet
# one's p50/p99 with no flood, with the flood and no cap, with the cap; to bench/NOISY.md.
bench-noisy: setup
	@command -v wrk >/dev/null || apt-get install -y wrk || (apt-get update && apt-get install -y wrk)
	$(BIN)/python -m bench.noisy_neighbour $(BENCH_ARGS)

# This tenancy core against no tenancy, django-tenants, django-rls-tenants, django-scopes and
# django-multitenant on one workload (1,000 businesses; local PostgreSQL, databases
# nbne_peers_*): figures to bench/PEERS.md and bench/peers.png. The peer libraries live in
# bench/peers/.venv only, never in .venv. BENCH_ARGS=--quick for 50 businesses.
PEERS_VENV := bench/peers/.venv
$(PEERS_VENV)/.installed: requirements.txt bench/peers/requirements.txt
	$(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt
	$(PEERS_VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -r bench/peers/requirements.txt
	touch $@

bench-peers: $(PEERS_VENV)/.installed
	$(PEERS_VENV)/bin/python -m bench.peers $(BENCH_ARGS)

frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

# The frontend in headless Chromium against a throwaway backend (frontend/e2e/run.sh).
# Debian's chromium package; no browser is downloaded.
e2e: setup frontend/node_modules/.installed
	@[ -x /usr/bin/chromium ] || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
	bash frontend/e2e/run.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 var
