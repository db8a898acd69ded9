"""Middleware for the whole portal: request size limits, malformed requests, security headers,
and a branded 503 while the database cannot be reached. The page cache is in page_cache.py."""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

ADMIN_PREFIX = "/admin/"
RETRY_AFTER_SECONDS = 30


class RequestSizeLimitMiddleware:
    """Refuse an oversized body with 413 from its Content-Length, before reading any of it.

    Public pages take small forms. Only signed-in staff may send the admin's larger bodies
    (library uploads): anyone else gets the public limit on every path, so an anonymous
    request to /admin/ is refused before the CSRF check would parse its body. Placed after
    the authentication middleware, and before any view or process_view reads the body.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return bad_request(request)
        if length < 0:
            return bad_request(request)
        if length > settings.PORTAL_MAX_PUBLIC_BODY_BYTES and length > self._limit(request):
            response = render(request, "413.html", status=413)
            response["Connection"] = "close"
            add_never_cache_headers(response)
            return response
        return self.get_response(request)

    @staticmethod
    def _limit(request: HttpRequest) -> int:
        user = getattr(request, "user", None)
        if (
            request.path.startswith(ADMIN_PREFIX)
            and user is not None
            and user.is_authenticated
            and user.is_staff
        ):
            return settings.PORTAL_MAX_ADMIN_BODY_BYTES
        return settings.PORTAL_MAX_PUBLIC_BODY_BYTES


class MalformedRequestMiddleware:
    """Answer 400 to a body that declares a charset other than UTF-8. The portal's pages and
    forms are UTF-8 (Django refuses other charsets for form posts too); refusing here, before
    anything reads the body, keeps every later step from meeting it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        charset = request.content_params.get("charset") if request.content_type else None
        if charset is not None and charset.strip().strip('"').lower() != "utf-8":
            return bad_request(request)
        return self.get_response(request)


def bad_request(request: HttpRequest) -> HttpResponse:
    from .views import bad_request as view

    response = view(request, None)
    response["Connection"] = "close"
    return response


class SecurityHeadersMiddleware:
    """Headers Django has no setting for, and the admin's allowance for its inline styles."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        # Responses that end before XFrameOptionsMiddleware (static files, a 413) carry it too.
        response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        if request.path.startswith(ADMIN_PREFIX):
            # Django's admin templates use a few style attributes; scripts stay strict.
            response._csp_update = {"style-src": "'unsafe-inline'"}
        return response


class DatabaseUnavailableMiddleware:
    """Answer a branded 503 with Retry-After when the database cannot be reached.

    Persistent connections are health-checked (CONN_HEALTH_CHECKS) and a broken one is
    closed at the end of the request, so the portal recovers by itself once the database is
    back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable for %s %s: %s", request.method, request.path, exception)
        return service_unavailable(request)


def page_language(request: HttpRequest | None) -> str:
    """The language of the page asked for, from its URL alone (/es/…): error pages answered
    before the locale middleware has run speak it too."""
    path = request.path_info if request is not None else ""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def service_unavailable(request: HttpRequest | None = None) -> HttpResponse:
    # Rendered without the request: its context processors could need the database.
    with translation.override(page_language(request)):
        body = render_to_string("503.html")
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def duration(seconds: int) -> str:
    """A length of time in words: whole hours as hours, anything else in minutes."""
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = max(1, round(seconds / 60))
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def idle_phrase() -> str:
    return _("%(duration)s without activity") % {
        "duration": duration(settings.PORTAL_STAFF_IDLE_SECONDS)
    }


def length_phrase() -> str:
    return duration(settings.PORTAL_STAFF_SESSION_MAX_SECONDS)


class StaffSessionTimeoutMiddleware:
    """End a staff session after PORTAL_STAFF_IDLE_MINUTES idle or PORTAL_STAFF_SESSION_HOURS
    in all, whichever comes first; the next admin page then asks for the password and second
    factor again."""

    LOGIN_AT = "portal_staff_login_at"
    SEEN_AT = "portal_staff_seen_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            now = time.time()
            session = request.session
            login_at = session.setdefault(self.LOGIN_AT, now)
            seen_at = session.get(self.SEEN_AT, now)
            idle = now - seen_at > settings.PORTAL_STAFF_IDLE_SECONDS
            too_long = now - login_at > settings.PORTAL_STAFF_SESSION_MAX_SECONDS
            if idle or too_long:
                logout(request)
                messages.info(
                    request,
                    _("Your session ended after %(why)s. Please log in again.")
                    % {"why": idle_phrase() if idle else length_phrase()},
                )
                if request.path.startswith(ADMIN_PREFIX):
                    return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            else:
                session[self.SEEN_AT] = now
        return self.get_response(request)
