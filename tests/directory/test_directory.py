"""The program directory: 36 counties and nine tribes, a map that agrees with the table, every
county a named link, and staff edits shown at once."""

import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from directory.county_map import county_map
from directory.models import Jurisdiction, ProgramStatus
from tests.helpers import assert_one_h1

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def page(client):
    response = client.get(reverse("directory:home"))
    assert response.status_code == 200
    return response


def rendered_map(html: str) -> ElementTree.Element:
    svg = re.search(r"<svg xmlns=\"http://www.w3.org/2000/svg\".*?</svg>", html, re.S).group(0)
    return ElementTree.fromstring(svg)


def table_rows(html: str, table_id: str) -> dict[str, str]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    return dict(re.findall(r'<tr id="([a-z0-9-]+)" data-status="([a-z]+)"', table))


def test_the_migration_seeds_every_county_and_tribe():
    assert Jurisdiction.objects.counties().count() == 36
    assert Jurisdiction.objects.tribes().count() == 9
    fips = set(Jurisdiction.objects.counties().values_list("fips", flat=True))
    assert fips == {f"41{n:03d}" for n in range(1, 72, 2)}


def test_the_static_svg_has_every_county_with_its_census_name():
    shapes = county_map().shapes
    assert len(shapes) == 36
    names = {s.fips: s.name for s in shapes}
    for county in Jurisdiction.objects.counties():
        assert f"{names[county.fips]} County" == county.name


def test_map_and_table_agree(client):
    Jurisdiction.objects.filter(slug="lane-county").update(status=ProgramStatus.OPERATING)
    Jurisdiction.objects.filter(slug="wasco-county").update(status=ProgramStatus.PLANNING)
    response = page(client)
    assert_one_h1(response)
    html = response.content.decode()
    svg = rendered_map(html)
    links = list(svg.iter(f"{SVG}a"))
    assert len(links) == 36
    from_map = {}
    for link in links:
        slug = link.get("href").removeprefix("#")
        status = link.get("class").removeprefix("status-")
        from_map[slug] = status
        county = Jurisdiction.objects.get(slug=slug)
        assert link.get("aria-label") == f"{county.name}: {county.get_status_display()}"
        assert link.find(f"{SVG}path").get("d").startswith("M")
    assert from_map == table_rows(html, "county-table")
    assert from_map["lane-county"] == "operating" and from_map["wasco-county"] == "planning"
    assert len(table_rows(html, "tribe-table")) == 9
    assert "Operating (1)" in html and "Planning (1)" in html


def test_the_table_carries_lead_agency_contact_and_grant_cycle(client):
    Jurisdiction.objects.filter(slug="tribe-klamath").update(
        status=ProgramStatus.PLANNING,
        lead_agency="Klamath Tribal Health",
        contact_name="Program lead",
        contact_email="deflection@example.org",
        grant_cycle="2025-2027",
    )
    html = page(client).content.decode()
    row = re.search(r'<tr id="tribe-klamath".*?</tr>', html, re.S).group(0)
    for text in ("Planning", "Klamath Tribal Health", "mailto:deflection@example.org", "2025-2027"):
        assert text in row


def test_a_staff_edit_shows_at_once_through_the_page_cache(settings, admin_client):
    from django.core.cache import caches
    from django.test import Client

    client = Client()  # a visitor, beside the staff member's logged-in client
    settings.PORTAL_PAGE_CACHE_SECONDS = 300
    caches["pages"].clear()
    page(client)
    assert page(client)["X-Portal-Cache"] == "hit"
    lane = Jurisdiction.objects.get(slug="lane-county")
    response = admin_client.post(
        reverse("admin:directory_jurisdiction_change", args=[lane.pk]),
        {
            "kind": "county",
            "name": "Lane County",
            "slug": "lane-county",
            "fips": "41039",
            "status": "operating",
            "lead_agency": "Lane County Sheriff's Office",
            "grant_cycle": "",
            "notes": "",
            "contact_name": "",
            "contact_email": "",
            "contact_phone": "",
        },
    )
    assert response.status_code == 302
    fresh = page(client)
    assert fresh["X-Portal-Cache"] == "miss"
    assert table_rows(fresh.content.decode(), "county-table")["lane-county"] == "operating"
    assert "Lane County Sheriff&#x27;s Office" in fresh.content.decode()


def test_admin_list_filters_by_status(admin_client):
    url = reverse("admin:directory_jurisdiction_changelist")
    assert (
        admin_client.get(url, {"status__exact": "none", "kind__exact": "tribe"}).status_code == 200
    )
