"""Staff can give an applicant a copy of their data, or erase it, on request."""

import json

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from echo.models import RegistrationRequest
from tests.factories import make_request
from tests.helpers import login_staff

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:echo_registrationrequest_changelist"


def act(client, action, requests, **extra):
    data = {"action": action, "_selected_action": [r.pk for r in requests], **extra}
    return client.post(reverse(CHANGELIST), data)


def test_export_gives_a_json_copy_of_everything_stored(admin_client):
    request = make_request(full_name="Rae Jensen", phone="503-555-0199")
    response = act(admin_client, "export_personal_data", [request])
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    [data] = json.loads(response.content)
    assert data["full_name"] == "Rae Jensen" and data["phone"] == "503-555-0199"


def test_erase_asks_first_then_anonymises_and_logs(admin_client):
    keep, erase = make_request(full_name="Kept Person"), make_request(full_name="Gone Person")
    confirm = act(admin_client, "erase_personal_data", [erase])
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    assert RegistrationRequest.objects.get(pk=erase.pk).full_name == "Gone Person"
    done = act(admin_client, "erase_personal_data", [erase], confirm="yes")
    assert done.status_code == 302
    erase.refresh_from_db()
    keep.refresh_from_db()
    assert erase.full_name == "Anonymised applicant" and erase.anonymised_at
    assert keep.full_name == "Kept Person"
    from django.contrib.admin.models import LogEntry

    assert LogEntry.objects.filter(object_id=str(erase.pk)).exists()


def test_reviewers_can_neither_export_nor_erase_personal_data(client, django_user_model):
    reviewer = django_user_model.objects.create_user("reviewer", is_staff=True)
    group, _ = Group.objects.get_or_create(name="Reviewers")
    reviewer.groups.add(group)
    from django.contrib.auth.models import Permission

    reviewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_registrationrequest",
                                                 "change_registrationrequest"])
    )  # fmt: skip
    login_staff(client, reviewer)
    request = make_request(full_name="Protected Person")
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "erase_personal_data" not in page and "export_personal_data" not in page
    act(client, "erase_personal_data", [request], confirm="yes")
    request.refresh_from_db()
    assert request.full_name == "Protected Person"
