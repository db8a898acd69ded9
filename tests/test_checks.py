"""System checks: PORTAL_BASE_URL must be an address this portal serves."""

from django.core.management import call_command

from deflection_portal.checks import BASE_URL_HOST_NOT_ALLOWED, check_base_url


def ids(settings):
    return [message.id for message in check_base_url()]


def test_base_url_on_an_allowed_host_passes(settings):
    settings.ALLOWED_HOSTS = ["portal.example.org"]
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    assert ids(settings) == []
    settings.ALLOWED_HOSTS = [".example.org"]
    assert ids(settings) == []


def test_base_url_on_another_host_warns(settings):
    settings.ALLOWED_HOSTS = ["portal.example.org"]
    for url in ("http://127.0.0.1:8000", "https://other.example.com", "portal.example.org", ""):
        settings.PORTAL_BASE_URL = url
        assert ids(settings) == [BASE_URL_HOST_NOT_ALLOWED], url


def test_the_warning_shows_in_manage_py_check(settings, capsys):
    settings.ALLOWED_HOSTS = ["portal.example.org"]
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8001"
    call_command("check")
    assert BASE_URL_HOST_NOT_ALLOWED in capsys.readouterr().err


def test_make_run_serves_at_the_base_url_it_sets():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    assert "run: export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)" in makefile
    assert "runserver $(HOST):$(PORT)" in makefile
