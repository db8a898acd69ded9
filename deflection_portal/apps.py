from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default = True
    name = "deflection_portal"
    verbose_name = _("Deflection Portal")

    def ready(self) -> None:
        from django.contrib.admin.models import LogEntry
        from django.contrib.flatpages.models import FlatPage
        from django.contrib.sites.models import Site

        from . import checks, page_cache, program_admin  # noqa: F401  (checks, admin page)
        from .content_language import drop_defaults_of_other_languages
        from .models import ProgramSettings

        # The site's own pages and the program's settings (header, footer, contact); the
        # admin's log entry covers bulk actions that update rows without saving them one by one.
        drop_defaults_of_other_languages()
        page_cache.invalidate_on_changes(
            models=[FlatPage, FlatPage.sites.through, Site, LogEntry, ProgramSettings]
        )


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the two-factor admin site as `admin.site`."""

    default = False  # installed by its full path; "deflection_portal" means PortalConfig
    default_site = "deflection_portal.admin.PortalAdminSite"
