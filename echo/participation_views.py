"""Participation pages: case submission and session feedback (from the private status link),
the certificate PDF, and the public certificate verification page."""

import re

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from . import cases, feedback
from .certificates import render_certificate_pdf
from .models import Certificate, RegistrationRequest, RequestState
from .participation_forms import CaseForm, FeedbackForm
from .request_views import TOKEN_RE

CODE_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


def _approved_request(token: str) -> RegistrationRequest:
    if not TOKEN_RE.fullmatch(token):
        raise Http404
    return get_object_or_404(
        RegistrationRequest.objects.select_related("series"),
        access_token=token,
        state=RequestState.APPROVED,
    )


# Case text may hold identifiers until it passes the check: keep it out of error reports.
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def case_form(request: HttpRequest, token: str) -> HttpResponse:
    """An approved participant submits a de-identified case; identifiers are shown, not kept."""
    registration_request = _approved_request(token)
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cases.submit_case(
                registration_request=registration_request,
                data=form.case_data(),
                confirmed=form.cleaned_data["confirm"],
            )
        except cases.CaseError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Thank you: your case is with the program staff, who will schedule it into a "
                    "session and email you the date."
                ),  # fmt: skip
            )
            return _private(redirect("echo:request-status", token=token))
    fields = [
        (form[name], form.findings.get(name, []))
        for name in ("title", "question", "background", "tried", "help_wanted")
    ]
    highlighted = {name: _highlight(form, name) for name in form.findings}
    context = {
        "registration_request": registration_request,
        "series": registration_request.series,
        "form": form,
        "fields": [(field, findings, highlighted.get(field.name)) for field, findings in fields],
    }
    return _private(render(request, "echo/participation/case_form.html", context))


def _highlight(form: CaseForm, name: str):
    from .deidentify import highlight

    return highlight(form.checked_text.get(name, ""), form.findings[name])


@require_http_methods(["GET", "POST"])
def feedback_form(request: HttpRequest, token: str, number: int) -> HttpResponse:
    """An attendee's anonymous feedback on one session they attended."""
    registration_request = _approved_request(token)
    session = feedback.attended_sessions(registration_request).filter(number=number).first()
    if session is None:
        raise Http404
    existing = feedback.find_feedback(registration_request, session)
    editable = existing is None or feedback.is_editable(existing)
    initial = None
    if existing is not None:
        initial = {
            "usefulness": existing.usefulness,
            "will_apply": "yes" if existing.will_apply else "no",
            "comment": existing.comment,
        }
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and editable and form.is_valid():
        try:
            feedback.save_feedback(
                registration_request=registration_request,
                session=session,
                usefulness=form.cleaned_data["usefulness"],
                will_apply=form.cleaned_data["will_apply"],
                comment=form.cleaned_data["comment"],
            )
        except feedback.FeedbackError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you for your feedback."))
            return _private(redirect("echo:request-status", token=token))
    context = {
        "registration_request": registration_request,
        "series": registration_request.series,
        "session": session,
        "form": form,
        "existing": existing,
        "editable": editable,
        "edit_until": existing.submitted_at + feedback.EDIT_WINDOW if existing else None,
    }
    return _private(render(request, "echo/participation/feedback_form.html", context))


@require_GET
def certificate_pdf(request: HttpRequest, token: str) -> HttpResponse:
    if not TOKEN_RE.fullmatch(token):
        raise Http404
    certificate = get_object_or_404(
        Certificate.objects.select_related("request__series"),
        request__access_token=token,
        revoked_at__isnull=True,
    )
    response = HttpResponse(render_certificate_pdf(certificate), content_type="application/pdf")
    filename = f"certificate-{certificate.request.series.slug}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


@require_GET
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: whether a certificate is valid, with its holder's name, series and date only."""
    certificate = None
    if CODE_RE.fullmatch(code):
        certificate = (
            Certificate.objects.select_related("request__series").filter(code=code).first()
        )
    response = render(
        request,
        "echo/participation/certificate_verify.html",
        {"certificate": certificate},
        status=200 if certificate else 404,
    )
    # Revocation must show at once: never kept by the page cache or a proxy.
    add_never_cache_headers(response)
    return response
