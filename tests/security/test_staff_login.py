"""The admin login asks for a "One-time code", counts a wrong code like a wrong password,
and answers a wrong password and a wrong code with the same page."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from deflection_portal.admin import INVALID_LOGIN

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-staff-password-42"
ADDRESS = "198.51.100.21"


@pytest.fixture
def staff():
    user = get_user_model().objects.create_user(
        "coordinator", password=PASSWORD, is_staff=True, is_superuser=True
    )
    device = StaticDevice.objects.create(user=user, name="Backup codes")
    StaticToken.objects.create(device=device, token="12345678")
    TOTPDevice.objects.create(user=user, name="Authenticator app")
    return user


def login(client, *, password=PASSWORD, token="12345678"):
    return client.post(
        reverse("admin:login"),
        {"username": "coordinator", "password": password, "otp_token": token, "next": "/admin/"},
        REMOTE_ADDR=ADDRESS,
    )


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_the_login_form_asks_for_a_one_time_code_with_help(client):
    html = client.get(reverse("admin:login")).content.decode()
    assert "One-time code" in html and "OTP Token" not in html
    assert "authenticator app" in html and "backup codes works too" in html
    assert 'autocomplete="one-time-code"' in html
    assert 'aria-describedby="id_otp_token_helptext"' in html
    assert 'id="id_otp_token_helptext"' in html
    assert "otp_challenge" not in html and "otp_device" not in html


def test_wrong_password_and_wrong_code_get_the_same_answer(client, staff):
    wrong_password = login(client, password="not-the-password", token="12345678")
    wrong_code = login(client, token="99999999")
    wrong_app_code = login(client, token="000000")
    assert wrong_password.status_code == wrong_code.status_code == 200
    pages = {without_csrf(r.content.decode()) for r in (wrong_password, wrong_code, wrong_app_code)}
    assert len(pages) == 1
    page = pages.pop()
    assert str(INVALID_LOGIN) in page.replace("&#x27;", "'")
    assert PASSWORD not in page  # the password is not kept in the form after a wrong code
    assert client.get("/admin/").status_code == 302


def test_a_missing_code_checks_nothing_and_says_what_is_missing(client, staff):
    response = login(client, token="")
    html = response.content.decode()
    assert "Enter the code from your authenticator app, or a backup code." in html
    assert str(INVALID_LOGIN) not in html.replace("&#x27;", "'")
    wrong_password = login(client, password="x", token="").content.decode()
    assert without_csrf(html) == without_csrf(wrong_password)


def test_wrong_codes_count_towards_the_lockout_like_wrong_passwords(client, staff):
    from axes.models import AccessAttempt

    for _ in range(4):
        assert login(client, token="99999999").status_code == 200
    assert AccessAttempt.objects.get().failures_since_start == 4
    assert login(client, token="000000").status_code == 429  # the fifth failure locks
    assert login(client, token="12345678").status_code == 429  # right password and code
    assert client.get("/admin/").status_code == 302


def test_wrong_passwords_and_wrong_codes_add_up(client, staff):
    for _ in range(2):
        login(client, password="wrong", token="12345678")
    for _ in range(2):
        login(client, token="99999999")
    assert login(client, token="000000").status_code == 429


def test_a_right_login_after_a_wrong_code_clears_the_count(client, staff):
    from axes.models import AccessAttempt

    login(client, token="99999999")
    code = TOTPDevice.objects.get()
    token = f"{TOTP(code.bin_key, step=code.step, digits=code.digits).token():06d}"
    assert login(client, token=token).status_code == 302
    assert not AccessAttempt.objects.filter(failures_since_start__gt=0).exists()


def test_an_inactive_or_non_staff_account_gets_the_same_answer(client, staff):
    staff.is_staff = False
    staff.save()
    response = login(client)
    assert str(INVALID_LOGIN) in response.content.decode().replace("&#x27;", "'")
