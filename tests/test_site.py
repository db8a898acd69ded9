"""Project-wide checks: migrations, public pages, error pages, production settings."""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from tests.helpers import h1_count

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-production-like-secret-key-" + "x9Qv3" * 10,
    "DJANGO_ALLOWED_HOSTS": "portal.example.org",
    "PORTAL_BASE_URL": "https://portal.example.org",
    "DATABASE_URL": "postgres://portal:portal@127.0.0.1:5432/portal",
}


def public_urls() -> list[str]:
    """Every kind of public page, with the demo content loaded."""
    from echo.models import RegistrationRequest
    from library.models import Collection, Resource, Topic

    i_and_l = "deflection-implementation-leadership-echo"
    token = RegistrationRequest.objects.filter(series__slug=i_and_l).first().access_token
    pending = RegistrationRequest.objects.filter(series__slug=i_and_l, state="pending").first()
    return [
        reverse("home"),
        reverse("what-is-deflection"),
        reverse("library:home"),
        reverse("library:search") + "?q=civil+citation",
        reverse("library:search") + "?q=zzzz-nothing-matches",
        reverse("library:collection", kwargs={"slug": Collection.objects.first().slug}),
        reverse("library:topic", kwargs={"slug": Topic.objects.first().slug}),
        reverse("library:resource", kwargs={"slug": Resource.objects.published()[0].slug}),
        reverse("echo:home"),
        reverse("echo:archive"),
        reverse("echo:series", kwargs={"slug": "deflection-echo-2024"}),
        reverse("echo:series-archive", kwargs={"slug": "deflection-echo-2024"}),
        reverse("echo:session", kwargs={"slug": "deflection-echo-2024", "number": 1}),
        reverse("echo:series", kwargs={"slug": i_and_l}),
        reverse("echo:request", kwargs={"slug": i_and_l}),
        reverse("echo:request-received", kwargs={"slug": i_and_l}),
        reverse("echo:request-status", kwargs={"token": token}),
        reverse("echo:request-edit", kwargs={"token": pending.access_token}),
        reverse("echo:privacy"),
        reverse("directory:home"),
        reverse("contact"),
        reverse("accessibility"),
    ]


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_no_pending_migrations(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_every_public_page_answers_with_exactly_one_h1(client, demo_content):
    for url in public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        assert h1_count(response.content.decode()) == 1, url


@pytest.mark.django_db
def test_headings_never_skip_a_level(client, demo_content):
    for url in public_urls():
        html = client.get(url).content.decode()
        main = html[html.index('<main id="main-content"') :]
        levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", main)]
        assert levels and levels[0] == 1, url
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, f"{url}: h{before} then h{after}"


@pytest.mark.django_db
def test_pages_have_titles_skip_link_and_labelled_navigation(client, demo_content):
    html = client.get(reverse("home")).content.decode()
    assert re.search(r"<html lang=\"en", html)
    assert "<title>Deflection Information and Resources – Deflection Portal</title>" in html
    assert 'href="#main-content"' in html and '<main id="main-content"' in html
    assert '<nav class="navbar navbar-expand-lg" aria-label="Main">' in html
    assert 'aria-current="page"' in html


@pytest.mark.django_db
def test_what_is_deflection_quotes_the_jcoin_definition_with_attribution(client, demo_content):
    html = client.get(reverse("what-is-deflection")).content.decode()
    assert "<blockquote" in html and "warm handoffs to community-based treatment" in html
    assert "Justice Community Opioid Innovation Network" in html
    assert "April 1, 2024" in html and "$20 million" in html
    assert "Oregon Criminal Justice Commission" in html


@pytest.mark.django_db
def test_demo_content_is_idempotent_and_keeps_staff_edits(demo_content):
    from django.contrib.flatpages.models import FlatPage

    FlatPage.objects.filter(url="/").update(title="Edited by staff")
    call_command("load_demo_content", stdout=StringIO())
    assert FlatPage.objects.filter(url="/").get().title == "Edited by staff"
    assert FlatPage.objects.count() == 2


@pytest.mark.django_db
def test_home_page_works_before_demo_content(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert h1_count(response.content.decode()) == 1


@pytest.mark.django_db
def test_unknown_url_answers_branded_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "find that page" in html and h1_count(html) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("code", [400, 403, 404, 500])
def test_error_templates_render(code):
    request = RequestFactory().get("/")
    html = render_to_string(f"{code}.html", request=request if code != 500 else None)
    assert h1_count(html) == 1
    assert "Deflection Portal" in html


def test_server_error_page_is_served_by_the_default_handler(client, settings):
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


def test_deploy_check_passes_with_production_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_start_up_fails_clearly_without_secret_key_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_start_up_fails_clearly_without_allowed_hosts_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_ALLOWED_HOSTS"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS is not set" in result.stderr


def test_bad_boolean_in_environment_is_reported_by_name():
    result = run_manage("check", env={**PRODUCTION_ENV, "DJANGO_DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false" in result.stderr


def test_production_settings_switch_on_every_security_setting():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME,"
        " s.DATABASES['default']['CONN_HEALTH_CHECKS'], s.EMAIL_TIMEOUT)"
    )
    result = run_manage("shell", "--verbosity", "0", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "31536000",
        "True",
        "True",
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "10",
    ]


def test_default_database_is_sqlite_in_immediate_mode():
    code = "from django.conf import settings as s; d=s.DATABASES['default']; print(d['ENGINE'], d['OPTIONS']['transaction_mode'])"  # noqa: E501
    result = run_manage("shell", "--verbosity", "0", "-c", code, env={"DJANGO_DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "IMMEDIATE"]


def test_local_staff_command_refuses_with_debug_off():
    result = run_manage("ensure_local_staff", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "Refusing to create a local staff account" in result.stderr


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="CI runs the suite on PostgreSQL")
def test_ci_runs_the_suite_on_postgresql(db):
    from django.db import connection

    assert connection.vendor == "postgresql"


def test_local_staff_login_printed_by_make_run_opens_the_admin(tmp_path):
    env = {"DJANGO_DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'local.sqlite3'}"}
    assert run_manage("migrate", "--no-input", "-v0", env=env).returncode == 0
    first = run_manage("ensure_local_staff", "--url", "http://127.0.0.1:8123", env=env)
    assert first.returncode == 0, first.stderr
    assert "http://127.0.0.1:8123/admin/" in first.stdout
    password = re.search(r"password: (\S+)", first.stdout).group(1)
    backup_code = re.search(r"backup codes[^\n]*\n\s+(\S+)", first.stdout).group(1)
    assert "otpauth://totp/" in first.stdout
    code = (
        "from django.test import Client; c = Client(HTTP_HOST='localhost');"
        f"print(c.post('/admin/login/', {{'username': 'staff', 'password': {password!r},"
        f" 'otp_token': {backup_code!r}, 'next': '/admin/'}}, follow=True).status_code,"
        " c.get('/admin/').status_code)"
    )
    result = run_manage("shell", "--verbosity", "0", "-c", code, env=env)
    assert result.stdout.split() == ["200", "200"], result.stderr
    second = run_manage("ensure_local_staff", env=env)
    assert "already exists" in second.stdout and "password:" not in second.stdout


def test_env_example_lists_every_variable_the_settings_read():
    source = (ROOT / "deflection_portal" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:bool|int|list|required)\(\s*"([A-Z_]+)"', source))
    read |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z_]+)"', source))
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^([A-Z_]+)=", example, flags=re.MULTILINE))
    assert read, "no variables found: the pattern no longer matches settings.py"
    assert read - listed == set()


def test_bench_floor_is_routed_only_when_enabled():
    code = (
        "from django.urls import resolve, Resolver404\n"
        "try:\n    resolve('/bench/floor/'); resolve('/bench/page-floor/'); print('routed')\n"
        "except Resolver404:\n    print('absent')"
    )
    off = run_manage("shell", "--verbosity", "0", "-c", code, env=PRODUCTION_ENV)
    on = run_manage(
        "shell", "--verbosity", "0", "-c", code, env={**PRODUCTION_ENV, "PORTAL_BENCH_FLOOR": "1"}
    )
    assert (off.stdout.strip(), on.stdout.strip()) == ("absent", "routed"), off.stderr + on.stderr
