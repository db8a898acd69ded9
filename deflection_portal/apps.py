from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default = True
    name = "deflection_portal"
    verbose_name = _("Deflection Portal")


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the two-factor admin site as `admin.site`."""

    default = False  # installed by its full path; "deflection_portal" means PortalConfig
    default_site = "deflection_portal.admin.PortalAdminSite"
