"""The sitemap's public pages that belong to no app; the apps list their own pages."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class PortalSitemap(Sitemap):
    """Absolute URLs at PORTAL_BASE_URL, the address the public reaches the portal at,
    whatever host the request came in by; each page in English and in Spanish, with the other
    language (and English as the default) named as its alternate."""

    i18n = True
    alternates = True
    x_default = True

    def get_protocol(self, protocol=None) -> str:
        return settings.PORTAL_BASE_URL.split("://", 1)[0]

    def get_domain(self, site=None) -> str:
        return settings.PORTAL_BASE_URL.split("://", 1)[-1]


class StaticPagesSitemap(PortalSitemap):
    changefreq = "monthly"
    url_names = [
        "home",
        "what-is-deflection",
        "contact",
        "accessibility",
        "echo:privacy",
        "library:home",
        "echo:home",
        "echo:archive",
        "directory:home",
    ]

    def items(self) -> list[str]:
        return self.url_names

    def location(self, item: str) -> str:
        return reverse(item)
