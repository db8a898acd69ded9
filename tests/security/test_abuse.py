"""Anti-abuse on the registration form: rate limits, the trap field, the minimum fill time."""

import time

import pytest
from django.urls import reverse

from echo import ratelimit
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


def test_the_rate_limit_slides_no_burst_across_a_window_boundary():
    limits = [ratelimit.Limit(5, 600)]
    boundary = 1_800_000_000 // 600 * 600 + 600  # a fixed window would restart here
    allowed = [ratelimit.hit("t", "k", limits, now=boundary - 10 + n).allowed for n in range(5)]
    # Twenty-six seconds later, across the boundary: still five in the last ten minutes.
    after = [ratelimit.hit("t", "k", limits, now=boundary + 16 + n).allowed for n in range(5)]
    assert allowed == [True] * 5 and after == [False] * 5
    verdict = ratelimit.hit("t", "k", limits, now=boundary + 30)
    # The five leave the window within one slot (a minute) of ten minutes after them.
    assert 560 <= verdict.retry_after <= 640
    assert ratelimit.hit("t", "k", limits, now=boundary - 10 + 600 + 60).allowed


def test_refused_attempts_are_not_counted():
    limits = [ratelimit.Limit(2, 600)]
    start = 1_900_000_000.0
    results = [ratelimit.hit("t", "r", limits, now=start + n).allowed for n in range(10)]
    assert results == [True, True] + [False] * 8
    assert ratelimit.hit("t", "r", limits, now=start + 600 + 61).allowed


def test_a_start_time_stores_one_request_only(client, url):
    started = sign_started(time.time() - 30)
    first = client.post(url, form_data(1, form_started=started))
    replay = client.post(url, form_data(2, form_started=started), REMOTE_ADDR="10.9.9.9")
    assert first.status_code == replay.status_code == 302
    assert list(RegistrationRequest.objects.values_list("email", flat=True)) == [
        "person1@example.org"
    ]


def test_an_expired_start_time_asks_the_person_to_send_again(client, url, settings):
    settings.PORTAL_FORM_MAX_AGE_SECONDS = 2 * 3600
    old = sign_started(time.time() - 2 * 3600 - 5)
    response = client.post(url, form_data(1, form_started=old))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This form was open for a long time" in html
    assert old not in html  # a fresh start time in the form
    assert not RegistrationRequest.objects.exists()


def test_a_token_signed_too_long_ago_is_refused_even_if_it_claims_a_recent_start(
    client, url, settings
):
    from unittest import mock

    from django.core import signing

    from echo.forms import STARTED_SALT

    settings.PORTAL_FORM_MAX_AGE_SECONDS = 60
    claimed = [time.time() - 30, "nonce"]
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 3600):
        stale = signing.dumps(claimed, salt=STARTED_SALT)
    client.post(url, form_data(1, form_started=stale))
    assert not RegistrationRequest.objects.exists()


def test_the_received_email_repeats_no_submitted_text(client, url):
    spam = "Visit spam.example now"
    client.post(url, form_data(1, full_name=spam, organization=spam, role_title=spam))
    receipt = OutgoingEmail.objects.get(kind="received")
    assert spam not in receipt.subject
    assert spam not in receipt.body_text and spam not in receipt.body_html
    assert receipt.body_text.startswith("Hello,")


def test_a_form_shown_again_after_a_refusal_carries_a_fresh_start_time(client, url, monkeypatch):
    import re

    from django.core.exceptions import ValidationError

    from echo import services

    def busy(**kwargs):
        # A refusal that shows the form again, like a series too busy to take the request.
        error = services.RegistrationError.__new__(services.RegistrationError)
        ValidationError.__init__(error, "The series is busy; please send the form again.")
        raise error

    started = sign_started(time.time() - 30)
    with monkeypatch.context() as patch:
        patch.setattr(services, "submit_request", busy)
        shown_again = client.post(url, form_data(1, form_started=started))
    assert shown_again.status_code == 200
    fresh = re.search(r'name="form_started" value="([^"]+)"', shown_again.content.decode())[1]
    assert fresh != started
    # The used one stores nothing; the fresh one (a person takes a few seconds) is stored.
    assert client.post(url, form_data(1, form_started=started)).status_code == 302
    assert not RegistrationRequest.objects.exists()
    with monkeypatch.context() as patch:
        patch.setattr("time.time", lambda real=time.time: real() + 5)
        assert client.post(url, form_data(1, form_started=fresh)).status_code == 302
    assert RegistrationRequest.objects.count() == 1
