from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "directory"
    verbose_name = _("Program directory")

    def ready(self) -> None:
        from deflection_portal import page_cache

        # The directory is a public page: a staff edit shows at once.
        page_cache.invalidate_on_changes(self)
