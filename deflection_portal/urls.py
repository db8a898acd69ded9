"""Top-level URL map: the apps' URLs, the admin, the home page and the site's pages."""

from django.conf import settings
from django.contrib import admin
from django.contrib.flatpages import views as flatpage_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "what-is-deflection/",
        flatpage_views.flatpage,
        {"url": "/what-is-deflection/"},
        name="what-is-deflection",
    ),
    path("library/", include("library.urls")),
    path("echo/", include("echo.urls")),
    path("staff/", include("staff.urls")),
    path("admin/", admin.site.urls),
]

if settings.PORTAL_BENCH_FLOOR:
    urlpatterns.append(path("bench/floor/", views.floor, name="bench-floor"))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
