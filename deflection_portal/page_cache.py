"""The page cache for anonymous visitors, and what makes it stale.

Storage. Rendered pages live in the "pages" cache, which is per process (LocMemCache): a hit
costs no rendering and, most of the time, no query. What every gunicorn worker and every
replica shares is freshness, not the pages: a content change replaces the shared version.
The process that made the change renders afresh at once; every other process reads the
shared version again when its copy is PORTAL_PAGE_CACHE_VERSION_SECONDS old (default 1 s),
so it serves the old page for at most that long after a change (a reverse proxy may keep a
page PORTAL_PUBLIC_MAX_AGE seconds anyway). Reading the version on every hit cost as much as
the rest of the hit. A repeat request is a hit only on the process that rendered the page
the first time (tests pin one worker to see a hit).

Keys. A page is keyed by host, method, path and the values of the query parameters the page
actually reads, learned from the view: the middleware hands the view a query dict that
records which names it looked up (`get`, `getlist`, `[]`, `in`). A junk parameter that no
view reads is no part of the key: it neither misses nor fills the cache. A page that copies
its whole query string (pagination links) is stored only from a request without junk, so a
stored page never repeats a junk parameter to the next visitor.

Invalidation. Apps declare which of their models show on public pages with
`invalidate_on_changes()` (usually in their AppConfig.ready); a model can also say so itself
with a class attribute `shown_on_public_pages = False`. A save, delete or many-to-many change
of a watched model replaces the content version. This module names no app's models or
states.
"""

import hashlib
import time
import uuid
from collections.abc import Callable, Iterable

from django.apps import AppConfig
from django.conf import settings
from django.core.cache import cache, caches
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Model, signals
from django.http import HttpRequest, HttpResponse, QueryDict

from .middleware import ADMIN_PREFIX, page_language, service_unavailable

CONTENT_VERSION_KEY = "portal:content-version"
UNCACHED_PREFIXES = (ADMIN_PREFIX, "/static/", "/media/", "/bench/")
STORED_HEADERS_SKIPPED = {"set-cookie", "cache-control", "expires", "content-length"}
# How long the learned parameter names of a path are kept (they are re-learned after).
READS_SECONDS = 24 * 60 * 60


# --- The shared content version ----------------------------------------------------------


# This process's copy of the shared version and when it was read (time.monotonic()).
_known: tuple[str, float] | None = None


def content_version() -> str:
    """The shared content version, read again when this process's copy is
    PORTAL_PAGE_CACHE_VERSION_SECONDS old."""
    global _known
    known, now = _known, time.monotonic()
    if known is not None and 0 <= now - known[1] < settings.PORTAL_PAGE_CACHE_VERSION_SECONDS:
        return known[0]
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(CONTENT_VERSION_KEY, version, timeout=None)
        version = cache.get(CONTENT_VERSION_KEY, version)
    _known = (version, now)
    return version


def bump_content_version() -> None:
    """Make every cached page stale: the next request on this process renders it afresh,
    on the others once they read the shared version again."""
    global _known
    version = uuid.uuid4().hex
    cache.set(CONTENT_VERSION_KEY, version, timeout=None)
    _known = (version, time.monotonic())


def forget_content_version() -> None:
    """Read the shared version again on the next request (tests, and after clearing the
    shared cache)."""
    global _known
    _known = None


# --- Invalidation ------------------------------------------------------------------------

# Model -> predicate(instance, created) that says a change leaves public pages as they were.
_watched: dict[type[Model], Callable[[Model, bool], bool] | None] = {}


def invalidate_on_changes(
    app_config: AppConfig | None = None,
    *,
    models: Iterable[type[Model]] = (),
    ignore: Iterable[type[Model]] = (),
    unless: dict[type[Model], Callable[[Model, bool], bool]] | None = None,
) -> None:
    """Make cached pages stale when these models change: every model of `app_config`
    (with its many-to-many tables) and `models`, except those in `ignore`. `unless` maps a
    model to a predicate `(instance, created) -> bool` for changes that show nowhere public.
    """
    ignored = set(ignore)
    chosen = list(models)
    if app_config is not None:
        chosen += list(app_config.get_models(include_auto_created=True))
    for model in chosen:
        if model not in ignored:
            _watched[model] = (unless or {}).get(model)
    _connect()


def _content_changed(sender, instance=None, created=False, **kwargs) -> None:
    if sender not in _watched:
        return
    if not getattr(sender, "shown_on_public_pages", True):
        return  # the model says no public page shows it
    unchanged = _watched[sender]
    if unchanged is not None and instance is not None and unchanged(instance, created):
        return
    bump_content_version()


def _connect() -> None:
    signals.post_save.connect(_content_changed, dispatch_uid="page-cache-saved")
    signals.post_delete.connect(_content_changed, dispatch_uid="page-cache-deleted")
    signals.m2m_changed.connect(_content_changed, dispatch_uid="page-cache-m2m")


# --- Query parameters a page reads -------------------------------------------------------


class RecordingQueryDict(QueryDict):
    """request.GET that remembers the names looked up, and whether it was read whole."""

    def __init__(self, *args, **kwargs):
        self.names_read: set[str] = set()
        self.read_whole = False
        super().__init__(*args, **kwargs)
        # Building the dict looks its own keys up: only what the page reads counts.
        self.names_read.clear()
        self.read_whole = False

    def __getitem__(self, key):
        self.names_read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.names_read.add(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self.names_read.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self.names_read.add(key)
        return super().getlist(key, default)

    def _whole(self, method, *args, **kwargs):
        self.read_whole = True
        return getattr(super(), method)(*args, **kwargs)

    def copy(self):
        return self._whole("copy")

    def urlencode(self, safe=None):
        return self._whole("urlencode", safe)

    def items(self):
        return self._whole("items")

    def lists(self):
        return self._whole("lists")

    def values(self):
        return self._whole("values")

    def keys(self):
        return self._whole("keys")

    def dict(self):
        return self._whole("dict")

    def __iter__(self):
        return self._whole("__iter__")

    def __len__(self):
        return self._whole("__len__")

    def __bool__(self):
        return self._whole("__len__") > 0


def _reads_key(request: HttpRequest) -> str:
    digest = hashlib.sha256(request.path.encode()).hexdigest()
    return f"page-reads:{request.get_host()}:{digest}"


def _page_key(request: HttpRequest, version: str, names: frozenset[str], query) -> str:
    values = [(name, query.getlist(name)) for name in sorted(names)]
    raw = repr((request.path, values)).encode()
    digest = hashlib.sha256(raw).hexdigest()
    # The language is stated in the key: a page in one language is never served for the other.
    language = page_language(request)
    return f"page:{version}:{language}:{request.get_host()}:{request.method}:{digest}"


class PublicPageCacheMiddleware:
    """Serve public pages to anonymous visitors from the cache.

    Only GET/HEAD from visitors without a session or messages cookie; only 200 responses
    that set no cookie, used no CSRF token and did not ask for no-store or private.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PORTAL_PAGE_CACHE_SECONDS
        if seconds <= 0 or not self._cacheable_request(request):
            return self.get_response(request)
        pages = caches["pages"]
        try:
            version = content_version()
        except (OperationalError, InterfaceError):
            if connection.connection is None:
                # No connection to the database (refused, or hanging and cut): the page
                # could not be rendered either, and the view would only wait a second time.
                return service_unavailable(request)
            # The cache failed on a working connection: render without it.
            return self.get_response(request)
        plain = QueryDict(request.META.get("QUERY_STRING", ""), encoding=request.encoding)
        names = pages.get(_reads_key(request), frozenset())
        stored = pages.get(_page_key(request, version, names, plain))
        if stored is not None:
            return self._replay(stored)

        recording = RecordingQueryDict(
            request.META.get("QUERY_STRING", ""), encoding=request.encoding
        )
        request.GET = recording
        response = self.get_response(request)
        if not self._cacheable_response(request, response):
            return response
        learned = frozenset(names | recording.names_read)
        if learned != names:
            pages.set(_reads_key(request), learned, READS_SECONDS)
        if recording.read_whole and not set(plain) <= learned:
            # The page repeats its query string, junk included: not a page to keep.
            return response
        headers = [
            (name, value)
            for name, value in response.items()
            if name.lower() not in STORED_HEADERS_SKIPPED
        ]
        key = _page_key(request, version, learned, plain)
        pages.set(key, (response.status_code, headers, response.content), seconds)
        self._public_headers(response)
        response["X-Portal-Cache"] = "miss"
        return response

    def _replay(self, stored) -> HttpResponse:
        status, headers, content = stored
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        self._public_headers(response)
        response["X-Portal-Cache"] = "hit"
        return response

    @staticmethod
    def _cacheable_request(request: HttpRequest) -> bool:
        if request.method not in ("GET", "HEAD") or request.path.startswith(UNCACHED_PREFIXES):
            return False
        cookies = request.COOKIES
        return (
            settings.SESSION_COOKIE_NAME not in cookies
            and settings.MESSAGE_COOKIE_NAME not in cookies
        )

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
    def _public_headers(response: HttpResponse) -> None:
        # Lets a reverse proxy keep the page briefly too; our own copy is replaced at once.
        response["Cache-Control"] = f"public, max-age={settings.PORTAL_PUBLIC_MAX_AGE}"
