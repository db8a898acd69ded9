"""Past one machine: two gunicorn instances on one PostgreSQL share the cache, so a staff edit
made through one shows on the other within PORTAL_PAGE_CACHE_VERSION_SECONDS (1 s), and the
form's rate limit counts requests to both.

What a worker promises (deflection_portal/page_cache.py): rendered pages are kept per
process, freshness is shared. A repeat request is a hit only on the worker that rendered the
page, so the reading instance runs one worker here: its second GET is a hit every time."""

import http.client
import secrets
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest

from .servers import CSRF_COOKIE, manage, production_env, registration_data

pytestmark = pytest.mark.reliability

PAGE = "/what-is-deflection/"
FORM = "/echo/reliability/request/"
STAFF = """
from django.contrib.auth import get_user_model
from django.contrib.flatpages.models import FlatPage
from django_otp.plugins.otp_static.models import StaticDevice
user = get_user_model().objects.create_superuser("editor", "editor@example.org", "scale-out-pw-1")
StaticDevice.objects.create(user=user, name="Backup codes").token_set.create(token="scaleout1")
print(FlatPage.objects.get(url="/what-is-deflection/").pk)
"""


class Browser:
    """Just enough of a browser for the admin: cookies kept across requests, CSRF token."""

    def __init__(self, port: int):
        self.port = port
        self.cookies = {CSRF_COOKIE: secrets.token_hex(16)}

    def request(self, method: str, path: str, data: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode({**data, "csrfmiddlewaretoken": self.cookies[CSRF_COOKIE]}, True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode(errors="replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    for key, morsel in SimpleCookie(value).items():
                        self.cookies[key] = morsel.value
            return response.status, dict(response.getheaders()), content
        finally:
            connection.close()


def test_an_edit_through_one_instance_shows_on_the_other_and_limits_are_shared(
    throwaway_pg, fresh_database, seed, start_gunicorn, static_root
):
    url = throwaway_pg.url(fresh_database)
    page_pk = (
        manage("shell", "-c", STAFF, env=production_env(DATABASE_URL=url)).strip().splitlines()[-1]
    )
    first = start_gunicorn(database_url=url, PORTAL_PAGE_CACHE_SECONDS="600")
    # One worker: the repeat request lands on the process that holds the page.
    second = start_gunicorn(database_url=url, workers=1, PORTAL_PAGE_CACHE_SECONDS="600")

    reader = second.client()
    assert reader.get(PAGE).status == 200
    cached = reader.get(PAGE)
    assert cached.headers.get("x-portal-cache") == "hit"
    assert "Scaled out" not in cached.text

    staff = Browser(first.port)
    status, headers, _ = staff.request(
        "POST",
        "/admin/login/",
        {"username": "editor", "password": "scale-out-pw-1", "otp_token": "scaleout1",
         "next": "/admin/"},
    )  # fmt: skip
    assert status == 302 and headers["Location"] == "/admin/", status
    status, _, form = staff.request("GET", f"/admin/flatpages/flatpage/{page_pk}/change/")
    assert status == 200
    status, headers, _ = staff.request(
        "POST",
        f"/admin/flatpages/flatpage/{page_pk}/change/",
        {"url": PAGE, "title_en": "Scaled out: what is deflection?",
         "content_en": "<p>Edited.</p>", "sites": "1", "template_name": "", "_save": "Save"},
    )  # fmt: skip
    assert status == 302, "the edit through the first instance was not saved"

    # The other instance reads the shared content version again once its copy is
    # PORTAL_PAGE_CACHE_VERSION_SECONDS old (default 1 s): the edit shows within that.
    deadline = time.monotonic() + 1.5
    while True:
        after = reader.get(PAGE)
        assert after.status == 200
        if "Scaled out: what is deflection?" in after.text or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert "Scaled out: what is deflection?" in after.text, "the second instance served stale"

    # The rate limit: 5 accepted submissions from one address, whichever instance took them.
    clients = [first.client(), second.client()]
    statuses = [
        clients[n % 2]
        .post_form(
            FORM, registration_data(f"both{n}@example.org", question_ids=seed["question_ids"])
        )
        .status
        for n in range(6)
    ]
    assert statuses == [302] * 5 + [429]
