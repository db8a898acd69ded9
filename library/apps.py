from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("Resource library")

    def ready(self) -> None:
        from deflection_portal import page_cache

        # Every model of the library shows on public pages.
        page_cache.invalidate_on_changes(self)
