"""The home page. Everything else lives in the apps."""

from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

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
