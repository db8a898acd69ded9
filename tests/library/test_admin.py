"""Library admin: changelists, search, filters, the preview link, bulk actions, uploads."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from library.models import Resource
from tests.factories import make_audience, make_collection, make_resource, make_topic

from . import files

CHANGELIST = reverse("admin:library_resource_changelist")


@pytest.mark.parametrize("model", ["resource", "collection", "topic", "audience"])
def test_changelists_and_add_pages_open(admin_client, db, model):
    make_resource(topics=[make_topic()], audiences=[make_audience()])
    assert admin_client.get(reverse(f"admin:library_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:library_{model}_add")).status_code == 200


def test_changelist_searches_and_filters(admin_client, db):
    topic = make_topic()
    wanted = make_resource(title="Naloxone follow-up", topics=[topic], is_published=False)
    make_resource(title="Self-referral")
    found = admin_client.get(CHANGELIST, {"q": "naloxone"}).context["cl"].result_list
    assert list(found) == [wanted]
    by_topic = admin_client.get(CHANGELIST, {"topics__id__exact": topic.pk})
    assert list(by_topic.context["cl"].result_list) == [wanted]
    unpublished = admin_client.get(CHANGELIST, {"is_published__exact": "0"})
    assert list(unpublished.context["cl"].result_list) == [wanted]


def test_changelist_and_change_page_link_to_the_public_page(admin_client, db):
    resource = make_resource(slug="draft-guide", is_published=False)
    html = admin_client.get(CHANGELIST).content.decode()
    assert 'href="/library/resources/draft-guide/"' in html and ">Preview</a>" in html
    change = admin_client.get(reverse("admin:library_resource_change", args=[resource.pk]))
    assert "View on site" in change.content.decode()


def test_resource_admin_prepopulates_slugs_and_keeps_search_fields():
    from django.contrib import admin

    resource_admin = admin.site._registry[Resource]
    # The slug comes from the English title (the admin shows both languages).
    assert resource_admin.prepopulated_fields == {"slug": ("title_en",)}
    assert resource_admin.search_fields  # the ECHO admin autocompletes resources


def test_publish_action_reports_counts_and_logs_each_change(admin_client, db):
    drafts = [make_resource(is_published=False) for _ in range(3)]
    already = make_resource(is_published=True)
    response = admin_client.post(
        CHANGELIST,
        {"action": "publish_selected", "_selected_action": [r.pk for r in [*drafts, already]]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["3 resources published. 1 was already published."]
    assert Resource.objects.published().count() == 4
    assert LogEntry.objects.filter(object_id__in=[str(r.pk) for r in drafts]).count() == 3


def test_unpublish_action_reports_counts(admin_client, db):
    shown = make_resource(is_published=True)
    response = admin_client.post(
        CHANGELIST, {"action": "unpublish_selected", "_selected_action": [shown.pk]}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["1 resource unpublished."]
    shown.refresh_from_db()
    assert not shown.is_published


def resource_form(collection, upload, **overrides):
    return {
        "title_en": "Uploaded guide",
        "title_es": "",
        "slug": "uploaded-guide",
        "summary_en": "A guide.",
        "summary_es": "",
        "body": "",
        "file": upload,
        "external_url": "",
        "video_url": "",
        "collection": collection.pk,
        "resource_type": "guide",
        "source": "",
        "published_on": "",
        "last_reviewed_on": "",
        **overrides,
    }


def test_admin_refuses_a_renamed_executable_with_a_clear_message(admin_client, db):
    upload = SimpleUploadedFile("guide.pdf", files.WINDOWS_EXE)
    response = admin_client.post(
        reverse("admin:library_resource_add"), resource_form(make_collection(), upload)
    )
    assert response.status_code == 200
    assert "This file is a program or script, not a PDF file" in response.content.decode()
    assert not Resource.objects.exists()


def test_admin_refuses_an_oversized_file_with_a_clear_message(admin_client, db, settings):
    settings.LIBRARY_UPLOAD_MAX_BYTES = 100
    upload = SimpleUploadedFile("guide.pdf", files.PDF + b"0" * 200)
    response = admin_client.post(
        reverse("admin:library_resource_add"), resource_form(make_collection(), upload)
    )
    assert "the largest file allowed is 100" in response.content.decode()
    assert not Resource.objects.exists()


def test_admin_stores_a_valid_upload_under_a_safe_name(admin_client, db):
    upload = SimpleUploadedFile("My Slides (final).pptx", files.PPTX)
    response = admin_client.post(
        reverse("admin:library_resource_add"), resource_form(make_collection(), upload)
    )
    assert response.status_code == 302
    stored = Resource.objects.get().file.name
    assert stored.startswith("resources/") and stored.endswith(".pptx")
    assert " " not in stored and "(" not in stored


def test_admin_requires_some_content(admin_client, db):
    response = admin_client.post(
        reverse("admin:library_resource_add"), resource_form(make_collection(), "")
    )
    assert "Give the resource a file, an external link or a video link." in (
        response.content.decode()
    )


def test_change_form_shows_and_saves_both_languages(admin_client, db):
    resource = make_resource(title="Deflection guide", summary="In English.")
    url = reverse("admin:library_resource_change", args=[resource.pk])
    html = admin_client.get(url).content.decode()
    for name in ("title_en", "title_es", "summary_en", "summary_es"):
        assert f'name="{name}"' in html
    data = resource_form(
        resource.collection,
        "",
        slug=resource.slug,
        title_en="Deflection guide",
        title_es="Guía de desviación",
        summary_en="In English.",
        summary_es="En español.",
        external_url="https://example.org/guide",
    )
    assert admin_client.post(url, data).status_code == 302
    resource.refresh_from_db()
    assert (resource.title_en, resource.title_es) == ("Deflection guide", "Guía de desviación")
    assert resource.summary_es == "En español."
