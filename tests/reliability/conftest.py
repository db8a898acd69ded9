"""Fixtures of the reliability suite: a throwaway PostgreSQL cluster with the portal migrated
into a template database, fresh copies of it per scenario, and gunicorn processes with
production settings. Every process and temp directory started here is removed at teardown.
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from .servers import PG_BIN, Gunicorn, ThrowawayPostgres, manage, production_env

SEED_DATABASE = "portal_seed"

# Run through `manage.py shell` against the template database after migrate: the demo
# content (pages to GET) plus one series that takes requests, with a question and staff
# addresses (so each submission stores two emails), and one request for the status page.
SEED = """
import json
from echo.models import QuestionKind
from tests.factories import make_question, make_request, make_series
series = make_series(slug="reliability", title="Reliability ECHO", capacity=None,
                     staff_emails="staff@reliability.example.org")
question = make_question(series=series, kind=QuestionKind.SHORT_TEXT, label="Your program?")
request = make_request(series=series, email="seeded@reliability.example.org")
print(json.dumps({"question_ids": [question.pk], "token": request.access_token}))
"""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "reliability: slow fault-tolerance tests with real PostgreSQL and gunicorn"
    )


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require_postgres_binaries() -> None:
    if (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists():
        return
    reason = (
        f"PostgreSQL server binaries not found in {PG_BIN} (apt-get install postgresql, or "
        "set PORTAL_PG_BIN): the fault tests start a throwaway cluster of their own."
    )
    if in_ci():
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def work_dir():
    path = Path(tempfile.mkdtemp(prefix="portal-reliability-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def static_root(work_dir):
    """collectstatic once: production settings serve hashed static names from a manifest."""
    root = work_dir / "static"
    env = production_env(
        DJANGO_STATIC_ROOT=str(root), DATABASE_URL=f"sqlite:///{work_dir / 'unused.sqlite3'}"
    )
    manage("collectstatic", "--no-input", "-v0", env=env)
    return root


@pytest.fixture(scope="session")
def throwaway_pg():
    require_postgres_binaries()
    pg = ThrowawayPostgres()
    try:
        pg.init()
        yield pg
    finally:
        pg.destroy()


@pytest.fixture(scope="session")
def seed(throwaway_pg, static_root):
    """The template database: migrated, demo content, the reliability series."""
    url = throwaway_pg.create_database(SEED_DATABASE)
    env = production_env(DATABASE_URL=url, DJANGO_STATIC_ROOT=str(static_root))
    manage("migrate", "--no-input", "-v0", env=env)
    manage("load_demo_content", env=env)
    output = manage("shell", "-c", SEED, env=env)
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture
def fresh_database(request, throwaway_pg, seed):
    """A copy of the seeded database for one test (CREATE DATABASE ... TEMPLATE)."""
    throwaway_pg.ensure_running()
    name = "portal_" + request.node.name.lower().replace("[", "_").replace("]", "")[:40]
    throwaway_pg.execute("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    throwaway_pg.create_database(name, template=SEED_DATABASE)
    return name


@pytest.fixture
def start_gunicorn(work_dir, static_root):
    """Start gunicorn with production settings and the given environment; all stopped after
    the test."""
    servers = []

    def start(*, database_url: str, workers: int = 2, **env: str) -> Gunicorn:
        full_env = production_env(
            DATABASE_URL=database_url, DJANGO_STATIC_ROOT=str(static_root), **env
        )
        server = Gunicorn(full_env, workers=workers, log_dir=work_dir)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


# --- The production topology: nginx (deploy/nginx/portal.conf.template) in front ---------

# gunicorn behind the proxy, configured as the deployment docs say.
BEHIND_PROXY = {
    "PORTAL_TRUSTED_PROXIES": "127.0.0.1",
    "PORTAL_TRUSTED_PROXY_COUNT": "1",
    "GUNICORN_FORWARDED_ALLOW_IPS": "127.0.0.1",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "true",
    "DJANGO_ALLOWED_HOSTS": "portal.test,127.0.0.1,localhost",
}


@pytest.fixture(scope="session")
def tls_files(work_dir):
    from .proxy import require_nginx, self_signed_certificate

    require_nginx()
    directory = work_dir / "tls"
    directory.mkdir()
    return self_signed_certificate(directory)


@pytest.fixture
def start_proxy(work_dir, tls_files):
    """Start nginx with the deployment's configuration in front of a gunicorn port."""
    from .proxy import Nginx

    proxies = []

    def start(upstream_port: int) -> Nginx:
        cert, key = tls_files
        proxy = Nginx(upstream_port=upstream_port, work_dir=work_dir, cert=cert, key=key)
        proxies.append(proxy)
        return proxy

    yield start
    for proxy in proxies:
        proxy.stop()
