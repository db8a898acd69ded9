"""PostgreSQL keeps each resource's topic and audience ids in arrays (migration 0010) that
the search's filters and facet counts read: they must follow every change of the links."""

import pytest
from django.db import connection

from library.models import Resource
from library.search import resource_search
from tests.factories import make_audience, make_collection, make_resource, make_topic

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL arrays"),
]


def arrays_match_links():
    """Every resource's arrays hold exactly its links' ids, in order."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT r.id FROM library_resource r WHERE r.topic_ids IS DISTINCT FROM coalesce(
                (SELECT array_agg(l.topic_id ORDER BY l.topic_id) FROM library_resource_topics l
                 WHERE l.resource_id = r.id), '{}')
            OR r.audience_ids IS DISTINCT FROM coalesce(
                (SELECT array_agg(l.audience_id ORDER BY l.audience_id)
                 FROM library_resource_audiences l WHERE l.resource_id = r.id), '{}')
            """
        )
        return cursor.fetchall() == []


def test_the_arrays_follow_every_change_of_the_links():
    collection = make_collection()
    first, second, third = make_topic(), make_topic(), make_topic()
    audience, other_audience = make_audience(), make_audience()
    resource = make_resource(collection=collection, topics=[second, first], audiences=[audience])
    untouched = make_resource(collection=collection, topics=[third])
    assert arrays_match_links()

    resource.topics.add(third)
    resource.audiences.add(other_audience)
    assert arrays_match_links()
    resource.topics.remove(first)
    assert arrays_match_links()
    resource.topics.set([first])
    resource.audiences.clear()
    assert arrays_match_links()
    third.delete()
    assert arrays_match_links()
    untouched.refresh_from_db()
    resource.delete()
    assert arrays_match_links()
    assert Resource.objects.filter(pk=untouched.pk).exists()


def test_filters_and_counts_read_the_arrays_and_agree_with_the_links():
    collection = make_collection()
    topic, other = make_topic(), make_topic()
    audience = make_audience()
    both = make_resource(
        collection=collection, title="Outreach both", topics=[topic, other], audiences=[audience]
    )
    make_resource(collection=collection, title="Outreach one", topics=[other])
    found = resource_search(query="outreach", filters={"topic": topic})
    assert [r.pk for r in found.results] == [both.pk]
    counts = {f["name"]: {o["value"]: o["count"] for o in f["options"]} for f in found.facets}
    assert counts["topic"] == {topic.slug: 1, other.slug: 2}
    assert counts["audience"] == {audience.slug: 1}
    both.topics.remove(topic)
    assert resource_search(query="outreach", filters={"topic": topic}).results == []


def test_an_edit_that_changes_no_text_keeps_the_vectors_and_a_text_edit_renews_them():
    resource = make_resource(title="Naloxone kits", summary="For officers.")
    Resource.objects.filter(pk=resource.pk).update(is_featured=True)
    assert [r.pk for r in resource_search(query="naloxone", filters={}).results] == [resource.pk]
    Resource.objects.filter(pk=resource.pk).update(title="Narcan kits", title_en="Narcan kits")
    assert resource_search(query="naloxone", filters={}).results == []
    assert [r.pk for r in resource_search(query="narcan", filters={}).results] == [resource.pk]
