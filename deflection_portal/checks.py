"""System checks for settings that otherwise break silently."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register
from django.http.request import validate_host

BASE_URL_HOST_NOT_ALLOWED = "deflection_portal.W001"


@register()
def check_base_url(app_configs=None, **kwargs) -> list[Warning]:
    """PORTAL_BASE_URL is where every emailed link points: its host must be one the portal
    answers for, or each link lands on another site or on a 400."""
    base_url = getattr(settings, "PORTAL_BASE_URL", "")
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    if parts.scheme in ("http", "https") and host and validate_host(host, allowed):
        return []
    return [
        Warning(
            f"PORTAL_BASE_URL ({base_url!r}) is not served by this portal: its host is not in "
            f"ALLOWED_HOSTS ({', '.join(allowed) or 'empty'}).",
            hint="Set PORTAL_BASE_URL to the address the public reaches the portal at "
            "(e.g. https://deflection.example.org), and list its host in DJANGO_ALLOWED_HOSTS. "
            "Links in every email are built from it.",
            id=BASE_URL_HOST_NOT_ALLOWED,
        )
    ]
