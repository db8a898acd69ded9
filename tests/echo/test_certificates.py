"""Completion certificates: issued at the series' rule, a PDF that says who and what, a QR
code to a public page that says valid or revoked, revocation with history."""

import io
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from django.urls import reverse
from pypdf import PdfReader

from echo import attendance, certificates
from echo.models import Certificate, CertificateAction, OutgoingEmail
from tests.factories import make_held_session, make_participant, make_series


@pytest.fixture
def series(db):
    return make_series(
        sessions_ahead=0,
        title="Deflection Leadership ECHO 2024",
        completion_sessions=2,
        program_name="Oregon Deflection ECHO Program",
        capacity=None,
    )


@pytest.fixture
def sessions(series):
    return [
        make_held_session(series, day=date(2024, 3, 1) + timedelta(days=7 * i), number=i + 1)
        for i in range(3)
    ]


@pytest.fixture
def participant(series):
    return make_participant(series, full_name="Marisol Quintero-Baptiste", email="mq@example.org")


def attend(sessions, participant, admin_user, count):
    for session in sessions[:count]:
        attendance.mark_attendance(
            session=session, request=participant, attended=True, actor=admin_user
        )


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def test_no_certificate_before_the_rule_is_met(sessions, participant, admin_user):
    attend(sessions, participant, admin_user, 1)
    assert not Certificate.objects.exists()
    assert not OutgoingEmail.objects.filter(kind="certificate").exists()


def test_meeting_the_rule_issues_one_certificate_and_one_email(sessions, participant, admin_user):
    attend(sessions, participant, admin_user, 3)
    certificate = Certificate.objects.get(request=participant)
    assert [event.action for event in certificate.events.all()] == [CertificateAction.ISSUED]
    email = OutgoingEmail.objects.get(kind="certificate")
    assert email.recipients == ["mq@example.org"]
    assert "/certificate.pdf" in email.body_text
    assert certificate.get_verification_url() in email.body_text


def test_series_without_a_rule_issues_none(sessions, participant, admin_user, series):
    series.completion_sessions = None
    series.save()
    attend(sessions, participant, admin_user, 3)
    assert not Certificate.objects.exists()


def test_certificate_pdf_names_the_person_and_series_and_verification_says_valid_then_revoked(
    client, sessions, participant, admin_user
):
    attend(sessions, participant, admin_user, 2)
    status = client.get(participant.get_status_url())
    assert "You attended 2 of 3 sessions so far." in status.content.decode()
    pdf_url = reverse("echo:certificate-pdf", kwargs={"token": participant.access_token})
    assert pdf_url in status.content.decode()

    response = client.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert "Marisol Quintero-Baptiste" in text
    assert "Deflection Leadership ECHO 2024" in text
    assert "Oregon Deflection ECHO Program" in text
    assert "attending 2 of 3 sessions" in text
    certificate = participant.certificate
    assert certificate.code in text

    page = client.get(certificate.get_verification_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "Valid." in html and "Marisol Quintero-Baptiste" in html
    assert "Deflection Leadership ECHO 2024" in html
    assert "mq@example.org" not in html  # name, series and date only
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]

    certificates.revoke_certificate(
        certificate=certificate, actor=admin_user, reason="Attendance record was corrected."
    )
    html = client.get(certificate.get_verification_url()).content.decode()
    assert "Revoked." in html and "Valid." not in html
    assert "Attendance record was corrected." not in html  # the reason is for staff
    assert client.get(pdf_url).status_code == 404
    assert [event.action for event in certificate.events.all()] == [
        CertificateAction.ISSUED,
        CertificateAction.REVOKED,
    ]


@pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbarimg (Debian: zbar-tools) not found")
def test_the_qr_code_on_the_pdf_reads_back_as_the_verification_address(
    sessions, participant, admin_user, tmp_path, settings
):
    attend(sessions, participant, admin_user, 2)
    certificate = participant.certificate
    data = certificates.render_certificate_pdf(certificate)
    images = PdfReader(io.BytesIO(data)).pages[0].images
    assert len(images) == 1
    png = tmp_path / "qr.png"
    images[0].image.save(png)
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert decoded == settings.PORTAL_BASE_URL + certificate.get_verification_url()


def test_verification_address_is_unguessable_and_unknown_ones_say_so(client, db):
    response = client.get(reverse("echo:certificate-verify", kwargs={"code": "a" * 32}))
    assert response.status_code == 404
    assert "No certificate has this address" in response.content.decode()
    assert client.get("/echo/certificates/short/").status_code == 404


def test_codes_are_long_and_random(sessions, participant, admin_user, series):
    attend(sessions, participant, admin_user, 2)
    other = make_participant(series)
    attend(sessions, other, admin_user, 2)
    codes = list(Certificate.objects.values_list("code", flat=True))
    assert len(set(codes)) == 2 and all(len(code) >= 32 for code in codes)


def test_revoking_needs_a_reason_and_reinstating_keeps_history(sessions, participant, admin_user):
    attend(sessions, participant, admin_user, 2)
    certificate = participant.certificate
    with pytest.raises(certificates.CertificateError):
        certificates.revoke_certificate(certificate=certificate, actor=admin_user, reason=" ")
    certificates.revoke_certificate(certificate=certificate, actor=admin_user, reason="Error")
    with pytest.raises(certificates.CertificateError):
        certificates.revoke_certificate(certificate=certificate, actor=admin_user, reason="Again")
    certificates.reinstate_certificate(certificate=certificate, actor=admin_user)
    certificate.refresh_from_db()
    assert certificate.is_valid
    assert [event.action for event in certificate.events.all()] == [
        CertificateAction.ISSUED,
        CertificateAction.REVOKED,
        CertificateAction.REINSTATED,
    ]


def test_a_revoked_certificate_is_not_reissued_when_attendance_changes(
    sessions, participant, admin_user
):
    attend(sessions, participant, admin_user, 2)
    certificates.revoke_certificate(
        certificate=participant.certificate, actor=admin_user, reason="Error"
    )
    attend(sessions, participant, admin_user, 3)
    assert Certificate.objects.filter(request=participant).count() == 1
    assert OutgoingEmail.objects.filter(kind="certificate").count() == 1


def test_names_outside_latin_1_render(sessions, series, admin_user):
    person = make_participant(series, full_name="Nguyễn Thị Minh Khai")
    attend(sessions, person, admin_user, 2)
    text = pdf_text(certificates.render_certificate_pdf(person.certificate))
    assert "Nguy" in text and "Khai" in text
