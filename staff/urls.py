from django.urls import path

from . import views

app_name = "staff"
urlpatterns = [
    path("welcome/<str:token>/", views.welcome, name="welcome"),
]
