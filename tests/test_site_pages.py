"""Files crawlers and browsers expect: robots.txt, sitemap.xml, /favicon.ico; and each page's
description, canonical address and Open Graph tags."""

import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from tests.factories import make_request, make_resource, make_series

pytestmark = pytest.mark.django_db


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_private_pages(client, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: https://portal.example.org/sitemap.xml" in text
    for path in ("/admin/", "/echo/requests/"):
        assert f"Disallow: {path}" in text


def test_sitemap_lists_public_pages_only(client, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    published = make_resource(title="Published guide", is_published=True)
    hidden = make_resource(title="Draft guide", is_published=False)
    series = make_series()
    hidden_series = make_series(is_published=False)
    request = make_request(series=series)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    locations = {loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    base = "https://portal.example.org"
    for url in (
        reverse("home"),
        reverse("directory:home"),
        reverse("contact"),
        published.get_absolute_url(),
        series.get_absolute_url(),
    ):
        assert base + url in locations, url
    for url in (hidden.get_absolute_url(), hidden_series.get_absolute_url()):
        assert base + url not in locations
    assert not any("/admin/" in loc or request.access_token in loc for loc in locations)
    # Each page in both languages, each naming the other as its alternate.
    assert base + "/es" + published.get_absolute_url() in locations
    alternates = {
        (link.get("hreflang"), link.get("href"))
        for link in root.iter("{http://www.w3.org/1999/xhtml}link")
    }
    assert ("es", base + "/es" + series.get_absolute_url()) in alternates
    assert ("x-default", base + series.get_absolute_url()) in alternates


def test_favicon_ico_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"


def test_resource_page_has_its_own_description_canonical_and_open_graph(client, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    resource = make_resource(
        title="Warm handoff guide",
        summary="How officers hand a person to a peer <specialist> in ten minutes.",
        is_published=True,
    )
    html = client.get(resource.get_absolute_url() + "?utm=x").content.decode()
    description = re.search(r'<meta name="description" content="([^"]*)">', html).group(1)
    assert description.startswith("How officers hand a person to a peer &lt;specialist&gt;")
    canonical = f"https://portal.example.org{resource.get_absolute_url()}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert '<meta property="og:title" content="Warm handoff guide">' in html
    assert '<meta property="og:type" content="article">' in html
    assert "Last updated:" in html


def test_pages_have_different_descriptions(client, demo_content):
    seen = {}
    for name in ("home", "contact", "accessibility", "directory:home", "echo:privacy"):
        html = client.get(reverse(name)).content.decode()
        seen[name] = re.search(r'<meta name="description" content="([^"]*)">', html).group(1)
    assert len(set(seen.values())) >= 4, seen


@pytest.mark.parametrize(
    "path", ["/robots.txt?x=%00", "/sitemap.xml?p=999", "/sitemap.xml?p=abc", "/favicon.ico"]
)
def test_site_files_never_answer_500(client, path):
    assert client.get(path).status_code in (200, 404)
