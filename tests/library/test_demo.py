"""Library demo content: what it creates, and that a second run changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from library.models import Audience, Collection, Resource, Topic

BASICS = [
    "civil-citation-model",
    "understand-officer-intervention-for-deflection",
    "law-enforcement-assisted-diversion-lead-model",
]
PATHWAYS = [
    "pathway-self-referral",
    "pathway-active-outreach",
    "pathway-naloxone-plus",
    "pathway-first-responder-officer-referral",
    "pathway-officer-intervention",
    "pathway-community-response",
]


@pytest.mark.django_db
def test_demo_creates_both_libraries_topics_audiences_and_basics(demo_content):
    titles = dict(Collection.objects.values_list("slug", "title"))
    assert titles["deflection-resources"] == "Deflection Resources Library"
    assert titles["clinical-resources"] == "Clinical Resources Library"
    topic_slugs = set(Topic.objects.values_list("slug", flat=True))
    assert {"deflection-basics", "civil-citation", "officer-intervention", "lead"} <= topic_slugs
    assert set(PATHWAYS) <= topic_slugs
    assert {"oregon-policy-funding", "data-evaluation", "treatment"} <= topic_slugs
    assert Audience.objects.count() >= 5
    basics = Resource.objects.filter(slug__in=BASICS, topics__slug="deflection-basics")
    assert basics.published().count() == 3


@pytest.mark.django_db
def test_demo_resources_make_search_and_facets_meaningful(demo_content):
    published = Resource.objects.published()
    assert published.exclude(slug__in=BASICS).count() >= 10
    assert published.featured().exists()
    assert published.filter(collection__slug="clinical-resources").count() >= 3
    assert published.values("resource_type").distinct().count() >= 4
    for slug in PATHWAYS + ["oregon-policy-funding", "data-evaluation", "treatment"]:
        assert published.filter(topics__slug=slug).exists(), slug
    assert not published.filter(summary="").exists()


@pytest.mark.django_db
def test_demo_is_idempotent_and_keeps_staff_edits(demo_content):
    counts = (Collection.objects.count(), Topic.objects.count(), Resource.objects.count())
    Resource.objects.filter(slug="civil-citation-model").update(
        title="Edited by staff", is_published=False
    )
    Resource.objects.get(slug="asam-criteria").topics.clear()
    call_command("load_demo_content", stdout=StringIO())
    assert (Collection.objects.count(), Topic.objects.count(), Resource.objects.count()) == counts
    edited = Resource.objects.get(slug="civil-citation-model")
    assert edited.title == "Edited by staff" and not edited.is_published
    assert not Resource.objects.get(slug="asam-criteria").topics.exists()


@pytest.mark.django_db
def test_deflection_library_points_to_the_clinical_library(client, demo_content):
    html = client.get(reverse("library:collection", args=["deflection-resources"])).content
    assert b"clinical addiction care resources instead" in html
    assert b'href="/library/collections/clinical-resources/"' in html


@pytest.mark.django_db
def test_every_demo_resource_page_renders(client, demo_content):
    for resource in Resource.objects.published():
        assert client.get(resource.get_absolute_url()).status_code == 200, resource.slug
