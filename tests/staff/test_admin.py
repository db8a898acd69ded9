"""Invitations and second-factor resets in the admin: forms, history and query budgets."""

import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from echo.models import OutgoingEmail
from staff.models import InvitePurpose, StaffInvite, hash_token
from tests.helpers import assert_one_h1

from .test_onboarding import code_from_uri, otpauth_uri

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "riley-long-password-2024"
# Queries per page, whatever the number of rows (staff pages include the session, the user
# and the second factor).
BUDGETS = {
    "invite-list": 11,
    "invite-add": 7,
    "user-list": 10,
    "reset-confirm": 11,
}


@pytest.fixture
def reviewer():
    user = User.objects.create_user("riley", "riley@example.org", PASSWORD, is_staff=True)
    device = StaticDevice.objects.create(user=user, name="Backup codes")
    StaticToken.objects.create(device=device, token="riley123")
    TOTPDevice.objects.create(user=user, name="Authenticator app")
    return user


def test_an_administrator_invites_someone_from_the_admin(admin_client, admin_user):
    page = admin_client.get(reverse("admin:staff_staffinvite_add"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="reviewer"' in html and 'value="administrator"' in html
    assert 'value="faculty"' in html  # the Faculty group exists (ECHO participation)
    response = admin_client.post(
        reverse("admin:staff_staffinvite_add"), {"email": "new@example.org", "role": "reviewer"}
    )
    assert response.status_code == 302
    invite = StaffInvite.objects.get()
    assert invite.invited_by == admin_user and invite.purpose == InvitePurpose.NEW_ACCOUNT
    email = OutgoingEmail.objects.get()
    token = re.search(r"/staff/welcome/([^/\s]+)/", email.body_text).group(1)
    assert hash_token(token) == invite.token_hash
    listing = admin_client.get(reverse("admin:staff_staffinvite_changelist"))
    assert "new@example.org" in listing.content.decode() and "Waiting" in listing.content.decode()
    assert "will be emailed to new@example.org" in listing.content.decode()


def test_the_invitation_form_refuses_an_address_with_an_account(admin_client, reviewer):
    response = admin_client.post(
        reverse("admin:staff_staffinvite_add"), {"email": "RILEY@example.org", "role": "reviewer"}
    )
    assert response.status_code == 200
    assert "already an account with this email address" in response.content.decode()
    assert not StaffInvite.objects.exists() and not OutgoingEmail.objects.exists()


def test_an_invitation_is_read_only_once_sent(admin_client, admin_user):
    from staff import services

    services.invite_staff(email="new@example.org", role="reviewer", invited_by=admin_user)
    invite = StaffInvite.objects.get()
    page = admin_client.get(reverse("admin:staff_staffinvite_change", args=[invite.pk]))
    assert page.status_code == 200 and 'name="email"' not in page.content.decode()
    admin_client.post(
        reverse("admin:staff_staffinvite_change", args=[invite.pk]),
        {"email": "evil@example.org", "role": "administrator"},
    )
    invite.refresh_from_db()
    assert invite.email == "new@example.org" and invite.role == "reviewer"


def test_reviewers_cannot_invite(client, reviewer):
    from django.contrib.auth.models import Group

    from tests.helpers import login_staff

    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    login_staff(client, reviewer)
    assert client.get(reverse("admin:staff_staffinvite_add")).status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def reset(admin_client, *users, confirm=True):
    data = {"action": "reset_second_factor", "_selected_action": [u.pk for u in users]}
    if confirm:
        data["confirm"] = "yes"
    return admin_client.post(reverse("admin:auth_user_changelist"), data)


def test_resetting_asks_first_and_changes_nothing_until_confirmed(admin_client, reviewer):
    page = reset(admin_client, reviewer, confirm=False)
    assert page.status_code == 200
    assert "riley@example.org" in page.content.decode()
    assert_one_h1(page)
    assert TOTPDevice.objects.filter(user=reviewer).exists()
    assert not OutgoingEmail.objects.exists()


def test_a_reset_removes_the_devices_records_it_and_sends_a_new_link(
    admin_client, admin_user, reviewer
):
    from django.test import Client

    client = Client()  # the reviewer's own browser
    response = reset(admin_client, reviewer)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert not StaticDevice.objects.filter(user=reviewer).exists()
    entry = LogEntry.objects.get(object_id=str(reviewer.pk), action_flag=CHANGE)
    assert entry.user == admin_user and "Second factor reset" in entry.get_change_message()
    history = admin_client.get(reverse("admin:auth_user_history", args=[reviewer.pk]))
    assert "Second factor reset" in history.content.decode()

    # The old backup code no longer opens the admin.
    client.post(
        reverse("admin:login"),
        {"username": "riley", "password": PASSWORD, "otp_token": "riley123", "next": "/admin/"},
    )
    assert client.get("/admin/").status_code == 302

    email = OutgoingEmail.objects.get()
    assert email.to == "riley@example.org"
    path = re.search(r"http://127\.0\.0\.1:8000(/staff/welcome/[^\s]+/)", email.body_text).group(1)
    asks = client.get(path)
    assert "Confirm it is you" in asks.content.decode()
    assert client.post(path, {"password": PASSWORD}).status_code == 302
    uri = otpauth_uri(client.get(path))
    done = client.post(path, {"code": code_from_uri(uri)})
    assert "Your backup codes" in done.content.decode()
    assert TOTPDevice.objects.get(user=reviewer).confirmed
    assert StaticToken.objects.filter(device__user=reviewer).count() == 10
    assert client.get(path).status_code == 410


def test_a_reset_skips_an_account_without_an_email_address(admin_client, reviewer):
    reviewer.email = ""
    reviewer.save()
    response = reset(admin_client, reviewer)
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=reviewer).exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Not reset: riley" in m for m in messages)


def test_the_user_list_shows_who_has_an_authenticator(admin_client, reviewer):
    html = admin_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "authenticator app" in html.lower()


def make_rows(size: int, admin_user) -> list:
    now = timezone.now()
    StaffInvite.objects.bulk_create(
        StaffInvite(email=f"p{n}@example.org", role="reviewer", token_hash=f"{size:04d}{n:060d}",
                    invited_by=admin_user, created_at=now, expires_at=now, used_at=None)
        for n in range(size)
    )  # fmt: skip
    User.objects.bulk_create(
        User(username=f"user{size}-{n}", email=f"u{n}@example.org", is_staff=True)
        for n in range(size)
    )
    users = list(User.objects.filter(username__startswith=f"user{size}-").order_by("pk")[:size])
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=user, name="Authenticator app", confirmed=True) for user in users
    )
    return users


def count_queries(admin_client, size: int, admin_user) -> dict:
    users = make_rows(size, admin_user)
    pages = {
        "invite-list": lambda: admin_client.get(reverse("admin:staff_staffinvite_changelist")),
        "invite-add": lambda: admin_client.get(reverse("admin:staff_staffinvite_add")),
        "user-list": lambda: admin_client.get(reverse("admin:auth_user_changelist")),
        "reset-confirm": lambda: reset(admin_client, *users[:200], confirm=False),
    }
    counts = {}
    for name, fetch in pages.items():
        fetch()  # warm the caches (content types, permissions)
        with CaptureQueriesContext(connection) as queries:
            assert fetch().status_code == 200
        counts[name] = len(queries)
    StaffInvite.objects.all().delete()
    TOTPDevice.objects.all().delete()
    User.objects.filter(pk__in=[u.pk for u in users]).delete()
    return counts


def test_new_admin_pages_keep_their_query_budget_at_any_size(admin_client, admin_user):
    small = count_queries(admin_client, 10, admin_user)
    large = count_queries(admin_client, 1000, admin_user)
    assert small == large, f"10 rows: {small}; 1,000 rows: {large}"
    over = {name: n for name, n in large.items() if n > BUDGETS[name]}
    assert not over, f"over budget: {over} (budgets {BUDGETS})"


def test_only_an_administrator_may_invite_an_administrator(client, reviewer):
    from django.contrib.auth.models import Permission

    from tests.helpers import login_staff

    reviewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_staffinvite", "view_staffinvite"])
    )
    login_staff(client, reviewer)
    page = client.get(reverse("admin:staff_staffinvite_add"))
    assert page.status_code == 200 and 'value="administrator"' not in page.content.decode()
    response = client.post(
        reverse("admin:staff_staffinvite_add"), {"email": "x@example.org", "role": "administrator"}
    )
    assert response.status_code == 200 and not StaffInvite.objects.exists()
    from staff import services

    with pytest.raises(services.ValidationError):
        services.invite_staff(email="x@example.org", role="administrator", invited_by=reviewer)
