"""Staff accounts: a second factor for the admin, lockout after failures, session limits."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from deflection_portal.middleware import StaffSessionTimeoutMiddleware
from tests.helpers import login_staff

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-staff-password-42"


@pytest.fixture
def staff():
    user = get_user_model().objects.create_user(
        "coordinator", password=PASSWORD, is_staff=True, is_superuser=True
    )
    device = StaticDevice.objects.create(user=user, name="Backup codes")
    StaticToken.objects.create(device=device, token="12345678")
    StaticToken.objects.create(device=device, token="87654321")
    return user


def login(client, token="", password=PASSWORD, username="coordinator"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "otp_token": token, "next": "/admin/"},
        REMOTE_ADDR="198.51.100.20",
    )


def test_password_alone_does_not_reach_the_admin(client, staff):
    response = login(client)
    assert response.status_code == 200  # the login page again, asking for the token
    assert client.get("/admin/").status_code == 302


def test_a_logged_in_but_unverified_staff_user_is_sent_to_login(client, staff):
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_password_and_backup_code_reach_the_admin_and_the_code_is_used_up(client, staff):
    response = login(client, token="12345678")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    client.logout()
    login(client, token="12345678")
    assert client.get("/admin/").status_code == 302


def test_wrong_code_is_refused(client, staff):
    login(client, token="00000000")
    assert client.get("/admin/").status_code == 302


def test_five_wrong_passwords_lock_the_account_from_that_address(client, staff):
    for _ in range(5):
        login(client, password="wrong", token="12345678")
    response = login(client, token="12345678")  # right password and code, but locked
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_lockout_lasts_thirty_minutes(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_idle_staff_session_ends_after_thirty_minutes(client, staff):
    login_staff(client, staff)
    assert client.get("/admin/").status_code == 200
    session = client.session
    session[StaffSessionTimeoutMiddleware.SEEN_AT] = time.time() - 31 * 60
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get("/admin/").status_code == 302  # logged out, not just redirected once


def test_staff_session_ends_after_twelve_hours_even_when_active(client, staff):
    login_staff(client, staff)
    client.get("/admin/")
    session = client.session
    session[StaffSessionTimeoutMiddleware.LOGIN_AT] = time.time() - 12 * 3600 - 1
    session.save()
    assert client.get("/admin/").status_code == 302


def test_active_staff_session_continues(client, staff):
    login_staff(client, staff)
    session = client.session
    session[StaffSessionTimeoutMiddleware.SEEN_AT] = time.time() - 29 * 60
    session.save()
    assert client.get("/admin/").status_code == 200


def test_an_authenticator_code_works_in_the_same_single_step(client, staff):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=staff, name="Phone")
    code = f"{TOTP(device.bin_key, step=device.step, digits=device.digits).token():06d}"
    response = login(client, token=code)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_management_command_gives_new_backup_codes(staff):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("add_staff_second_factor", "coordinator", "--authenticator", stdout=out)
    codes = out.getvalue().split("(each works once): ")[1].split("\n")[0].split()
    assert len(codes) == 10 and "otpauth://totp/" in out.getvalue()
    assert not StaticToken.objects.filter(token="12345678").exists()  # old codes replaced


@pytest.mark.parametrize(
    ("idle_seconds", "max_seconds", "expired", "message"),
    [
        (30 * 60, 12 * 3600, "idle", "Your session ended after 30 minutes without activity."),
        (15 * 60, 12 * 3600, "idle", "Your session ended after 15 minutes without activity."),
        (2 * 3600, 8 * 3600, "idle", "Your session ended after 2 hours without activity."),
        (30 * 60, 8 * 3600, "long", "Your session ended after 8 hours."),
        (30 * 60, 1 * 3600, "long", "Your session ended after 1 hour."),
    ],
)
def test_the_logout_message_says_the_configured_limits(
    client, staff, settings, idle_seconds, max_seconds, expired, message
):
    settings.PORTAL_STAFF_IDLE_SECONDS = idle_seconds
    settings.PORTAL_STAFF_SESSION_MAX_SECONDS = max_seconds
    login_staff(client, staff)
    client.get("/admin/")
    session = client.session
    if expired == "idle":
        session[StaffSessionTimeoutMiddleware.SEEN_AT] = time.time() - idle_seconds - 1
    else:
        session[StaffSessionTimeoutMiddleware.LOGIN_AT] = time.time() - max_seconds - 1
    session.save()
    response = client.get("/admin/", follow=True)
    assert message in response.content.decode()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/admin/", "", "/admin/echo/"]
)
def test_login_with_an_off_site_or_missing_next_lands_on_the_admin_home(client, staff, next_url):
    response = client.post(
        reverse("admin:login"),
        {"username": "coordinator", "password": PASSWORD, "otp_token": "12345678",
         "next": next_url},
        REMOTE_ADDR="198.51.100.21",
    )  # fmt: skip
    assert response.status_code == 302
    expected = next_url if next_url == "/admin/echo/" else reverse("admin:index")
    assert response["Location"] == expected


def test_the_lockout_page_says_the_configured_limits(client, staff, settings):
    from datetime import timedelta

    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=45)
    responses = [login(client, token="123456", password=f"wrong-{n}") for n in range(3)]
    html = responses[-1].content.decode()
    assert "paused for 45 minutes after 3 failed attempts" in html
