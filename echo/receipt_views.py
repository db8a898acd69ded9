"""The applicant's receipt: the reference on the "received" page, and corrections to a
pending request from its private status link."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from . import receipts, services
from .forms import EditAnswersForm
from .models import RegistrationRequest, RequestState
from .request_views import TOKEN_RE


def _pending_request(token: str) -> RegistrationRequest:
    if not TOKEN_RE.fullmatch(token):
        raise Http404
    return get_object_or_404(
        RegistrationRequest.objects.select_related("series"), access_token=token
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def edit_answers(request: HttpRequest, token: str) -> HttpResponse:
    """Correct the answers of a pending request; after a decision, say why not."""
    registration_request = _pending_request(token)
    status_url = registration_request.get_status_url()
    if registration_request.state != RequestState.PENDING:
        messages.error(request, str(receipts.EDIT_REFUSED))
        return redirect(status_url)
    form = EditAnswersForm(request.POST or None, registration_request=registration_request)
    if request.method == "POST" and form.is_valid():
        try:
            changed = receipts.edit_request(
                registration_request=registration_request,
                data=form.core_data(),
                answers=form.answers(),
            )
        except receipts.EditRefused as error:
            messages.error(request, " ".join(error.messages))
            return redirect(status_url)
        except (services.RegistrationError, ValidationError) as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your answers are updated.") if changed else _("Nothing was changed."),
            )
            return redirect(status_url)
    context = {
        "form": form,
        "registration_request": registration_request,
        "series": registration_request.series,
    }
    response = render(request, "echo/request_edit.html", context)
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response
