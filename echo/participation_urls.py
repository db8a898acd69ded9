"""Routes of participation (attendance, certificates, cases, feedback), included by echo/urls.py."""

from django.urls import path

from . import participation_views

urlpatterns = [
    path(
        "certificates/<str:code>/",
        participation_views.certificate_verify,
        name="certificate-verify",
    ),
    path(
        "requests/<str:token>/certificate.pdf",
        participation_views.certificate_pdf,
        name="certificate-pdf",
    ),
    path("requests/<str:token>/case/", participation_views.case_form, name="case-submit"),
    path(
        "requests/<str:token>/sessions/<int:number>/feedback/",
        participation_views.feedback_form,
        name="session-feedback",
    ),
]
