"""What every page template may use: the program's name and contact (read when first used)
and the page's canonical address."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def program(request: HttpRequest) -> dict:
    from .models import ProgramSettings

    return {
        "program": SimpleLazyObject(ProgramSettings.load),
        "base_url": settings.PORTAL_BASE_URL,
        "canonical_url": settings.PORTAL_BASE_URL + request.path,
    }
