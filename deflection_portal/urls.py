"""Top-level URL map: the apps' URLs, the admin, the home page and the site's pages."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.flatpages import views as flatpage_views
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from echo.sitemaps import SeriesSitemap, SessionSitemap
from library.sitemaps import CollectionSitemap, ResourceSitemap, TopicSitemap

from . import site_pages, views
from .sitemaps import StaticPagesSitemap

SITEMAPS = {
    "pages": StaticPagesSitemap,
    "resources": ResourceSitemap,
    "collections": CollectionSitemap,
    "topics": TopicSitemap,
    "series": SeriesSitemap,
    "sessions": SessionSitemap,
}

# The public site, in English (no prefix) and Spanish (/es/…). Feeds for machines, the staff
# pages and the admin have one address each.
public_patterns = [
    path("", views.home, name="home"),
    path(
        "what-is-deflection/",
        flatpage_views.flatpage,
        {"url": "/what-is-deflection/"},
        name="what-is-deflection",
    ),
    path("contact/", site_pages.contact, name="contact"),
    path("accessibility/", site_pages.accessibility, name="accessibility"),
    path("library/", include("library.urls")),
    path("echo/", include("echo.urls")),
    path("directory/", include("directory.urls")),
    # What the reverse proxy shows when it refuses a body itself (deploy/nginx/portal.conf).
    path("errors/too-large/", views.too_large, name="too-large"),
]

urlpatterns = [
    path("robots.txt", site_pages.robots_txt, name="robots-txt"),
    path("favicon.ico", site_pages.favicon, name="favicon"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("staff/", include("staff.urls")),
    path("admin/", admin.site.urls),
    *i18n_patterns(*public_patterns, prefix_default_language=False),
]

handler400 = "deflection_portal.views.bad_request"
handler403 = "deflection_portal.views.permission_denied"
handler404 = "deflection_portal.views.page_not_found"
handler500 = "deflection_portal.views.server_error"

if settings.PORTAL_BENCH_FLOOR:
    urlpatterns += [
        path("bench/floor/", views.floor, name="bench-floor"),
        path("bench/page-floor/", views.page_floor, name="bench-page-floor"),
    ]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
