from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models import signals
from django.utils.translation import gettext_lazy as _

# Content the public pages show. A change to any of these makes cached pages stale; the
# admin's log entry covers bulk actions that update rows without saving them one by one.
PUBLIC_CONTENT_APPS = {
    "library",
    "echo",
    "flatpages",
    "sites",
    "admin",
    "directory",
    "deflection_portal",
}
NOT_PUBLIC_MODELS = {"echo.outgoingemail", "echo.answer", "echo.requestevent"}


def _content_changed(sender, instance=None, created=False, **kwargs) -> None:
    from .middleware import bump_content_version

    label = sender._meta.label_lower
    if sender._meta.app_label not in PUBLIC_CONTENT_APPS or label in NOT_PUBLIC_MODELS:
        return
    if label == "echo.registrationrequest" and created and instance.state == "pending":
        return  # a new request holds no seat: no public page changes
    bump_content_version()


class PortalConfig(AppConfig):
    default = True
    name = "deflection_portal"
    verbose_name = _("Deflection Portal")

    def ready(self) -> None:
        from . import checks, program_admin  # noqa: F401  (register checks and admin page)

        signals.post_save.connect(_content_changed, dispatch_uid="portal-content-saved")
        signals.post_delete.connect(_content_changed, dispatch_uid="portal-content-deleted")
        signals.m2m_changed.connect(_content_changed, dispatch_uid="portal-content-m2m")


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the two-factor admin site as `admin.site`."""

    default = False  # installed by its full path; "deflection_portal" means PortalConfig
    default_site = "deflection_portal.admin.PortalAdminSite"
