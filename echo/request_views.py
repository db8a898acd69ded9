"""Registration flow views: the request form, "received", the private status page."""

from django.http import Http404, HttpRequest, HttpResponse


def privacy_notice(request: HttpRequest) -> HttpResponse:
    raise Http404


def request_form(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404


def request_received(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404


def request_status(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404
