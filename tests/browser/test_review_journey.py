"""Journey 5: a reviewer works through the request queue in the staff admin."""

import importlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect

from echo.models import RequestState, Series

from .data import LEADERSHIP_SLUG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-reviewer-passphrase-2024"
SERIES_TITLE = "Deflection Implementation and Leadership ECHO"


reviewers_migration = importlib.import_module("echo.migrations.0002_reviewers_group")


def reviewers_group() -> Group:
    """The group the migration creates. Transactional tests empty every table, data from
    migrations included, so it is rebuilt here from the migration's own permission list,
    with content types looked up afresh (a flush gives them new ids) and any permission the
    flush left missing created again."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    group, _ = Group.objects.get_or_create(name=reviewers_migration.GROUP)
    permissions = []
    for app_label, codename in reviewers_migration.PERMISSIONS:
        model = apps.get_model(app_label, codename.split("_", 1)[1])
        content_type = ContentType.objects.get_for_model(model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": codename}
        )
        permissions.append(permission)
    group.permissions.set(permissions)
    return group


def make_reviewer():
    user = get_user_model().objects.create_user(
        username="riley", password=PASSWORD, email="riley@example.org", is_staff=True
    )
    user.groups.add(reviewers_group())
    return user


def backup_code_for(user) -> str:
    """A one-time backup code, for when the admin asks for a second factor."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device = StaticDevice.objects.create(user=user, name="backup codes")
    token = StaticToken.random_token()
    device.token_set.create(token=token)
    assert isinstance(token, str) and StaticToken.objects.filter(device=device).exists()
    return token


def log_in(page, user) -> None:
    page.goto("/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    second_factor = page.get_by_label(re.compile("token|code", re.IGNORECASE))
    if second_factor.count():
        second_factor.first.fill(backup_code_for(user))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_reviewer_filters_reads_approves_then_bulk_approves_past_capacity(
    page, console_errors, demo_site, screenshot
):
    series = Series.objects.with_seat_counts().get(slug=LEADERSHIP_SLUG)
    pending = series.requests.filter(state=RequestState.PENDING).count()
    assert series.seats_used == series.capacity and pending >= 3, "demo queue changed"
    # Staff have just opened two more seats.
    Series.objects.filter(pk=series.pk).update(capacity=series.capacity + 2)
    capacity = series.capacity + 2

    log_in(page, make_reviewer())
    page.get_by_role("link", name="Registration requests").first.click()
    filters = page.locator("#changelist-filter")
    filters.get_by_role("link", name=SERIES_TITLE).click()
    filters.locator("details", has_text="By state").get_by_role("link", name="Pending").click()
    expect(page).to_have_url(re.compile(r"state__exact=pending"))
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(pending)

    oldest = rows.first.locator("th a, td a").first
    name = oldest.inner_text().splitlines()[0]  # the name, above the organization
    oldest.click()
    expect(page.get_by_role("heading", name="Your deflection program")).to_be_visible()
    expect(
        page.get_by_text("Describe your deflection program and your role in it.")
    ).to_be_visible()
    expect(page.get_by_text(f"Seats: {capacity - 2} of {capacity} taken, 2 left.")).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist")).to_contain_text(f"{name}: approved.")
    expect(page.get_by_text("This request is approved.")).to_be_visible()

    page.go_back()
    page.go_back()
    page.reload()
    expect(rows).to_have_count(pending - 1)
    page.locator("#action-toggle").check()
    page.get_by_role("combobox", name="Action").select_option(
        label="Approve selected requests (first come, while seats last)"
    )
    page.get_by_role("button", name="Go").click()

    report = page.locator(".messagelist")
    expect(report).to_contain_text(
        f"1 approved; {pending - 2} not approved: series full ({SERIES_TITLE})"
    )
    screenshot(page)
    assert series.requests.holding_seats().count() == capacity
    # The admin's own pages name no icon, so the browser asks for /favicon.ico.
    console_errors[:] = [error for error in console_errors if "/favicon.ico" not in error]
