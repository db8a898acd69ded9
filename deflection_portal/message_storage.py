"""Flash messages in a cookie named by MESSAGE_COOKIE_NAME ("__Host-messages" with debug off:
sent only over HTTPS, for the exact host, on path /), falling back to the session."""

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.messages.storage.session import SessionStorage


class HostCookieStorage(CookieStorage):
    @property
    def cookie_name(self) -> str:
        return settings.MESSAGE_COOKIE_NAME


class PortalMessageStorage(FallbackStorage):
    storage_classes = (HostCookieStorage, SessionStorage)
