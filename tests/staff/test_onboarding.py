"""The invitation link: choose a password, set up an authenticator from the QR code, confirm
a first code, see the backup codes once; single use, 72 hours, explained when it fails."""

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from echo.models import OutgoingEmail
from staff import services
from staff.models import StaffInvite, StaffRole
from tests.helpers import assert_one_h1

from .totp import code_from_uri, totp

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-new-reviewer-passphrase"
ADDRESS = "198.51.100.30"


@pytest.fixture
def inviter():
    return get_user_model().objects.create_superuser("lead", "lead@example.org", "lead-pass-123456")


def invite(inviter, email="Dana.Reviewer@example.org", role=StaffRole.REVIEWER) -> str:
    link = services.invite_staff(email=email, role=role, invited_by=inviter)
    return link.removeprefix("http://127.0.0.1:8000")


def otpauth_uri(response) -> str:
    found = re.search(r'data-otpauth-uri="([^"]+)"', response.content.decode())
    assert found, "the authenticator page exposes its otpauth URI"
    return html.unescape(found.group(1))


def choose_password(client, path, password=PASSWORD):
    return client.post(path, {"password1": password, "password2": password})


def enrol(client, path) -> tuple[str, list[str]]:
    """Walk the link from the password to the backup codes; returns the URI and the codes."""
    assert choose_password(client, path).status_code == 302
    uri = otpauth_uri(client.get(path))
    response = client.post(path, {"code": code_from_uri(uri)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([^<]+)</code></li>", response.content.decode())
    return uri, codes


def login(client, username, password, code):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "otp_token": code, "next": "/admin/"},
        REMOTE_ADDR=ADDRESS,
    )


def test_the_totp_helper_matches_the_rfc_test_vector():
    assert totp(b"12345678901234567890", at=59, digits=8) == "94287082"


def test_an_invitation_is_a_stored_email_with_a_link_whose_token_is_not_stored(inviter):
    path = invite(inviter)
    email = OutgoingEmail.objects.get()
    assert email.to == "Dana.Reviewer@example.org" and email.kind == services.EMAIL_KIND
    assert "http://127.0.0.1:8000" + path in email.body_text
    assert "Reviewer" in email.body_text and "dana.reviewer@example.org" in email.body_text
    token = path.rstrip("/").rsplit("/", 1)[1]
    stored = StaffInvite.objects.get()
    assert token not in stored.token_hash and len(token) >= 40
    assert stored.expires_at - stored.created_at == timedelta(hours=72)


def test_the_whole_link_sets_up_a_reviewer_who_can_log_in(client, inviter):
    path = invite(inviter)
    response = client.get(path)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "dana.reviewer@example.org" in response.content.decode()
    assert_one_h1(response)

    assert choose_password(client, path).status_code == 302
    user = get_user_model().objects.get(username="dana.reviewer@example.org")
    assert user.is_staff and not user.is_superuser and user.check_password(PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == ["Reviewers"]

    page = client.get(path)
    assert_one_h1(page)
    content = page.content.decode()
    assert "<svg" in content and 'role="img"' in content  # drawn by the portal itself
    uri = otpauth_uri(page)
    secret = re.search(r"secret=([A-Z2-7]+)", uri).group(1)
    shown = re.search(r'<code class="secret" id="secret">([^<]+)</code>', content).group(1)
    assert shown.replace(" ", "") == secret  # the same key as text, for typing it in

    done = client.post(path, {"code": code_from_uri(uri)})
    assert done.status_code == 200 and "no-store" in done["Cache-Control"]
    assert_one_h1(done)
    codes = re.findall(r"<li><code>([^<]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert StaffInvite.objects.get().used_at is not None
    assert TOTPDevice.objects.get(user=user).confirmed

    client.logout()
    response = login(client, user.username, PASSWORD, code_from_uri(uri, steps_ahead=1))
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_backup_code_from_the_last_page_logs_in(client, inviter):
    path = invite(inviter)
    _, codes = enrol(client, path)
    client.logout()
    login(client, "dana.reviewer@example.org", PASSWORD, codes[0])
    assert client.get("/admin/").status_code == 200


def test_the_link_works_once_and_then_explains_itself(client, inviter):
    path = invite(inviter)
    enrol(client, path)
    again = client.get(path)
    assert again.status_code == 410
    assert "has already been used" in again.content.decode()
    assert_one_h1(again)
    assert client.post(path, {"code": "123456"}).status_code == 410


def test_a_used_link_cannot_be_used_by_a_second_browser_halfway(client, inviter, django_user_model):
    from django.test import Client

    path = invite(inviter)
    choose_password(client, path)
    other = Client()
    response = other.get(path)  # the password is set: the other browser must know it
    assert "Confirm it is you" in response.content.decode()
    assert "data-otpauth-uri" not in response.content.decode()


def test_the_link_expires_after_72_hours(client, inviter):
    path = invite(inviter)
    invitation = StaffInvite.objects.get()
    invitation.expires_at = timezone.now() + timedelta(seconds=30)
    invitation.save()
    assert client.get(path).status_code == 200
    invitation.expires_at = timezone.now() - timedelta(seconds=1)
    invitation.save()
    response = client.get(path)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert choose_password(client, path).status_code == 410
    assert not get_user_model().objects.filter(username="dana.reviewer@example.org").exists()


def test_an_unknown_link_explains_itself_without_an_error(client):
    response = client.get(reverse("staff:welcome", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "not a link the portal sent" in response.content.decode()
    response = client.post(reverse("staff:welcome", args=["x" * 500]), {"code": "1"})
    assert response.status_code == 404


def test_a_newer_invitation_replaces_the_earlier_link(client, inviter):
    first = invite(inviter)
    second = invite(inviter)
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_a_wrong_first_code_is_refused_and_changes_nothing(client, inviter):
    path = invite(inviter)
    choose_password(client, path)
    uri = otpauth_uri(client.get(path))
    right = code_from_uri(uri)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(path, {"code": wrong})
    assert response.status_code == 200
    assert services.WRONG_CODE in html.unescape(response.content.decode())
    assert not TOTPDevice.objects.get().confirmed
    assert StaffInvite.objects.get().used_at is None
    assert not StaticToken.objects.exists()
    for not_a_code in ["", "12345", "abcdef", "1234567"]:
        response = client.post(path, {"code": not_a_code})
        assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert otpauth_uri(client.get(path)) == uri  # the same key until the set-up is done


def test_the_password_must_pass_the_validators(client, inviter):
    path = invite(inviter)
    refused = [
        ("short", "short"),
        ("password1234", "password1234"),
        (PASSWORD, PASSWORD + "x"),
        ("dana.reviewer", "dana.reviewer"),
    ]
    for password, second in refused:
        response = client.post(path, {"password1": password, "password2": second})
        assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not get_user_model().objects.filter(username="dana.reviewer@example.org").exists()


def test_an_administrator_invitation_makes_a_superuser(client, inviter):
    path = invite(inviter, email="admin2@example.org", role=StaffRole.ADMINISTRATOR)
    choose_password(client, path)
    user = get_user_model().objects.get(username="admin2@example.org")
    assert user.is_staff and user.is_superuser and not user.groups.exists()


def test_faculty_is_offered_only_when_its_group_exists(inviter):
    Group.objects.filter(name="Faculty").delete()  # the participation migration creates it
    assert services.available_roles() == [StaffRole.REVIEWER, StaffRole.ADMINISTRATOR]
    with pytest.raises(services.ValidationError):
        services.invite_staff(email="f@example.org", role=StaffRole.FACULTY, invited_by=inviter)
    Group.objects.create(name="Faculty")
    assert StaffRole.FACULTY in services.available_roles()
    services.invite_staff(email="f@example.org", role=StaffRole.FACULTY, invited_by=inviter)


def test_an_address_with_an_account_is_not_invited(inviter):
    with pytest.raises(services.ValidationError):
        services.invite_staff(email="LEAD@example.org", role="reviewer", invited_by=inviter)
    assert not OutgoingEmail.objects.exists()


def test_coming_back_in_a_new_browser_asks_for_the_password_and_counts_wrong_ones(client, inviter):
    from django.test import Client

    path = invite(inviter)
    choose_password(client, path)
    other = Client(REMOTE_ADDR=ADDRESS)
    for _ in range(4):
        response = other.post(path, {"password": "wrong-password"}, REMOTE_ADDR=ADDRESS)
        assert response.status_code == 200 and "not right" in response.content.decode()
    assert other.post(path, {"password": "wrong-password"}, REMOTE_ADDR=ADDRESS).status_code == 429
    locked = other.post(path, {"password": PASSWORD}, REMOTE_ADDR=ADDRESS)
    assert locked.status_code == 429  # locked like the login page, with the right one too


def test_coming_back_with_the_password_continues_to_the_authenticator(client, inviter):
    from django.test import Client

    path = invite(inviter)
    choose_password(client, path)
    other = Client()
    assert other.post(path, {"password": PASSWORD}).status_code == 302
    assert "data-otpauth-uri" in other.get(path).content.decode()


def test_wrong_codes_in_a_row_make_the_next_try_wait(client, inviter):
    path = invite(inviter)
    choose_password(client, path)
    uri = otpauth_uri(client.get(path))
    wrong = f"{(int(code_from_uri(uri)) + 1) % 1_000_000:06d}"
    client.post(path, {"code": wrong})
    response = client.post(path, {"code": code_from_uri(uri)})
    assert "Wait 1 second, then" in response.content.decode()
    assert not TOTPDevice.objects.get().confirmed


def test_a_second_browser_cannot_choose_the_password_after_the_first(client, inviter):
    from django.test import Client

    path = invite(inviter)
    first, second = Client(), Client()
    assert first.get(path).status_code == second.get(path).status_code == 200
    assert choose_password(first, path).status_code == 302
    # The second browser still shows the form it loaded; its answer is refused.
    invitation = StaffInvite.objects.get()
    with pytest.raises(services.ValidationError):
        services.create_account(invite=invitation, password="another-long-password-9")
    user = get_user_model().objects.get(username="dana.reviewer@example.org")
    assert user.check_password(PASSWORD)
    assert "data-otpauth-uri" not in second.get(path).content.decode()
