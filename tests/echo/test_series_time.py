"""A series knows where it stands in time: it takes requests only while a session is ahead and
before its deadline; after that, its pages and its request URL say so, and an interest list
carries people to the next run."""

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from echo import services
from echo.forms import sign_started
from echo.models import InterestSignup, OutgoingEmail, RegistrationRequest
from tests.echo.test_request_views import form_data
from tests.factories import make_series, make_session

pytestmark = pytest.mark.django_db


def ended_series(**overrides):
    series = make_series(sessions_ahead=0, **overrides)
    make_session(series=series, starts_at=timezone.now() - timedelta(days=30))
    return series


def started_series():
    """Its only session began ten minutes ago: the run is under way, nothing is ahead."""
    series = make_series(sessions_ahead=0)
    make_session(series=series, starts_at=timezone.now() - timedelta(minutes=10))
    return series


def past_deadline_series():
    return make_series(registration_closes_at=timezone.now() - timedelta(seconds=1))


CLOSED_CASES = {
    "ended": (ended_series, "This run has ended"),
    "started": (started_series, "This run has ended"),
    "no sessions": (lambda: make_series(sessions_ahead=0), "No sessions of this series"),
    "past deadline": (past_deadline_series, "its deadline has passed"),
}


@pytest.mark.parametrize("case", list(CLOSED_CASES))
def test_a_closed_run_refuses_requests_on_get_and_post_with_the_reason(client, case):
    build, reason = CLOSED_CASES[case]
    series = build()
    assert not series.accepts_requests()
    page = client.get(series.get_absolute_url()).content.decode()
    assert reason in page and "Request a place" not in page
    interest_url = reverse("echo:interest", kwargs={"slug": series.slug})
    # Once a run is over, an interest list replaces the form (not before any session exists).
    assert (interest_url in page) == (case != "no sessions")

    request_url = reverse("echo:request", kwargs={"slug": series.slug})
    got = client.get(request_url)
    posted = client.post(request_url, form_data(series))
    for response in (got, posted):
        html = response.content.decode()
        assert response.status_code == 200
        assert reason in html and 'name="full_name"' not in html
        assert "nothing you may have sent was stored" in html
    assert not RegistrationRequest.objects.exists() and not OutgoingEmail.objects.exists()
    with pytest.raises(services.RegistrationError) as caught:
        services.submit_request(
            series=series, data={**form_data(series), "consent": True}, answers={}
        )
    assert caught.value.code == "not_accepting"


def test_a_cancelled_session_is_not_a_session_ahead(client):
    series = make_series(sessions_ahead=0)
    make_session(series=series, is_cancelled=True)
    assert not series.accepts_requests()


def test_an_open_run_shows_the_button_and_no_interest_list(client):
    series = make_series()
    page = client.get(series.get_absolute_url()).content.decode()
    assert "Request a place" in page and "Join the interest list" not in page
    response = client.get(reverse("echo:interest", kwargs={"slug": series.slug}))
    assert response.status_code == 302  # to the request form instead


# --- Interest list ---------------------------------------------------------------------------


def interest_data(**overrides):
    return {
        "full_name": "Rosa Moreno",
        "email": " Rosa.Moreno@Example.org ",
        "county": "lane",
        "sector": "peer_recovery",
        "consent": "on",
        "form_started": sign_started(time.time() - 60),
        **overrides,
    }


def join(client, series, **overrides):
    return client.post(
        reverse("echo:interest", kwargs={"slug": series.slug}), interest_data(**overrides)
    )


def test_the_interest_list_stores_one_row_per_email_and_a_second_sign_up_is_invisible(client):
    series = ended_series()
    first = join(client, series)
    second = join(client, series, email="ROSA.MORENO@example.org", full_name="R. Moreno")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    [signup] = InterestSignup.objects.all()
    assert (signup.email, signup.full_name) == ("rosa.moreno@example.org", "Rosa Moreno")
    [email] = OutgoingEmail.objects.filter(kind="interest_joined")
    assert signup.get_unsubscribe_url() in email.body_text


def test_interest_form_errors_are_shown_and_nothing_is_stored(client):
    series = ended_series()
    response = join(client, series, email="not an address", consent="")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid email address." in html and "privacy notice" in html
    assert not InterestSignup.objects.exists()


def test_the_interest_form_is_rate_limited_like_the_request_form(client, settings):
    settings.PORTAL_REQUESTS_PER_10_MINUTES = 2
    series = ended_series()
    codes = [join(client, series, email=f"p{n}@example.org").status_code for n in range(3)]
    assert codes == [302, 302, 429]
    assert InterestSignup.objects.count() == 2


def test_leaving_by_the_emailed_link_deletes_the_entry_without_login(client):
    series = ended_series()
    join(client, series)
    signup = InterestSignup.objects.get()
    leave_url = signup.get_unsubscribe_url()
    page = client.get(leave_url)
    assert page.status_code == 200 and InterestSignup.objects.exists()  # GET only asks
    done = client.post(leave_url)
    assert "your details are deleted" in done.content.decode()
    assert not InterestSignup.objects.exists()
    again = client.post(leave_url)
    assert again.status_code == 200 and "belongs to no entry" in again.content.decode()
    assert client.get("/echo/interest/leave/%3Cscript%3E/").status_code == 404


def test_the_retention_command_deletes_interest_entries_past_the_period():
    series = ended_series(retention_days=30)
    old = InterestSignup.objects.create(
        series=series,
        full_name="Old",
        email="old@example.org",
        county="lane",
        sector="other",
        consent=True,
        created_at=timezone.now() - timedelta(days=31),
    )
    recent = InterestSignup.objects.create(
        series=series, full_name="New", email="new@example.org", county="lane", sector="other"
    )
    call_command("anonymise_expired_requests", stdout=open("/dev/null", "w"))
    assert list(InterestSignup.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not InterestSignup.objects.filter(pk=old.pk).exists()


# --- The next run and its invitation ------------------------------------------------------------


def next_run_with_interest(people=3):
    old = ended_series(slug="old-run")
    for n in range(people):
        services.join_interest_list(
            series=old,
            data={
                "full_name": f"P {n}",
                "email": f"p{n}@example.org",
                "county": "lane",
                "sector": "other",
                "consent": True,
            },
        )
    new = old.duplicate(timezone.localdate() + timedelta(days=14))
    new.is_published = True
    new.registration_state = "accepting"
    new.save()
    return old, new


def test_invite_the_interest_list_queues_one_email_each_and_never_twice():
    old, new = next_run_with_interest()
    assert services.invite_interest_list(series=new, user=None) == 3
    invites = OutgoingEmail.objects.filter(kind="interest_invite")
    assert invites.count() == 3
    for email in invites:
        signup = email.interest_signup
        assert signup.get_unsubscribe_url() in email.body_text
        assert reverse("echo:request", kwargs={"slug": new.slug}) in email.body_text
    with pytest.raises(services.RegistrationError) as caught:
        services.invite_interest_list(series=new, user=None)
    assert caught.value.code == "already_invited"
    assert OutgoingEmail.objects.filter(kind="interest_invite").count() == 3


def test_invite_is_refused_until_the_new_run_takes_requests():
    old, new = next_run_with_interest()
    new.registration_state = "closed"
    new.save()
    with pytest.raises(services.RegistrationError) as caught:
        services.invite_interest_list(series=new, user=None)
    assert caught.value.code == "not_accepting"
    assert not OutgoingEmail.objects.filter(kind="interest_invite").exists()


def test_the_admin_button_invites_once_and_says_so(admin_client):
    old, new = next_run_with_interest(people=2)
    change = admin_client.get(reverse("admin:echo_series_change", args=[new.pk]))
    assert "Invite the interest list" in change.content.decode()
    url = reverse("admin:echo_series_invite_interest", args=[new.pk])
    assert "2 people on the interest list" in admin_client.get(url).content.decode()
    admin_client.post(url)
    second = admin_client.post(url, follow=True)
    assert "not sent twice" in second.content.decode()
    assert OutgoingEmail.objects.filter(kind="interest_invite").count() == 2
