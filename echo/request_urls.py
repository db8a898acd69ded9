"""Routes of the registration flow, included by echo/urls.py."""

from django.urls import path

from . import receipt_views, request_views

urlpatterns = [
    path("privacy/", request_views.privacy_notice, name="privacy"),
    path("<slug:slug>/request/", request_views.request_form, name="request"),
    path("<slug:slug>/request/received/", request_views.request_received, name="request-received"),
    path("requests/<str:token>/", request_views.request_status, name="request-status"),
    path("requests/<str:token>/edit/", receipt_views.edit_answers, name="request-edit"),
    path("<slug:slug>/interest/", request_views.interest_form, name="interest"),
    path("<slug:slug>/interest/thanks/", request_views.interest_thanks, name="interest-thanks"),
    path("interest/leave/<str:token>/", request_views.interest_leave, name="interest-leave"),
]
