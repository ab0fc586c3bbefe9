# The two commands a new user needs: `make run` (portal with demo data) and `make test` (all tests).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The address people reach the portal at; `make run PORT=8813` serves and links on port 8813.
PORTAL_URL ?= http://$(HOST):$(PORT)

.PHONY: run test lint format install translations messages migrate demo clean-venv

$(VENV)/.installed: requirements.txt
	bash scripts/system_packages.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

translations: install
	$(PY) scripts/compile_translations.py

migrate: install translations
	$(PY) manage.py migrate --noinput

## Demo data, with three months of dossiers made through the services on the first run
demo: migrate
	$(PY) manage.py seed_demo --history-months 3

## Serve the portal on the embedded default (SQLite, in-process tasks, mail/SMS to var/): make run [PORT=8123]
## The links that leave a page (SMS, e-mail, QR codes, payment return) point at this host and port.
run: demo
	$(PY) scripts/collect_static.py --clear
	@echo ""
	@echo "  The portal is at $(PORTAL_URL)/  (admin: $(PORTAL_URL)/admin/)"
	@echo ""
	PORTAL_URL=$(PORTAL_URL) $(PY) manage.py runserver $(HOST):$(PORT)

## Run the whole test suite (PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set)
test: translations
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

## Extract new strings into locale/vi/LC_MESSAGES/django.po (needs GNU gettext)
messages: install
	$(PY) manage.py makemessages --locale vi --no-obsolete --no-location --ignore ".venv/*" --ignore "var/*"

clean-venv:
	rm -rf $(VENV)
