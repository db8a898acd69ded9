"""The Reviewers group: a reviewer can do the whole review, and nothing else."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse

from echo.models import EmailStatus, OutgoingEmail, RequestState
from tests.factories import make_question, make_request, make_resource, make_series
from tests.helpers import login_staff

pytestmark = pytest.mark.django_db

REVIEWER_PERMISSIONS = {
    "echo.view_registrationrequest",
    "echo.change_registrationrequest",
    "echo.view_series",
    "echo.view_outgoingemail",
    "echo.change_outgoingemail",
}


@pytest.fixture
def reviewer(django_user_model):
    user = django_user_model.objects.create_user("reviewer", is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


@pytest.fixture
def reviewer_client(client, reviewer):
    login_staff(client, reviewer)
    return client


def group_permissions() -> set[str]:
    group = Group.objects.get(name="Reviewers")
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_migration_creates_the_group_with_exactly_the_review_permissions():
    assert group_permissions() == REVIEWER_PERMISSIONS


def test_migration_reverses_and_reapplies():
    migration = importlib.import_module("echo.migrations.0002_reviewers_group")
    schema_editor = SimpleNamespace(connection=connection)  # the functions use only this
    migration.remove_reviewers_group(global_apps, schema_editor)
    assert not Group.objects.filter(name="Reviewers").exists()
    migration.create_reviewers_group(global_apps, schema_editor)
    assert group_permissions() == REVIEWER_PERMISSIONS


def test_reviewer_sees_only_the_review_sections(reviewer_client):
    response = reviewer_client.get(reverse("admin:index"))
    assert response.status_code == 200
    models = {
        model["object_name"] for app in response.context["app_list"] for model in app["models"]
    }
    assert models == {"RegistrationRequest", "Series", "OutgoingEmail"}
    assert reverse("admin:staff_guide") in response.content.decode()


def test_reviewer_can_filter_search_and_read_answers(reviewer_client):
    series = make_series(title="Leadership ECHO")
    question = make_question(series=series, label="Program stage?")
    registration_request = make_request(series=series, full_name="Ana Reyes")
    registration_request.answers.create(question=question, value="Planning a pilot.")
    make_request(full_name="Someone Else")

    listing = reviewer_client.get(
        reverse("admin:echo_registrationrequest_changelist"),
        {"series__id__exact": series.pk, "state__exact": "pending", "q": "Reyes"},
    )
    assert [r.full_name for r in listing.context["cl"].result_list] == ["Ana Reyes"]
    page = reviewer_client.get(
        reverse("admin:echo_registrationrequest_change", args=[registration_request.pk])
    )
    html = page.content.decode()
    assert "Program stage?" in html and "Planning a pilot." in html
    assert 'name="staff_note"' in html


def test_reviewer_can_approve_waitlist_decline_and_withdraw(reviewer_client, reviewer):
    series = make_series(capacity=5)
    first, second, third, fourth = (make_request(series=series) for _ in range(4))

    def decide(registration_request, action, **data):
        url = reverse(
            "admin:echo_registrationrequest_decision", args=[registration_request.pk, action]
        )
        assert reviewer_client.post(url, data).status_code == 302
        registration_request.refresh_from_db()
        return registration_request.state

    assert decide(first, "approve") == RequestState.APPROVED
    assert decide(second, "waitlist") == RequestState.WAITLISTED
    assert decide(third, "decline", reason="Next run.") == RequestState.DECLINED
    assert decide(third, "reopen") == RequestState.PENDING
    assert decide(first, "withdraw") == RequestState.WITHDRAWN
    assert first.reviewed_by == reviewer

    response = reviewer_client.post(
        reverse("admin:echo_registrationrequest_changelist"),
        {"action": "approve_selected", "_selected_action": [second.pk, fourth.pk]},
    )
    assert response.status_code == 302
    assert set(series.requests.holding_seats().values_list("pk", flat=True)) == {
        second.pk,
        fourth.pk,
    }


def test_reviewer_can_export(reviewer_client):
    registration_request = make_request(full_name="Ana Reyes")
    response = reviewer_client.post(
        reverse("admin:echo_registrationrequest_changelist"),
        {"action": "export_csv", "_selected_action": [registration_request.pk]},
    )
    assert response.status_code == 200
    assert "Ana Reyes" in b"".join(response.streaming_content).decode("utf-8-sig")


def test_reviewer_can_see_series_seats_but_not_edit_series(reviewer_client):
    series = make_series(title="Leadership ECHO", capacity=4)
    changelist = reviewer_client.get(reverse("admin:echo_series_changelist"))
    assert changelist.status_code == 200 and "0 / 4" in changelist.content.decode()
    page = reviewer_client.get(reverse("admin:echo_series_change", args=[series.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Requests and seats" in html
    assert 'name="title"' not in html and 'name="_save"' not in html
    reviewer_client.post(
        reverse("admin:echo_series_change", args=[series.pk]),
        {"title": "Renamed", "capacity": 400},
    )
    series.refresh_from_db()
    assert (series.title, series.capacity) == ("Leadership ECHO", 4)
    assert reviewer_client.get(reverse("admin:echo_series_add")).status_code == 403
    reviewer_client.post(
        reverse("admin:echo_series_changelist"),
        {"action": "duplicate_selected", "_selected_action": [series.pk]},
    )
    assert series.__class__.objects.count() == 1


def test_reviewer_can_read_and_resend_the_email_log(reviewer_client, settings):
    settings.PORTAL_EMAIL_IMMEDIATE = False
    email = OutgoingEmail.objects.create(
        kind="approved", to="ana@example.org", subject="Seat", body_text="Hi",
        status=EmailStatus.FAILED,
    )  # fmt: skip
    assert reviewer_client.get(reverse("admin:echo_outgoingemail_changelist")).status_code == 200
    reviewer_client.post(
        reverse("admin:echo_outgoingemail_changelist"),
        {"action": "resend_selected", "_selected_action": [email.pk]},
    )
    email.refresh_from_db()
    assert email.status == EmailStatus.QUEUED


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:auth_user_changelist",
        "admin:auth_user_add",
        "admin:auth_group_changelist",
        "admin:library_resource_changelist",
        "admin:library_collection_changelist",
        "admin:echo_session_changelist",
        "admin:echo_question_changelist",
        "admin:echo_registrationrequest_add",
        "admin:echo_outgoingemail_add",
    ],
)
def test_reviewer_cannot_reach_other_admin_sections(reviewer_client, url_name):
    assert reviewer_client.get(reverse(url_name)).status_code == 403


def test_reviewer_cannot_delete_anything(reviewer_client, reviewer):
    registration_request = make_request()
    series = registration_request.series
    email = OutgoingEmail.objects.create(kind="x", to="a@example.org", subject="S", body_text="B")
    resource = make_resource()
    for url in [
        reverse("admin:echo_registrationrequest_delete", args=[registration_request.pk]),
        reverse("admin:echo_series_delete", args=[series.pk]),
        reverse("admin:echo_outgoingemail_delete", args=[email.pk]),
        reverse("admin:library_resource_delete", args=[resource.pk]),
        reverse("admin:auth_user_delete", args=[reviewer.pk]),
    ]:
        assert reviewer_client.post(url, {"post": "yes"}).status_code == 403
    assert registration_request.__class__.objects.filter(pk=registration_request.pk).exists()
    changelist = reviewer_client.get(reverse("admin:echo_registrationrequest_changelist"))
    assert b"delete_selected" not in changelist.content


def test_reviewer_cannot_edit_answers_or_state(reviewer_client):
    registration_request = make_request(full_name="Ana Reyes")
    reviewer_client.post(
        reverse("admin:echo_registrationrequest_change", args=[registration_request.pk]),
        {"full_name": "Changed", "state": "approved", "staff_note": "Note."},
    )
    registration_request.refresh_from_db()
    assert registration_request.full_name == "Ana Reyes"
    assert registration_request.state == RequestState.PENDING
    assert registration_request.staff_note == "Note."
