"""The program's settings: staff-edited name, official line and contact, shown in the header,
footer, contact page and privacy notice, and used as Reply-To on every email."""

import pytest
from django.urls import reverse

from deflection_portal.models import ProgramSettings
from echo.mail import deliver_due, queue_email
from echo.models import EmailKind, OutgoingEmail
from tests.factories import make_request, make_series
from tests.helpers import assert_one_h1

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact():
    return ProgramSettings.objects.create(
        program_name="Oregon Deflection Program",
        official_line="An official program of the State of Oregon",
        agency_name="Oregon Criminal Justice Commission",
        contact_email="deflection@example.gov",
        contact_phone="503 555 0100",
        contact_address="885 Summer St NE\nSalem, OR 97301",
    )


def test_defaults_render_without_a_saved_row(client):
    html = client.get(reverse("home")).content.decode()
    assert "– Deflection Portal</title>" in html
    assert "Program staff have not published a contact yet." in html


def test_header_footer_and_titles_use_the_staff_settings(client, contact):
    html = client.get(reverse("library:home")).content.decode()
    assert "– Oregon Deflection Program</title>" in html
    assert 'class="official-line"' in html and "An official program of the State of Oregon" in html
    footer = html[html.index('<footer class="site-footer">') :]
    for text in ("Oregon Criminal Justice Commission", "deflection@example.gov", "503 555 0100"):
        assert text in footer
    for name in ("contact", "accessibility", "echo:privacy"):
        assert f'href="{reverse(name)}"' in footer


def test_contact_page_lists_the_contact(client, contact):
    response = client.get(reverse("contact"))
    assert response.status_code == 200
    assert_one_h1(response)
    html = response.content.decode()
    for text in ("mailto:deflection@example.gov", "885 Summer St NE", "Salem, OR 97301"):
        assert text in html


def test_accessibility_statement_renders(client):
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    assert_one_h1(response)
    assert "WCAG" in response.content.decode()


def test_privacy_notice_names_the_agency_and_each_series_retention(client, contact):
    make_series(title="Leadership ECHO", retention_days=400)
    make_series(title="Hidden series", retention_days=10, is_published=False)
    html = client.get(reverse("echo:privacy")).content.decode()
    assert "Oregon Criminal Justice Commission collects" in html
    assert "Leadership ECHO" in html and "400 days" in html
    assert "Hidden series" not in html
    assert "deflection@example.gov" in html


def test_admin_edits_the_single_settings_row(admin_client):
    changelist = admin_client.get(reverse("admin:deflection_portal_programsettings_changelist"))
    assert changelist.status_code == 302
    change_url = changelist["Location"]
    assert admin_client.get(change_url).status_code == 200
    response = admin_client.post(
        change_url,
        {
            "program_name_en": "Renamed Program",
            "official_line_en": "",
            "agency_name_en": "Agency",
            "contact_email": "help@example.gov",
            "contact_phone": "",
            "contact_address": "",
            "contact_hours_en": "",
        },
    )
    assert response.status_code == 302
    assert ProgramSettings.objects.count() == 1
    assert ProgramSettings.load().program_name == "Renamed Program"
    assert (
        admin_client.get(reverse("admin:deflection_portal_programsettings_add")).status_code == 403
    )


def test_a_settings_change_shows_at_once_through_the_page_cache(client, settings, contact):
    from django.core.cache import caches

    settings.PORTAL_PAGE_CACHE_SECONDS = 300
    caches["pages"].clear()
    client.get(reverse("contact"))
    assert client.get(reverse("contact"))["X-Portal-Cache"] == "hit"
    contact.contact_phone = "541 555 0199"
    contact.save()
    response = client.get(reverse("contact"))
    assert response["X-Portal-Cache"] == "miss" and b"541 555 0199" in response.content


@pytest.mark.parametrize("kind", EmailKind.values)
def test_every_email_kind_has_the_program_contact_as_reply_to(kind, contact, mailoutbox, settings):
    settings.PORTAL_EMAIL_IMMEDIATE = False
    request = make_request()
    OutgoingEmail.objects.create(
        kind=kind, request=request, to="someone@example.org", subject=kind, body_text="Body"
    )
    deliver_due()
    assert [message.reply_to for message in mailoutbox] == [["deflection@example.gov"]]
    assert mailoutbox[0].from_email == settings.DEFAULT_FROM_EMAIL


def test_emails_from_the_real_flows_carry_reply_to(contact, mailoutbox, settings):
    settings.PORTAL_EMAIL_IMMEDIATE = False
    request = make_request()
    queue_email(
        kind=EmailKind.RECEIVED,
        to=[request.email],
        template="request_received",
        context={"registration_request": request, "series": request.series, "status_url": "x"},
        registration_request=request,
    )
    deliver_due()
    assert mailoutbox[0].reply_to == ["deflection@example.gov"]
    assert "Reply-To: deflection@example.gov" in mailoutbox[0].message().as_string()


def test_no_reply_to_until_staff_set_a_contact(mailoutbox, settings):
    settings.PORTAL_EMAIL_IMMEDIATE = False
    OutgoingEmail.objects.create(kind="received", to="a@example.org", subject="s", body_text="b")
    deliver_due()
    assert mailoutbox[0].reply_to == []


def test_html_emails_end_with_the_program_contact(contact, settings):
    settings.PORTAL_EMAIL_IMMEDIATE = False
    request = make_request()
    email = queue_email(
        kind=EmailKind.RECEIVED,
        to=[request.email],
        template="request_received",
        context={"registration_request": request, "series": request.series, "status_url": "x"},
        registration_request=request,
    )
    assert "Oregon Criminal Justice Commission" in email.body_html
    assert "mailto:deflection@example.gov" in email.body_html


def test_pages_read_the_settings_once_per_content_version(
    client, contact, django_assert_num_queries
):
    """The header and footer's settings are read again only after a change (any saved change
    replaces the content version): a page costs one query less, and an edit shows at once."""
    from deflection_portal.context_processors import program_for_pages

    first = program_for_pages()
    with django_assert_num_queries(0):
        assert program_for_pages() is first
    contact.program_name = "Renamed again"
    contact.save()
    renamed = program_for_pages()
    assert renamed is not first and renamed.program_name == "Renamed again"
    assert "– Renamed again</title>" in client.get(reverse("home")).content.decode()


def test_settings_that_cannot_be_read_are_not_kept(monkeypatch):
    from deflection_portal import context_processors
    from deflection_portal.models import ProgramSettings

    monkeypatch.setattr(context_processors, "_shown", None)
    monkeypatch.setattr(
        "deflection_portal.page_cache.content_version", lambda: "some-version", raising=True
    )
    monkeypatch.setattr(ProgramSettings, "load", classmethod(lambda cls: cls(pk=1)))
    assert context_processors.program_for_pages()._state.adding
    assert context_processors._shown is None
