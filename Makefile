# Mentorwijs: `make run` starts everything locally, `make test` runs the test suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The web server, worker and beat share a file cache (sessions, the page cache's data generation)
# unless CACHE_URL names another.
LOCAL := DEBUG=true CACHE_URL="$${CACHE_URL:-filecache://$(CURDIR)/var/cache}"

.PHONY: run test install migrate demo totp lint format messages services e2e ci clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

run: install
	$(LOCAL) $(BIN)/python manage.py migrate --noinput
	$(LOCAL) $(BIN)/python manage.py seed_demo
	@echo
	@echo "Mentorwijs runs at http://127.0.0.1:8000  (Ctrl-C stops the web server, worker and beat)"
	@echo
	PATH="$(CURDIR)/$(BIN):$$PATH" $(LOCAL) $(BIN)/honcho --procfile Procfile.dev start

test: install
	$(BIN)/pytest

# The two tiers that need real servers; .ci/run sets DATABASE_URL and CELERY_BROKER_URL.
services: install
	$(BIN)/pytest -m services

e2e: install
	$(BIN)/pytest -m e2e

totp: install
	@$(LOCAL) $(BIN)/python manage.py demo_totp

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	$(BIN)/python manage.py makemessages --locale nl --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'tests/*'
	$(BIN)/python manage.py compilemessages --locale nl --ignore '.venv/*'

ci:
	bash .ci/run

clean:
	rm -rf var staticfiles artifacts .pytest_cache
