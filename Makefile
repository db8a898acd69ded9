# Deflection Portal: the two commands in the README, and a few more.
#   make run    set up and serve the portal locally (SQLite, demo content, a staff login)
#   make test   lint and run the whole test suite (SQLite, or PostgreSQL via DATABASE_URL)

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint worker lock bench clean messages

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) is needed (Debian: apt-get install python3 python3-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: $(PY) requirements.txt
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@

run: export DJANGO_DEBUG ?= true
run: export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.installed
	$(PY) -m deflection_portal.translations
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo_content
	$(PY) manage.py ensure_local_staff --url http://$(HOST):$(PORT)
	@# The worker beside the server: lapsed seat offers move on, queued emails go out.
	$(PY) manage.py run_mail_worker --interval 15 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev
	$(PY) -m deflection_portal.translations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

# The worker: lets lapsed seat offers go and delivers stored emails with retries
# (production runs it beside gunicorn; `make run` starts one beside runserver).
worker: $(VENV)/.installed
	$(PY) -m deflection_portal.translations
	$(PY) manage.py run_mail_worker

# The benchmark (bench/README.md): PostgreSQL, gunicorn and wrk; writes bench/results/.
bench: $(VENV)/.installed-dev
	$(PY) bench/run.py

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Collect the marked strings into locale/es/LC_MESSAGES/django.po (needs GNU gettext's
# xgettext: apt-get install gettext); translate the new entries, then `make run` compiles them.
messages: $(VENV)/.installed
	$(PY) manage.py makemessages --locale es --no-obsolete --add-location file \
		--ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'docs/*' \
		--ignore 'test-artifacts/*' --ignore 'staticfiles/*' --ignore 'scripts/*'

# Recompile the lock files from pyproject.toml.
lock: $(VENV)/.installed-dev
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements.txt pyproject.toml
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra dev --output-file requirements-dev.txt pyproject.toml

# A self-signed certificate for trying docker-compose on this machine (deploy/tls/README.md).
deploy/tls/fullchain.pem:
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost \
		-keyout deploy/tls/privkey.pem -out deploy/tls/fullchain.pem

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
