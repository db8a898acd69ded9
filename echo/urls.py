from django.urls import path

from . import views
from .request_urls import urlpatterns as request_urlpatterns

app_name = "echo"

urlpatterns = [
    path("", views.home, name="home"),
]

urlpatterns += request_urlpatterns
