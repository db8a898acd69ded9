"""Anti-abuse on the registration form: rate limits, the trap field, the minimum fill time."""

import time

import pytest
from django.urls import reverse

from echo.forms import sign_started
from echo.models import OutgoingEmail, RegistrationRequest
from tests.factories import make_series

pytestmark = pytest.mark.django_db


def form_data(n=0, **overrides):
    return {
        "full_name": f"Person {n}",
        "email": f"person{n}@example.org",
        "organization": "Polk County",
        "role_title": "Coordinator",
        "sector": "county_government",
        "county": "polk",
        "consent": "on",
        "form_started": sign_started(time.time() - 30),
        **overrides,
    }


@pytest.fixture
def url():
    return reverse("echo:request", kwargs={"slug": make_series().slug})


def test_sixth_submission_in_ten_minutes_from_one_address_gets_429(client, url):
    for n in range(5):
        assert client.post(url, form_data(n)).status_code == 302
    response = client.post(url, form_data(5))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Please wait before sending another request" in html and html.count("<h1") == 1
    assert RegistrationRequest.objects.count() == 5


def test_other_addresses_are_not_limited_by_one_busy_address(client, url):
    for n in range(6):
        client.post(url, form_data(n), REMOTE_ADDR="10.0.0.1")
    assert client.post(url, form_data(9), REMOTE_ADDR="10.0.0.2").status_code == 302


def test_daily_limit(client, url, settings):
    settings.PORTAL_REQUESTS_PER_10_MINUTES = 100
    settings.PORTAL_REQUESTS_PER_DAY = 3
    statuses = [client.post(url, form_data(n)).status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_invalid_forms_do_not_count_against_the_limit(client, url):
    for _ in range(8):
        assert client.post(url, form_data(email="broken")).status_code == 200
    assert client.post(url, form_data(1)).status_code == 302


def test_trap_field_stores_nothing_but_shows_the_normal_received_page(client, url):
    response = client.post(url, form_data(extra_reference="http://spam.example"))
    assert response.status_code == 302 and response["Location"].endswith("/request/received/")
    assert not RegistrationRequest.objects.exists() and not OutgoingEmail.objects.exists()


@pytest.mark.parametrize(
    "started",
    ["", "forged", "1700000000.0", sign_started(time.time() - 10)[:-2] + "xx"],
)
def test_missing_or_forged_start_time_stores_nothing(client, url, started):
    response = client.post(url, form_data(form_started=started))
    assert response.status_code == 302
    assert not RegistrationRequest.objects.exists()


def test_too_fast_submission_stores_nothing(client, url, settings):
    settings.PORTAL_FORM_MIN_FILL_SECONDS = 3
    response = client.post(url, form_data(form_started=sign_started(time.time() - 1)))
    assert response.status_code == 302
    assert not RegistrationRequest.objects.exists()


def test_a_person_who_takes_their_time_is_stored(client, url, settings):
    settings.PORTAL_FORM_MIN_FILL_SECONDS = 3
    assert (
        client.post(url, form_data(form_started=sign_started(time.time() - 4))).status_code == 302
    )
    assert RegistrationRequest.objects.count() == 1


def test_the_form_page_carries_a_fresh_start_time_and_a_hidden_trap(client, url):
    html = client.get(url).content.decode()
    assert 'name="form_started"' in html
    assert '<div class="trap-field" aria-hidden="true">' in html
    assert 'tabindex="-1"' in html
