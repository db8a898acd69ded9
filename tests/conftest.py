"""Shared fixtures and settings for the whole suite."""

import pytest
from django.core.management import call_command


def pytest_configure(config):
    # The Spanish pages read the compiled catalogue; `make test` compiles it too, this keeps a
    # bare `pytest` right after a .po edit. Written atomically, so parallel workers are safe.
    from deflection_portal.translations import compile_catalogues

    compile_catalogues()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs collectstatic first; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _english_to_start():
    # A request to a Spanish page leaves Spanish active in the thread; rows built afterwards
    # would get their text in the Spanish columns (django-modeltranslation writes the active
    # language). Each test starts in English, as a management command or the admin does.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the shared cache; each test starts with none. The database
    # cache needs a database, so tests without one have nothing to clear.
    from django.core.cache import cache

    from deflection_portal.page_cache import forget_content_version

    try:
        cache.clear()
    except Exception:
        pass
    forget_content_version()
    yield


@pytest.fixture(autouse=True)
def _fresh_content_types():
    # A transactional test flushes the database and content types come back with new ids;
    # the process-wide cache must not hand out the old ones (admin log entries use them).
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    yield


@pytest.fixture
def demo_content(db):
    """The demo content, loaded by the same command `make run` uses."""
    call_command("load_demo_content", stdout=open("/dev/null", "w"))


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin client, past the admin's second factor as well."""
    from tests.helpers import login_staff

    login_staff(client, admin_user)
    return client


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback, and Django set to send through it."""
    from tests.smtp import SMTPServer

    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 3
    yield server
    server.stop()
