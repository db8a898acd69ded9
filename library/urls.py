from django.urls import path

from . import views

app_name = "library"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("collections/<slug:slug>/", views.CollectionView.as_view(), name="collection"),
    path("topics/<slug:slug>/", views.TopicView.as_view(), name="topic"),
    path("resources/<slug:slug>/", views.ResourceView.as_view(), name="resource"),
    path("resources/<slug:slug>/file/", views.resource_file, name="resource-file"),
]
