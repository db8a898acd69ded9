from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _new_pending_request(registration_request, created: bool) -> bool:
    from .models import RequestState

    # A new request holds no seat: no public page changes.
    return created and registration_request.state == RequestState.PENDING


class EchoConfig(AppConfig):
    name = "echo"
    verbose_name = _("ECHO programs")

    def ready(self) -> None:
        from deflection_portal import page_cache

        from .models import (
            Answer,
            Criterion,
            EmailText,
            InterestSignup,
            MessageBatch,
            OutgoingEmail,
            RegistrationRequest,
            RequestEvent,
            Review,
            Score,
        )

        # Series, sessions and seat counts show on public pages; mail, answers, the request
        # history, interest lists, staff scores and email texts never do (participation
        # models say so themselves with `shown_on_public_pages = False`).
        page_cache.invalidate_on_changes(
            self,
            ignore=[
                OutgoingEmail,
                Answer,
                RequestEvent,
                InterestSignup,
                Criterion,
                Review,
                Score,
                EmailText,
                MessageBatch,
            ],  # fmt: skip
            unless={RegistrationRequest: _new_pending_request},
        )
