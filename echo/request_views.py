"""The registration flow: the request form, "received", the applicant's private status page."""

import logging
import re
from math import ceil

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from . import ratelimit, receipts, services
from .forms import InterestForm, RegistrationForm
from .models import (
    Actor,
    InterestSignup,
    PublicRegistrationStatus,
    RegistrationRequest,
    RequestState,
    Series,
)
from .participation import participation_context
from .transitions import Action, ErrorCode

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")
logger = logging.getLogger(__name__)


def submission_limits() -> list[ratelimit.Limit]:
    return [
        ratelimit.Limit(settings.PORTAL_REQUESTS_PER_10_MINUTES, 10 * 60),
        ratelimit.Limit(settings.PORTAL_REQUESTS_PER_DAY, 24 * 60 * 60),
    ]


def _public_series(slug: str) -> Series:
    return get_object_or_404(
        Series.objects.published().with_seat_counts().with_session_dates(), slug=slug
    )


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    retention = Series.objects.published().order_by("title").only("title", "retention_days")
    return render(request, "echo/privacy_notice.html", {"retention": retention})


def _closed(request: HttpRequest, series: Series) -> HttpResponse:
    """The explanation shown instead of the form, for GET and POST alike: nothing stored."""
    context = {
        "series": series,
        "registration_status": series.registration_status(),
        "statuses": PublicRegistrationStatus,
    }
    response = render(request, "echo/request_closed.html", context)
    add_never_cache_headers(response)
    return response


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest, slug: str) -> HttpResponse:
    """Show and take the request form while the series accepts requests, full or not."""
    series = _public_series(slug)
    context = {"series": series, "is_full": series.is_full}
    if not series.accepts_requests():
        return _closed(request, series)

    questions = list(series.questions.all())
    form = RegistrationForm(request.POST or None, series=series, questions=questions)
    if request.method == "POST" and form.is_valid():
        limited = _rate_limited(request, "echo-request")
        if limited is not None:
            return limited
        if form.looks_automated():
            logger.info("Registration form trap caught a submission for %s", series.slug)
            response = redirect("echo:request-received", slug=series.slug)
            receipts.remember_reference(response, series.slug, None)
            return response
        try:
            result = services.submit_request(
                series=series,
                data={**form.core_data(), "language": translation.get_language()},
                answers=form.answers(),
            )
        except services.RegistrationError as error:
            if error.code == ErrorCode.NOT_ACCEPTING:
                return _closed(request, series)
            form.add_error(None, error)
        else:
            # The same page for a new request and a duplicate: nobody learns who applied.
            reference = result.registration_request and result.registration_request.reference
            response = redirect("echo:request-received", slug=series.slug)
            receipts.remember_reference(response, series.slug, reference)
            return response
    context["form"] = form
    response = render(request, "echo/request_form.html", context)
    add_never_cache_headers(response)
    return response


def _rate_limited(request: HttpRequest, scope: str) -> HttpResponse | None:
    verdict = ratelimit.hit(scope, ratelimit.client_ip(request), submission_limits())
    if verdict.allowed:
        return None
    response = render(
        request, "429.html", {"retry_minutes": ceil(verdict.retry_after / 60)}, status=429
    )
    response["Retry-After"] = str(verdict.retry_after)
    return response


@require_GET
def request_received(request: HttpRequest, slug: str) -> HttpResponse:
    series = _public_series(slug)
    context = {"series": series, "reference": receipts.reference_from(request)}
    response = render(request, "echo/request_received.html", context)
    add_never_cache_headers(response)
    return response


# --- Interest list -----------------------------------------------------------------------


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def interest_form(request: HttpRequest, slug: str) -> HttpResponse:
    """The interest list, offered while a series takes no requests (its run is over)."""
    series = _public_series(slug)
    if not series.takes_interest:
        return redirect("echo:request", slug=series.slug)
    form = InterestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        limited = _rate_limited(request, "echo-interest")
        if limited is not None:
            return limited
        if form.looks_automated():
            logger.info("Interest form trap caught a submission for %s", series.slug)
        else:
            services.join_interest_list(
                series=series, data={**form.signup_data(), "language": translation.get_language()}
            )
        # The same page whether the email was new, already listed or a bot's.
        return redirect("echo:interest-thanks", slug=series.slug)
    response = render(request, "echo/interest_form.html", {"series": series, "form": form})
    add_never_cache_headers(response)
    return response


@require_GET
def interest_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    series = _public_series(slug)
    return render(request, "echo/interest_thanks.html", {"series": series})


@require_http_methods(["GET", "POST"])
def interest_leave(request: HttpRequest, token: str) -> HttpResponse:
    """Leave an interest list from the link in its emails, without logging in. GET asks
    (mail scanners follow links); POST removes the entry and its personal data."""
    if not TOKEN_RE.fullmatch(token):
        raise Http404
    signup = InterestSignup.objects.select_related("series").filter(token=token).first()
    left = False
    if request.method == "POST" and signup is not None:
        left = services.leave_interest_list(token=token)
    response = render(
        request, "echo/interest_leave.html", {"signup": None if left else signup, "left": left}
    )
    add_never_cache_headers(response)
    return response


# --- The applicant's status page ---------------------------------------------------------

CONFIRMATIONS = {
    Action.WITHDRAW: _lazy("Tick the box to confirm that you want to withdraw."),
    Action.DECLINE_OFFER: _lazy("Tick the box to confirm that you want to decline the seat."),
}
DONE = {
    Action.WITHDRAW: _lazy("Your request is withdrawn."),
    Action.ACCEPT: _lazy("The seat is yours: your request is approved."),
    Action.DECLINE_OFFER: _lazy("You declined the seat; it goes to the next person waiting."),
}


@require_http_methods(["GET", "POST"])
def request_status(request: HttpRequest, token: str) -> HttpResponse:
    """The applicant's private page: the request's state, and what they may do from it
    (the applicant's transitions of `echo.transitions`)."""
    if not TOKEN_RE.fullmatch(token):
        raise Http404
    registration_request = get_object_or_404(
        RegistrationRequest.objects.select_related("series"), access_token=token
    )
    if _offer_has_lapsed(registration_request):
        # The offer's deadline passed before the worker got to it: let it lapse now, so the
        # page tells the truth and the seat moves on.
        services.expire_due_offers(series=registration_request.series)
        registration_request.refresh_from_db()
    if request.method == "POST":
        _applicant_action(request, registration_request)
        response = redirect("echo:request-status", token=token)
        add_never_cache_headers(response)
        return response

    series = registration_request.series
    actions = {
        t.action: t
        for t in services.allowed_transitions(registration_request.state, Actor.APPLICANT)
    }
    context = {
        "registration_request": registration_request,
        "series": series,
        "position": registration_request.waitlist_position(),
        "actions": actions,
        "can_withdraw": Action.WITHDRAW in actions,
        "can_answer_offer": Action.ACCEPT in actions,
        "upcoming_sessions": _with_series(series.upcoming_sessions(), series)
        if registration_request.state == RequestState.APPROVED
        else [],
        "offer_deadline": services.offer_deadline_text(registration_request)
        if registration_request.offer_expires_at
        else None,
        "can_request_again": not registration_request.is_live and series.accepts_requests(),
        "states": RequestState,
    }
    context.update(participation_context(registration_request))
    response = render(request, "echo/request_status.html", context)
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


def _with_series(sessions, series: Series) -> list:
    sessions = list(sessions)
    for session in sessions:
        session.series = series
    return sessions


def _offer_has_lapsed(registration_request: RegistrationRequest) -> bool:
    expires = registration_request.offer_expires_at
    return (
        registration_request.state == RequestState.OFFERED
        and expires is not None
        and expires <= timezone.now()
    )


def _applicant_action(request: HttpRequest, registration_request: RegistrationRequest) -> None:
    try:
        action = Action(request.POST.get("action", Action.WITHDRAW))
    except ValueError:
        messages.error(request, _("That is not something this page can do."))
        return
    confirmation = CONFIRMATIONS.get(action)
    if confirmation and request.POST.get("confirm") != action:
        messages.error(request, str(confirmation))
        return
    try:
        user = request.user if request.user.is_authenticated else None
        services.change_state(registration_request, action, actor=Actor.APPLICANT, user=user)
    except services.RegistrationError as error:
        messages.error(request, " ".join(error.messages))
        if error.code == ErrorCode.OFFER_EXPIRED:
            services.expire_due_offers(series=registration_request.series)
    except KeyError:
        messages.error(request, _("That is not something this page can do."))
    else:
        messages.success(request, str(DONE.get(action, _("Done."))))
