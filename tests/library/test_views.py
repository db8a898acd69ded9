"""Public library pages: content, accessibility basics, visibility and query budgets."""

import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse

from library.models import Resource
from tests.factories import (
    make_audience,
    make_collection,
    make_resource,
    make_resources,
    make_topic,
)
from tests.helpers import PROGRAM_SETTINGS_QUERIES, assert_one_h1

from . import files


def assert_headings_do_not_skip_levels(html: str) -> None:
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]
    assert levels and levels[0] == 1, levels
    for previous, current in zip(levels, levels[1:], strict=False):
        assert current <= previous + 1, levels


def with_file(resource: Resource, name: str = "guide.pdf", content: bytes = files.PDF):
    resource.file.save(name, ContentFile(content))
    return resource


@pytest.fixture
def library(db):
    """Two collections, a few topics and audiences, and resources across them."""
    deflection = make_collection(slug="deflection-resources", title="Deflection Resources Library")
    clinical = make_collection(slug="clinical-resources", title="Clinical Resources Library")
    basics, lead = make_topic(slug="basics", name="Basics"), make_topic(slug="lead", name="LEAD")
    police = make_audience(slug="police", name="Police")
    main = make_resource(
        slug="lead-model",
        title="LEAD model",
        summary="Diversion before booking.",
        body="## How it works\n\nCase managers **meet people where they are**.",
        collection=deflection,
        topics=[basics, lead],
        audiences=[police],
        source="LEAD Bureau",
        published_on="2024-04-01",
        is_featured=True,
    )
    related = make_resource(
        slug="six-pathways", title="Six pathways", collection=deflection, topics=[basics]
    )
    make_resource(slug="moud", title="Medications", collection=clinical)
    hidden = make_resource(
        slug="draft", title="Draft plan", collection=deflection, topics=[basics], is_published=False
    )
    return {
        "main": main,
        "related": related,
        "hidden": hidden,
        "deflection": deflection,
        "clinical": clinical,
        "basics": basics,
    }


def page_urls() -> list[str]:
    return [
        reverse("library:home"),
        reverse("library:collection", args=["deflection-resources"]),
        reverse("library:topic", args=["basics"]),
        reverse("library:resource", args=["lead-model"]),
        reverse("library:search"),
        reverse("library:search") + "?q=lead&topic=basics",
    ]


@pytest.mark.parametrize("index", range(6))
def test_every_library_page_has_one_h1_and_headings_in_order(client, library, index):
    response = client.get(page_urls()[index])
    assert response.status_code == 200
    assert_one_h1(response)
    assert_headings_do_not_skip_levels(response.content.decode())


def test_home_shows_both_collections_featured_resources_and_topics(client, library):
    html = client.get(reverse("library:home")).content.decode()
    assert 'href="/library/collections/deflection-resources/"' in html
    assert 'href="/library/collections/clinical-resources/"' in html
    assert "Featured resources" in html and 'href="/library/resources/lead-model/"' in html
    assert 'href="/library/topics/basics/"' in html
    assert "<search" in html and "Draft plan" not in html


def test_collections_link_to_each_other(client, library):
    deflection = client.get(reverse("library:collection", args=["deflection-resources"]))
    clinical = client.get(reverse("library:collection", args=["clinical-resources"]))
    assert 'href="/library/collections/clinical-resources/">Clinical Resources Library' in (
        deflection.content.decode()
    )
    assert 'href="/library/collections/deflection-resources/">Deflection Resources Library' in (
        clinical.content.decode()
    )


def test_collection_lists_only_its_published_resources(client, library):
    response = client.get(reverse("library:collection", args=["deflection-resources"]))
    assert [r.slug for r in response.context["resources"]] == ["lead-model", "six-pathways"]


def test_topic_lists_only_its_published_resources(client, library):
    response = client.get(reverse("library:topic", args=["basics"]))
    assert {r.slug for r in response.context["resources"]} == {"lead-model", "six-pathways"}


@pytest.mark.parametrize("name", ["library:collection", "library:topic", "library:resource"])
def test_unknown_slugs_answer_404(client, db, name):
    assert client.get(reverse(name, args=["no-such-thing"])).status_code == 404


def test_resource_page_shows_metadata_body_topics_and_related(client, library):
    html = client.get(reverse("library:resource", args=["lead-model"])).content.decode()
    assert "<h1>LEAD model</h1>" in html
    assert "Diversion before booking." in html and "LEAD Bureau" in html
    assert '<time datetime="2024-04-01">April 1, 2024</time>' in html
    assert "<strong>meet people where they are</strong>" in html
    assert 'href="/library/topics/lead/"' in html and "Police" in html
    assert 'href="https://example.org/' in html and "Open the resource" in html
    assert "Related resources" in html and 'href="/library/resources/six-pathways/"' in html
    assert "Draft plan" not in html


def test_resource_page_without_echo_sessions_shows_no_echo_section(client, library):
    html = client.get(reverse("library:resource", args=["lead-model"])).content.decode()
    assert "Used in ECHO sessions" not in html


def test_unpublished_resource_is_hidden_from_the_public(client, library):
    assert client.get(reverse("library:resource", args=["draft"])).status_code == 404
    with_file(library["hidden"])
    assert client.get(reverse("library:resource-file", args=["draft"])).status_code == 404
    for url in page_urls():
        assert b"Draft plan" not in client.get(url).content


def test_staff_preview_unpublished_resource_with_a_notice(staff_client, library):
    response = staff_client.get(reverse("library:resource", args=["draft"]))
    assert response.status_code == 200
    assert b"Preview: this resource is not published" in response.content
    with_file(library["hidden"])
    download = staff_client.get(reverse("library:resource-file", args=["draft"]))
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"


def test_published_resource_has_no_preview_notice_for_staff(staff_client, library):
    response = staff_client.get(reverse("library:resource", args=["lead-model"]))
    assert b"Preview:" not in response.content


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("guide.pdf", files.PDF, "application/pdf"),
        (
            "slides.pptx",
            files.PPTX,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("photo.jpg", files.JPEG, "image/jpeg"),
    ],
)
def test_file_is_served_as_a_download_with_its_allowed_type(
    client, library, name, content, content_type
):
    with_file(library["main"], name, content)
    response = client.get(reverse("library:resource-file", args=["lead-model"]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    extension = name.rsplit(".", 1)[1]
    assert response["Content-Disposition"] == f'attachment; filename="lead-model.{extension}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == content


def test_resource_page_offers_the_download_with_type_and_size(client, library):
    with_file(library["main"])
    html = client.get(reverse("library:resource", args=["lead-model"])).content.decode()
    assert 'href="/library/resources/lead-model/file/"' in html
    assert re.search(r"Download <span class=\"small\">\(PDF, \d+", html)


def test_file_route_answers_404_without_a_file_or_when_storage_lost_it(client, library):
    url = reverse("library:resource-file", args=["lead-model"])
    assert client.get(url).status_code == 404
    with_file(library["main"])
    library["main"].file.storage.delete(library["main"].file.name)
    assert client.get(url).status_code == 404
    page = client.get(reverse("library:resource", args=["lead-model"]))
    assert page.status_code == 200


def test_file_route_refuses_a_stored_file_outside_the_allow_list(client, library):
    Resource.objects.filter(pk=library["main"].pk).update(file="resources/2024/01/page.html")
    assert client.get(reverse("library:resource-file", args=["lead-model"])).status_code == 404


def test_library_pages_only_answer_get(client, library):
    assert client.post(reverse("library:search")).status_code == 405
    assert client.post(reverse("library:home")).status_code == 405


# --- Query budgets ------------------------------------------------------------------------
# Each public page runs the same number of queries with 10 or 500 resources. The budgets:
#   home 3: collections with counts, featured resources, topics with counts
#   collection 3: the collection (with its stored count), the page of resources, the other
#                 collections
#   topic 2: the topic (with its stored count), the page of resources
#   resource 5: the resource (with its collection), its topics, audiences, ECHO sessions
#               (with their series), related resources
#   resource file 1: the resource
#   search 5 (query + one filter): the topic filter's lookup, the count in the library's
#            sample (library/broad_search.py), one statement for the total, the four facets'
#            counts and the page's ids (library/search.py; for a broad query, the window's
#            ids instead), the page's resources, the names of the facet values; 4 without a
#            filter. On PostgreSQL one more: the search's planner settings for its
#            transaction (SEARCH_SETUP)
SEARCH_SETUP = 1 if connection.vendor == "postgresql" else 0
BUDGETS = [
    ("library:home", None, "", 3),
    ("library:collection", "budget-collection", "", 3),
    ("library:topic", "budget-topic", "", 2),
    ("library:resource", "budget-resource", "", 5),
    ("library:resource-file", "budget-resource", "", 1),
    ("library:search", None, "?q=guide&topic=budget-topic&sort=relevance&page=2", 5 + SEARCH_SETUP),
    ("library:search", None, "", 4 + SEARCH_SETUP),
]


@pytest.mark.parametrize("count", [10, 500])
@pytest.mark.parametrize(("name", "slug", "query", "budget"), BUDGETS)
def test_page_query_count_does_not_grow_with_resources(
    client, db, django_assert_num_queries, count, name, slug, query, budget
):
    collection = make_collection(slug="budget-collection")
    make_collection(slug="other-collection")
    topics = [make_topic(slug="budget-topic"), make_topic()]
    audiences = [make_audience(), make_audience()]
    make_resources(
        count, collection=collection, topics=topics, audiences=audiences, is_featured=True
    )
    resource = make_resource(
        slug="budget-resource",
        title="Budget guide",
        collection=collection,
        topics=topics,
        audiences=audiences,
    )
    with_file(resource)
    url = reverse(name, args=[slug] if slug else []) + query
    html_page = name != "library:resource-file"
    with django_assert_num_queries(budget + PROGRAM_SETTINGS_QUERIES * html_page):
        response = client.get(url)
    assert response.status_code == 200
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
