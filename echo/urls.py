from django.urls import path

from . import views
from .participation_urls import urlpatterns as participation_urlpatterns
from .request_urls import urlpatterns as request_urlpatterns

app_name = "echo"

# Order matters: the registration routes and the fixed paths come before "<slug:slug>/", so
# no series slug can shadow them (Series.clean() also refuses the reserved slugs).
urlpatterns = [
    *request_urlpatterns,
    *participation_urlpatterns,
    path("", views.SeriesListView.as_view(), name="home"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path("<slug:slug>/", views.SeriesDetailView.as_view(), name="series"),
    path("<slug:slug>/archive/", views.ArchiveView.as_view(), name="series-archive"),
    path("<slug:slug>/calendar.ics", views.series_ics, name="series-calendar"),
    path(
        "<slug:slug>/sessions/<int:number>/",
        views.SessionDetailView.as_view(),
        name="session",
    ),
    path(
        "<slug:slug>/sessions/<int:number>/calendar.ics",
        views.session_ics,
        name="session-calendar",
    ),
]
