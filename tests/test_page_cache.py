"""The page cache: anonymous visitors get cached pages; a content change shows at once."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from echo import services
from echo.models import RequestState
from library.models import Resource
from tests.factories import make_request, make_resource, make_series
from tests.helpers import login_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    from django.core.cache import caches

    settings.PORTAL_PAGE_CACHE_SECONDS = 300
    settings.PORTAL_PUBLIC_MAX_AGE = 60
    caches["pages"].clear()


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def test_second_visit_is_served_from_the_cache_with_public_headers(client, demo_content):
    first = get(client, reverse("library:home"))
    second = get(client, reverse("library:home"))
    assert (first["X-Portal-Cache"], second["X-Portal-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert second["Cache-Control"] == "public, max-age=60"
    assert "Content-Security-Policy" in second and second["X-Frame-Options"] == "DENY"


def test_a_cached_page_costs_only_the_cache_lookups(
    client, demo_content, django_assert_num_queries, settings
):
    get(client, reverse("echo:home"))
    with django_assert_num_queries(0):  # the version read a moment ago; the page in-process
        assert get(client, reverse("echo:home"))["X-Portal-Cache"] == "hit"
    settings.PORTAL_PAGE_CACHE_VERSION_SECONDS = 0
    with django_assert_num_queries(1):  # the shared content version, read again
        assert get(client, reverse("echo:home"))["X-Portal-Cache"] == "hit"


def test_another_process_change_shows_once_the_version_is_read_again(
    client, demo_content, monkeypatch
):
    """A change made by another worker (it replaces the shared version; this process's copy
    is not told) shows here once the copy is PORTAL_PAGE_CACHE_VERSION_SECONDS old."""
    from django.core.cache import cache

    from deflection_portal import page_cache

    clock = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    url = reverse("library:home")
    get(client, url)
    assert get(client, url)["X-Portal-Cache"] == "hit"
    cache.set(page_cache.CONTENT_VERSION_KEY, "changed-elsewhere", timeout=None)
    clock[0] += 0.5
    assert get(client, url)["X-Portal-Cache"] == "hit"  # within the second: the old copy
    clock[0] += 0.6
    assert get(client, url)["X-Portal-Cache"] == "miss"  # read again: rendered afresh


def test_a_staff_edit_is_visible_on_the_next_request(client):
    resource = make_resource(title="Old title")
    url = resource.get_absolute_url()
    get(client, url)
    assert get(client, url)["X-Portal-Cache"] == "hit"
    resource.title = "New title"
    resource.save()
    response = get(client, url)
    assert response["X-Portal-Cache"] == "miss" and b"New title" in response.content


def test_an_admin_bulk_action_is_visible_on_the_next_request(client, admin_user):
    resource = make_resource(title="Bulk unpublished", is_published=True)
    library_url = reverse("library:search") + "?q=Bulk"
    assert b"Bulk unpublished" in get(client, library_url).content
    staff = client.__class__()
    login_staff(staff, admin_user)
    staff.post(
        reverse("admin:library_resource_changelist"),
        {"action": "unpublish_selected", "_selected_action": [resource.pk]},
    )
    assert not Resource.objects.get(pk=resource.pk).is_published
    assert b"Bulk unpublished" not in get(client, library_url).content


def test_a_decision_updates_the_series_page_but_a_new_request_does_not_bust_the_cache(client):
    series = make_series(capacity=1)
    url = series.get_absolute_url()
    get(client, url)
    make_request(series=series)  # pending: no seat, no public change
    assert get(client, url)["X-Portal-Cache"] == "hit"
    staff = get_user_model().objects.create_user("reviewer", is_staff=True)
    pending = series.requests.get(state=RequestState.PENDING)
    services.approve_request(registration_request=pending, actor=staff)
    response = get(client, url)
    assert response["X-Portal-Cache"] == "miss"
    assert "at capacity" in response.content.decode()


def test_form_and_status_pages_are_never_cached(client):
    series = make_series()
    form = reverse("echo:request", kwargs={"slug": series.slug})
    client.get(form)  # sets the CSRF cookie
    second = client.get(form)  # no Set-Cookie now, but the page holds a CSRF token
    assert "X-Portal-Cache" not in second
    status = make_request(series=series).get_status_url()
    client.get(status)
    assert "X-Portal-Cache" not in client.get(status)


def test_logged_in_staff_and_visitors_with_messages_bypass_the_cache(client, admin_user, settings):
    resource = make_resource(is_published=False)
    login_staff(client, admin_user)
    url = resource.get_absolute_url()
    assert "X-Portal-Cache" not in client.get(url)
    visitor = client.__class__()
    visitor.cookies[settings.MESSAGE_COOKIE_NAME] = "x"
    assert "X-Portal-Cache" not in visitor.get(reverse("home"))


def test_errors_are_not_cached(client):
    client.get("/library/resources/no-such-thing/")
    assert "X-Portal-Cache" not in client.get("/library/resources/no-such-thing/")


def test_a_cache_outage_falls_back_to_rendering(client, monkeypatch):
    from django.core.cache import cache
    from django.db import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("the database cache is unreachable")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "add", down)
    response = client.get(reverse("home"))
    assert response.status_code == 200 and "X-Portal-Cache" not in response


def test_junk_parameters_neither_miss_nor_fill_the_cache(client, demo_content):
    from django.core.cache import caches

    url = reverse("echo:home")
    assert get(client, url)["X-Portal-Cache"] == "miss"
    stored = len(caches["pages"]._cache)
    for n in range(20):
        response = get(client, f"{url}?utm_source=x{n}&junk={n}")
        assert response["X-Portal-Cache"] == "hit", n
    assert len(caches["pages"]._cache) == stored


def test_the_key_holds_the_parameters_a_page_reads(client, demo_content):
    url = reverse("library:search")
    first = get(client, f"{url}?q=deflection")
    assert first["X-Portal-Cache"] == "miss"
    assert get(client, f"{url}?q=deflection&junk=1")["X-Portal-Cache"] == "hit"
    other = get(client, f"{url}?q=housing")
    assert other["X-Portal-Cache"] == "miss" and other.content != first.content
    assert get(client, f"{url}?q=housing")["X-Portal-Cache"] == "hit"


def test_a_page_that_repeats_its_query_string_is_not_stored_with_junk_in_it(rf):
    from django.http import HttpResponse

    from deflection_portal.page_cache import PublicPageCacheMiddleware

    def view(request):
        # Like pagination links: the whole query string goes back into the page.
        return HttpResponse(f"page {request.GET.get('page')} links ?{request.GET.urlencode()}")

    middleware = PublicPageCacheMiddleware(view)
    with_junk = middleware(rf.get("/list/?page=2&junk=evil"))
    assert "junk=evil" in with_junk.content.decode()
    assert "X-Portal-Cache" not in with_junk  # not stored: it repeats the junk
    clean = middleware(rf.get("/list/?page=2"))
    assert clean["X-Portal-Cache"] == "miss"
    again = middleware(rf.get("/list/?page=2&junk=other"))
    assert again["X-Portal-Cache"] == "hit" and "junk" not in again.content.decode()
    assert middleware(rf.get("/list/?page=3"))["X-Portal-Cache"] == "miss"


def test_models_an_app_declares_private_do_not_bust_the_cache(client):
    from echo.models import OutgoingEmail

    resource = make_resource()
    url = resource.get_absolute_url()
    get(client, url)
    OutgoingEmail.objects.create(kind="test", to="a@example.org", subject="s", body_text="b")
    assert get(client, url)["X-Portal-Cache"] == "hit"


def test_the_page_cache_names_no_app_model_or_state():
    from pathlib import Path

    source = (
        Path(__file__).resolve().parents[1] / "deflection_portal" / "page_cache.py"
    ).read_text()
    for word in ("echo", "library", "registrationrequest", "pending", "flatpage"):
        assert word not in source.lower(), word


def test_a_model_that_says_it_is_not_shown_publicly_does_not_bust_the_cache(client, monkeypatch):
    from library.models import Topic

    resource = make_resource()
    url = resource.get_absolute_url()
    get(client, url)
    monkeypatch.setattr(Topic, "shown_on_public_pages", False, raising=False)
    Topic.objects.create(name="Not shown", slug="not-shown")
    assert get(client, url)["X-Portal-Cache"] == "hit"
    monkeypatch.undo()
    Topic.objects.create(name="Shown", slug="shown")
    assert get(client, url)["X-Portal-Cache"] == "miss"
