"""Pages about the site itself: contact, accessibility, and the files crawlers and browsers
ask for (robots.txt, /favicon.ico)."""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

FAVICON_STATIC_PATH = "img/favicon.ico"
# Private or endless pages: the admin, applicants' status links, form steps, search results.
DISALLOWED_PATHS = ["/admin/", "/echo/requests/", "/echo/interest/leave/", "/library/search/"]


@require_GET
def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "contact.html")


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html")


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED_PATHS)]
    lines.append(f"Sitemap: {settings.PORTAL_BASE_URL}{reverse('sitemap')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_GET
@cache_control(public=True, max_age=86_400)
def favicon(request: HttpRequest) -> HttpResponse:
    found = finders.find(FAVICON_STATIC_PATH)
    if not found:
        raise Http404
    return FileResponse(open(found, "rb"), content_type="image/x-icon")
