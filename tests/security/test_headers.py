"""Security headers on every public URL, cookies, body limits, and the database-down page."""

import re

import pytest
from django.db import OperationalError
from django.urls import reverse

from tests.test_site import public_urls

pytestmark = pytest.mark.django_db

EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'nonce-*'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def parse_csp(header: str) -> dict[str, list[str]]:
    policy = {}
    for directive in filter(None, (part.strip() for part in header.split(";"))):
        name, *values = directive.split()
        policy[name] = [re.sub(r"^'nonce-[A-Za-z0-9+/=_-]+'$", "'nonce-*'", v) for v in values]
    return policy


@pytest.fixture
def https_client(client, settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    client.defaults["wsgi.url_scheme"] = "https"
    return client


def test_every_public_url_sends_exactly_the_security_headers(https_client, demo_content):
    for url in public_urls():
        response = https_client.get(url, secure=True)
        assert response.status_code == 200, url
        assert parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP, url
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert response["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        ), url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] in ("same-origin", "no-referrer"), url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", url
        assert response["Permissions-Policy"].startswith("camera=(), microphone=()"), url


def test_admin_keeps_strict_scripts_and_allows_its_inline_styles(client):
    policy = client.get("/admin/login/")["Content-Security-Policy"]
    assert "'unsafe-inline'" not in parse_csp(policy)["script-src"]
    assert parse_csp(policy)["style-src"] == ["'self'", "'unsafe-inline'"]


def test_public_pages_set_no_cookie_and_only_form_pages_set_csrf(client, demo_content):
    form_pages = ("/request/", "/echo/requests/")
    for url in public_urls():
        response = client.get(url)
        cookies = set(response.cookies)
        if any(part in url for part in form_pages):
            assert cookies <= {"csrftoken", "__Host-csrftoken"}, url
        else:
            assert cookies == set(), (url, cookies)


def test_oversized_body_is_refused_with_413_before_reading(client, demo_content, settings):
    url = reverse("echo:request", kwargs={"slug": "deflection-implementation-leadership-echo"})
    body = b"x" * (settings.PORTAL_MAX_PUBLIC_BODY_BYTES + 1)
    response = client.generic("POST", url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "more than we can accept" in response.content.decode()


def test_nonsense_content_length_is_a_400(client):
    response = client.generic("POST", "/", b"", CONTENT_LENGTH="lots")
    assert response.status_code == 400


def test_database_errors_answer_a_branded_503_with_retry_after(client, monkeypatch):
    from django.contrib.flatpages.models import FlatPage

    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(FlatPage.objects, "filter", unreachable)
    response = client.get(reverse("home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "briefly unavailable" in response.content.decode()


def test_registration_view_hides_its_post_parameters_from_error_reports(rf):
    from django.http import Http404
    from django.views.debug import SafeExceptionReporterFilter

    from echo.request_views import request_form

    request = rf.post("/echo/x/request/", {"email": "secret@example.org"})
    with pytest.raises(Http404):
        request_form(request, slug="no-such-series")
    assert request.sensitive_post_parameters == "__ALL__"
    cleansed = SafeExceptionReporterFilter().get_post_parameters(request)
    assert cleansed["email"] != "secret@example.org"
