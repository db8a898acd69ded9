"""The home page. Everything else lives in the apps."""

from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from .middleware import page_language

HOME_PAGE_URL = "/"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The home page: the staff-edited introduction (the flat page at "/") and the ways in."""
    site = get_current_site(request)
    intro = FlatPage.objects.filter(url=HOME_PAGE_URL, sites=site.pk).first()
    return render(request, "home.html", {"intro": intro})


@require_GET
def floor(request: HttpRequest) -> HttpResponse:
    """The benchmark floor: the cheapest page behind the full middleware stack. Routed only
    when PORTAL_BENCH_FLOOR is on."""
    return HttpResponse(b"ok", content_type="text/plain")


@require_GET
def page_floor(request: HttpRequest) -> HttpResponse:
    """The benchmark's page floor: the site's header and footer around one paragraph, what
    every public page costs before its own content. Routed only when PORTAL_BENCH_FLOOR is
    on."""
    return render(request, "bench_page_floor.html")


# --- Error pages ---------------------------------------------------------------------------
# Django's handlers, branded. They never read the request body, the session or the database:
# an error page must render whatever made the request fail (a body in a charset we refuse, a
# database that is down). The middlewares around them add the security headers.


def _error_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    with translation.override(page_language(request)):
        body = render_to_string(template, {"request": request})
    response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    add_never_cache_headers(response)
    return response


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _error_page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _error_page(request, "403.html", 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error_page(request, "403_csrf.html", 403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _error_page(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error_page(request, "500.html", 500)


def too_large(request: HttpRequest) -> HttpResponse:
    """The 413 page, for the reverse proxy to show when it refuses a body itself."""
    return _error_page(request, "413.html", 413)
