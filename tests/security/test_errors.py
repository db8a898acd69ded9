"""Every error answer is branded and carries the security headers; error views never read the
body; bodies in charsets the portal does not send answer 400; large bodies to the admin are
refused before anything parses them unless staff are signed in."""

import pytest
from django.urls import reverse

from deflection_portal import views
from tests.factories import make_request, make_series
from tests.helpers import login_staff

pytestmark = pytest.mark.django_db


def assert_branded_with_headers(response, status: int, text: str) -> None:
    assert response.status_code == status
    html = response.content.decode()
    assert text in html and "Deflection Portal" in html
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Permissions-Policy"].startswith("camera=()")


@pytest.fixture
def urls():
    series = make_series()
    return [
        reverse("admin:login"),
        reverse("echo:request", kwargs={"slug": series.slug}),
        reverse("echo:request-status", kwargs={"token": make_request(series=series).access_token}),
    ]


@pytest.mark.parametrize(
    "charset",
    ["latin-1", "iso-8859-1", "utf-16", "cp1252", "us-ascii", "utf8", "no-such-charset", ""],
)
def test_a_body_in_another_charset_answers_a_branded_400(client, urls, charset):
    for url in urls:
        response = client.generic(
            "POST",
            url,
            b"full_name=%E9t%E9&confirm=withdraw",
            content_type=f"application/x-www-form-urlencoded; charset={charset}",
        )
        assert_branded_with_headers(response, 400, "couldn't understand that request")


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", '"utf-8"'])
def test_a_declared_utf8_charset_is_accepted(client, urls, charset):
    response = client.generic(
        "POST",
        urls[1],
        b"full_name=x",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 200  # the form again, with its errors


class ExplodingBody:
    """A request body that fails when read: an error view must not touch it."""

    def read(self, *args):
        raise AssertionError("the error view read the body")

    readline = read


@pytest.mark.parametrize(
    ("handler", "status", "text"),
    [
        (views.bad_request, 400, "couldn't understand that request"),
        (views.permission_denied, 403, "You don't have access to this page"),
        (views.page_not_found, 404, "We can't find that page"),
        (views.csrf_failure, 403, "We couldn't accept that form"),
        (views.server_error, 500, "Something went wrong on our side"),
        (views.too_large, 413, "That was more than we can accept"),
    ],
)
def test_error_views_never_read_the_body(rf, handler, status, text):
    request = rf.post("/x/", data=b"a=1", content_type="application/x-www-form-urlencoded")
    request._stream = ExplodingBody()
    response = (
        handler(request)
        if handler in (views.server_error, views.too_large)
        else handler(request, None)
    )
    assert response.status_code == status and text in response.content.decode()


def test_django_uses_the_branded_handlers(client, settings):
    from django.urls import get_resolver

    resolver = get_resolver()
    assert resolver.resolve_error_handler(400) is views.bad_request
    assert resolver.resolve_error_handler(403) is views.permission_denied
    assert resolver.resolve_error_handler(404) is views.page_not_found
    assert resolver.resolve_error_handler(500) is views.server_error
    assert settings.CSRF_FAILURE_VIEW == "deflection_portal.views.csrf_failure"
    assert_branded_with_headers(client.get("/no-such-page/"), 404, "We can't find that page")
    csrf = client.__class__(enforce_csrf_checks=True).post(reverse("admin:login"), {"a": "b"})
    assert_branded_with_headers(csrf, 403, "We couldn't accept that form")


def test_the_413_answer_carries_the_headers(client, settings):
    body = b"x" * (settings.PORTAL_MAX_PUBLIC_BODY_BYTES + 1)
    response = client.generic("POST", "/", body, content_type="application/x-www-form-urlencoded")
    assert_branded_with_headers(response, 413, "That was more than we can accept")


def test_an_anonymous_admin_request_gets_the_public_limit_before_any_parsing(
    client, settings, monkeypatch
):
    from django.http import HttpRequest

    def parsed(self):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr(HttpRequest, "_load_post_and_files", parsed)
    body = b"x" * (settings.PORTAL_MAX_PUBLIC_BODY_BYTES + 1)
    for path in ("/admin/login/", "/admin/library/resource/add/"):
        response = client.generic(
            "POST", path, body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 413, path


def test_signed_in_staff_may_send_the_admins_larger_bodies(client, admin_user, settings):
    login_staff(client, admin_user)
    size = settings.PORTAL_MAX_PUBLIC_BODY_BYTES + 1
    response = client.generic(
        "POST",
        "/admin/library/resource/add/",
        b"title=" + b"x" * size,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code != 413
    too_big = b"x" * (settings.PORTAL_MAX_ADMIN_BODY_BYTES + 1)
    response = client.generic(
        "POST", "/admin/library/resource/add/", too_big, content_type="text/plain"
    )
    assert response.status_code == 413


def test_the_messages_cookie_is_a_host_cookie(client, settings):
    assert settings.MESSAGE_COOKIE_NAME == "__Host-messages"
    request = make_request()
    url = reverse("echo:request-status", kwargs={"token": request.access_token})
    response = client.post(url, {"confirm": "withdraw"}, secure=True)
    cookie = response.cookies["__Host-messages"]
    assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"]
    assert "messages" not in response.cookies
    followed = client.get(url, secure=True)
    assert "Your request is withdrawn." in followed.content.decode()


def test_static_files_send_no_wildcard_cors(settings):
    assert settings.WHITENOISE_ALLOW_ALL_ORIGINS is False
