"""Library models: integrity constraints, querysets, rendered body, the search vector."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from library.models import SEARCH_QUERY_MAX_LENGTH, Resource, normalize_query
from tests.factories import make_collection, make_resource


@pytest.mark.django_db
def test_resource_without_file_link_or_video_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_resource(external_url="")


@pytest.mark.django_db
def test_resource_without_content_fails_validation_with_a_readable_message():
    resource = Resource(title="T", slug="t", summary="S", collection=make_collection())
    with pytest.raises(ValidationError) as caught:
        resource.full_clean()
    assert "Give the resource a file, an external link or a video link." in str(caught.value)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["external_url", "video_url"])
def test_a_link_or_a_video_alone_is_enough_content(field):
    resource = make_resource(**{"external_url": "", field: "https://example.org/x"})
    assert resource.pk


@pytest.mark.django_db
def test_resource_slugs_are_unique():
    make_resource(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_resource(slug="same")


@pytest.mark.django_db
def test_published_and_featured_filter_rows():
    shown = make_resource(is_published=True, is_featured=True)
    make_resource(is_published=True, is_featured=False)
    make_resource(is_published=False, is_featured=True)
    assert list(Resource.objects.published().featured()) == [shown]


@pytest.mark.django_db
def test_newest_first_puts_undated_resources_last():
    undated = make_resource(published_on=None)
    old = make_resource(published_on="2020-01-01")
    new = make_resource(published_on="2024-01-01")
    assert list(Resource.objects.newest_first()) == [new, old, undated]


def test_markdown_body_is_rendered_and_sanitized():
    resource = Resource(
        body="## Steps\n\n* **one**\n\n<script>alert(1)</script>\n\n"
        '[link](javascript:alert(1)) <a href="https://example.org" onclick="x()">ok</a>'
        "\n\n# Not a second page title"
    )
    html = resource.body_html
    assert "<h2>Steps</h2>" in html and "<strong>one</strong>" in html
    assert "<script" not in html and "javascript:" not in html and "onclick" not in html
    assert 'href="https://example.org"' in html
    assert "<h1" not in html and "Not a second page title" in html


def test_normalize_query_strips_control_characters_and_caps_length():
    assert normalize_query("  lead\x00 \x1b model  ") == "lead model"
    assert normalize_query(None) == ""
    assert len(normalize_query("a" * 5000)) == SEARCH_QUERY_MAX_LENGTH


@pytest.mark.django_db
def test_string_forms_and_urls():
    resource = make_resource(slug="guide", title="A guide")
    assert str(resource) == "A guide"
    assert resource.get_absolute_url() == "/library/resources/guide/"
    assert resource.get_file_url() == "/library/resources/guide/file/"
    assert resource.collection.get_absolute_url().startswith("/library/collections/")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_search_vector_is_kept_current_by_the_database_trigger():
    resource = make_resource(title="Naloxone follow-up", summary="After an overdose.")
    stored = Resource.objects.values_list("search_vector", flat=True).get(pk=resource.pk)
    assert "'naloxon':1A" in stored
    Resource.objects.filter(pk=resource.pk).update(title="Outreach teams")
    stored = Resource.objects.values_list("search_vector", flat=True).get(pk=resource.pk)
    assert "'outreach':1A" in stored and "naloxon" not in stored
    assert "'overdos':" in stored and "B" in stored.split("'overdos':")[1][:4]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_search_vector_has_a_gin_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'library_resource' "
            "AND indexname = 'library_resource_search_vector_gin'"
        )
        (definition,) = cursor.fetchone()
    assert "USING gin (search_vector)" in definition


# --- Stored published counts (migration 0005) ----------------------------------------------


def assert_stored_counts_match_the_definition():
    from library.models import Collection, Topic, published_resource_count

    for model in (Collection, Topic):
        for obj in model.objects.annotate(counted=published_resource_count()):
            assert obj.published_count == obj.counted, (model.__name__, obj, obj.counted)


@pytest.mark.django_db
def test_stored_counts_follow_every_kind_of_change():
    from library.models import Resource
    from tests.factories import make_collection, make_resource, make_resources, make_topic

    first, second = make_collection(), make_collection()
    topic, other = make_topic(), make_topic()
    make_resources(30, collection=first, topics=[topic, other])
    make_resources(5, collection=second, topics=[topic], is_published=False)
    single = make_resource(collection=first, topics=[topic])
    assert_stored_counts_match_the_definition()
    first.refresh_from_db()
    topic.refresh_from_db()
    assert (first.published_count, topic.published_count) == (31, 31)

    single.topics.add(other)  # a link added
    single.topics.remove(topic)  # a link removed
    single.collection = second  # moved to another collection
    single.save()
    assert_stored_counts_match_the_definition()
    Resource.objects.filter(collection=second).update(is_published=True)  # published in bulk
    assert_stored_counts_match_the_definition()
    Resource.objects.filter(collection=first)[:1].get().delete()  # deleted with its links
    Resource.objects.filter(collection=first).update(is_published=False)  # unpublished
    assert_stored_counts_match_the_definition()
    topic.refresh_from_db()
    assert topic.published_count == 5  # the five of the second collection


def test_the_type_label_is_in_the_page_language_and_an_unknown_type_shows_as_stored():
    from django.utils import translation

    from library.models import Resource, ResourceType

    resource = Resource(resource_type=ResourceType.GUIDE)
    assert resource.get_resource_type_display() == "Guide or toolkit"
    with translation.override("es"):
        assert resource.get_resource_type_display() == "Guía o kit de herramientas"
    assert Resource(resource_type="retired-type").get_resource_type_display() == "retired-type"
