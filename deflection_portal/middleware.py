"""Middleware for the whole portal: request size limits, security headers, and a branded 503
while the database cannot be reached."""

import hashlib
import logging
import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache, caches
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

ADMIN_PREFIX = "/admin/"
RETRY_AFTER_SECONDS = 30


class RequestSizeLimitMiddleware:
    """Refuse an oversized body with 413 from its Content-Length, before reading any of it.

    Public pages take small forms; the admin may upload library files.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse("Bad Content-Length header.", status=400, content_type="text/plain")
        limit = (
            settings.PORTAL_MAX_ADMIN_BODY_BYTES
            if request.path.startswith(ADMIN_PREFIX)
            else settings.PORTAL_MAX_PUBLIC_BODY_BYTES
        )
        if length > limit:
            response = HttpResponse(
                render_to_string("413.html"), status=413, content_type="text/html; charset=utf-8"
            )
            response["Connection"] = "close"
            return response
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django has no setting for, and the admin's allowance for its inline styles."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
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
        return service_unavailable()


def service_unavailable() -> HttpResponse:
    # Rendered without the request: its context processors could need the database.
    response = HttpResponse(
        render_to_string("503.html"), status=503, content_type="text/html; charset=utf-8"
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class StaffSessionTimeoutMiddleware:
    """End a staff session after 30 idle minutes or 12 hours in all (settings), whichever
    comes first; the next admin page then asks for the password and second factor again."""

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
                    % {"why": _("30 minutes without activity") if idle else _("12 hours")},
                )
                if request.path.startswith(ADMIN_PREFIX):
                    return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            else:
                session[self.SEEN_AT] = now
        return self.get_response(request)


# --- Page cache for anonymous visitors ------------------------------------------------------

CONTENT_VERSION_KEY = "portal:content-version"
UNCACHED_PREFIXES = (ADMIN_PREFIX, "/static/", "/media/", "/bench/")
STORED_HEADERS_SKIPPED = {"set-cookie", "cache-control", "expires", "content-length"}


def content_version() -> str:
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(CONTENT_VERSION_KEY, version, timeout=None)
        version = cache.get(CONTENT_VERSION_KEY, version)
    return version


def bump_content_version() -> None:
    """Make every cached page stale: the next request renders it afresh."""
    cache.set(CONTENT_VERSION_KEY, uuid.uuid4().hex, timeout=None)


class PublicPageCacheMiddleware:
    """Serve public pages to anonymous visitors from the cache.

    Only GET/HEAD from visitors without a session or messages cookie; only 200 responses
    that set no cookie, used no CSRF token and did not ask for no-store or private. Every
    content change (see `deflection_portal.apps`) replaces the content version in the cache
    key, so a staff edit shows on the next request, on every worker and replica.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PORTAL_PAGE_CACHE_SECONDS
        if seconds <= 0 or not self._cacheable_request(request):
            return self.get_response(request)
        pages = caches["pages"]
        try:
            key = self._key(request)
        except (OperationalError, InterfaceError):
            # The database cache is down with the database: render, and let the view's own
            # database error answer the branded 503.
            return self.get_response(request)
        stored = pages.get(key)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            self._public_headers(response)
            response["X-Portal-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self._cacheable_response(request, response):
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in STORED_HEADERS_SKIPPED
            ]
            pages.set(key, (response.status_code, headers, response.content), seconds)
            self._public_headers(response)
            response["X-Portal-Cache"] = "miss"
        return response

    @staticmethod
    def _cacheable_request(request: HttpRequest) -> bool:
        if request.method not in ("GET", "HEAD") or request.path.startswith(UNCACHED_PREFIXES):
            return False
        cookies = request.COOKIES
        return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies

    @staticmethod
    def _cacheable_response(request: HttpRequest, response: HttpResponse) -> bool:
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and "no-store" not in cache_control
            and "private" not in cache_control
        )

    @staticmethod
    def _key(request: HttpRequest) -> str:
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        return f"page:{content_version()}:{request.get_host()}:{request.method}:{digest}"

    @staticmethod
    def _public_headers(response: HttpResponse) -> None:
        # Lets a reverse proxy keep the page briefly too; our own copy is replaced at once.
        response["Cache-Control"] = f"public, max-age={settings.PORTAL_PUBLIC_MAX_AGE}"
