"""The registration flow: the request form, "received", the applicant's private status page."""

import logging
import re
from math import ceil

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from . import ratelimit, services
from .forms import RegistrationForm
from .models import RegistrationRequest, RequestState, Series

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")
logger = logging.getLogger(__name__)


def submission_limits() -> list[ratelimit.Limit]:
    return [
        ratelimit.Limit(settings.PORTAL_REQUESTS_PER_10_MINUTES, 10 * 60),
        ratelimit.Limit(settings.PORTAL_REQUESTS_PER_DAY, 24 * 60 * 60),
    ]


def _public_series(slug: str) -> Series:
    return get_object_or_404(Series.objects.published().with_seat_counts(), slug=slug)


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "echo/privacy_notice.html")


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest, slug: str) -> HttpResponse:
    """Show and take the request form while the series accepts requests, full or not."""
    series = _public_series(slug)
    context = {"series": series, "is_full": series.is_full}
    if not series.accepts_requests():
        response = render(request, "echo/request_closed.html", context)
        if request.method == "POST":
            response.status_code = 409
        return response

    questions = list(series.questions.all())
    form = RegistrationForm(request.POST or None, series=series, questions=questions)
    if request.method == "POST" and form.is_valid():
        verdict = ratelimit.hit("echo-request", ratelimit.client_ip(request), submission_limits())
        if not verdict.allowed:
            response = render(
                request,
                "429.html",
                {"retry_minutes": ceil(verdict.retry_after / 60)},
                status=429,
            )
            response["Retry-After"] = str(verdict.retry_after)
            return response
        if form.looks_automated():
            logger.info("Registration form trap caught a submission for %s", series.slug)
            return redirect("echo:request-received", slug=series.slug)
        try:
            services.submit_request(series=series, data=form.core_data(), answers=form.answers())
        except services.RegistrationError as error:
            if error.code == "not_accepting":
                response = render(request, "echo/request_closed.html", context)
                response.status_code = 409
                return response
            form.add_error(None, error)
        else:
            # The same page for a new request and a duplicate: nobody learns who applied.
            return redirect("echo:request-received", slug=series.slug)
    context["form"] = form
    response = render(request, "echo/request_form.html", context)
    add_never_cache_headers(response)
    return response


@require_GET
def request_received(request: HttpRequest, slug: str) -> HttpResponse:
    series = _public_series(slug)
    return render(request, "echo/request_received.html", {"series": series})


@require_http_methods(["GET", "POST"])
def request_status(request: HttpRequest, token: str) -> HttpResponse:
    """The applicant's private page: the request's state, and a way to withdraw it."""
    if not TOKEN_RE.fullmatch(token):
        raise Http404
    registration_request = get_object_or_404(
        RegistrationRequest.objects.select_related("series"), access_token=token
    )
    if request.method == "POST":
        if request.POST.get("confirm") != "withdraw":
            messages.error(request, _("Tick the box to confirm that you want to withdraw."))
        else:
            try:
                services.withdraw_request(
                    registration_request=registration_request, actor=None, reason=""
                )
            except services.RegistrationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Your request is withdrawn."))
        response = redirect("echo:request-status", token=token)
        add_never_cache_headers(response)
        return response

    context = {
        "registration_request": registration_request,
        "series": registration_request.series,
        "position": registration_request.waitlist_position(),
        "can_withdraw": registration_request.is_live,
        "states": RequestState,
    }
    response = render(request, "echo/request_status.html", context)
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response
