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

        from .models import Answer, OutgoingEmail, RegistrationRequest, RequestEvent

        # Series, sessions and seat counts show on public pages; mail, answers and the
        # request history never do.
        page_cache.invalidate_on_changes(
            self,
            ignore=[OutgoingEmail, Answer, RequestEvent],
            unless={RegistrationRequest: _new_pending_request},
        )
