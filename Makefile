# hashchat: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The services this machine runs before a session (PostgreSQL: trust auth, database `test`; Redis).
export HASHCHAT_TEST_PG ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export HASHCHAT_TEST_REDIS ?= redis://127.0.0.1:6379/15

.PHONY: run test lint types unit browser browser-deps stack-deps blog-deps bridge-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/hashchat demo --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: $(STAMP)
	$(BIN)/mypy --strict src

browser-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
	@test -d node_modules/axe-core || npm install --no-save --no-audit --no-fund axe-core@4 >/dev/null

# The scaled stack's tests run nginx + nchan and a private redis-server of their own.
stack-deps:
	@{ command -v nginx && test -f /usr/lib/nginx/modules/ngx_nchan_module.so && command -v redis-server; } >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx libnginx-mod-nchan redis-server; }

# The blog tests run a real WordPress (Debian's package, PHP's built-in server, a private MariaDB).
blog-deps:
	@{ command -v php && command -v mariadbd && test -d /usr/share/wordpress; } >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wordpress wordpress-theme-twentytwentythree php-cli php-mysql php-curl php-xml php-mbstring php-gd mariadb-server; }

# The bridge tests run a real Bluesky PDS (Node 22 and @atproto/dev-env from the npm registry,
# cached in ~/.cache/hashchat-test outside the clone) and need npm to install it.
bridge-deps: $(STAMP)
	@command -v npm >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm; }
	@cd tests/bridges && ../../$(BIN)/python -c 'import sys, pds_support; sys.exit(pds_support.install())'

# Browser tests run in a process of their own: Playwright's sync API keeps an event loop running in
# its worker, which Starlette's in-process TestClient cannot share.
unit: $(STAMP) stack-deps blog-deps bridge-deps
	bash scripts/pytest-must-run.sh $(BIN)/pytest -n 2 -m "not browser"

browser: $(STAMP) browser-deps
	bash scripts/pytest-must-run.sh $(BIN)/pytest -m browser

test: $(STAMP) lint types unit browser

bench: $(STAMP)
	$(BIN)/python bench/text_throughput.py
	$(BIN)/python bench/recap_100k.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache node_modules
