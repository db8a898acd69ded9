"""Environment for the test run, set before Django loads its settings.

Tests run with the production code paths (debug off, secure cookies); only the values a
real deployment must supply are filled in here, and only when the caller has not set them.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-" + "k" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
# The page cache is tested on its own (tests/test_page_cache.py); elsewhere every request
# renders, so that query budgets measure the pages themselves.
os.environ.setdefault("PORTAL_PAGE_CACHE_SECONDS", "0")
# The suite's own database: fixtures load thousands of rows on machines that may be busy, so
# no statement limit here. The deadlines are tested in tests/reliability, where gunicorn runs
# with the production values (servers.production_env drops this variable).
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "0")
