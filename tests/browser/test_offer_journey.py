"""A waitlisted applicant is offered a freed seat: the offer email (read from the stored
email), the status page with its deadline, the accept button, and the approved page that
lists only the sessions ahead."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from echo import services
from echo.models import OutgoingEmail, RequestState, Series, Session

from .data import LEADERSHIP_SLUG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_waitlisted_applicant_gets_an_offer_accepts_it_and_sees_only_sessions_ahead(
    page, demo_site, settings, live_server, screenshot
):
    settings.PORTAL_BASE_URL = live_server.url
    series = Series.objects.get(slug=LEADERSHIP_SLUG)
    # One session of the live run has already happened.
    first = series.sessions.order_by("starts_at").first()
    Session.objects.filter(pk=first.pk).update(
        starts_at=timezone.now() - timedelta(days=1, hours=1),
        ends_at=timezone.now() - timedelta(days=1),
    )
    # The open demo offer is answered, so the next seat goes to the waitlist's first.
    services.decline_offer(registration_request=series.requests.get(state=RequestState.OFFERED))
    waiting = series.requests.filter(state=RequestState.OFFERED).get()
    assert waiting.events.filter(to_state=RequestState.WAITLISTED).exists()

    offer_email = OutgoingEmail.objects.get(kind="offered", request=waiting)
    assert "held for you until" in offer_email.body_text
    link = re.search(r"https?://\S+/echo/requests/[\w-]+/", offer_email.body_text).group(0)

    page.goto(link)
    expect(page.get_by_text("A seat has come free and it is offered to you.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"It is held for you until .* P[DS]T\."))).to_be_visible()
    page.get_by_role("button", name="Accept the seat").click()

    expect(page.get_by_role("status").or_(page.locator(".alert-success")).first).to_contain_text(
        "The seat is yours"
    )
    expect(page.locator("dd strong")).to_have_text("Approved")
    sessions = page.locator("ol.session-list li")
    expect(sessions).to_have_count(series.sessions.count() - 1)
    expect(page.get_by_text(first.display_title + ":", exact=False)).to_have_count(0)
    waiting.refresh_from_db()
    assert waiting.state == RequestState.APPROVED
    assert series.requests.holding_seats().count() == series.capacity
    screenshot(page, "approved")
    page.goto(reverse("echo:series", kwargs={"slug": LEADERSHIP_SLUG}))
    expect(page.get_by_role("link", name="Request a place")).to_be_visible()
