from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("Resource library")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from deflection_portal import page_cache

        from .spanish import register_sqlite_functions

        # SQLite's Spanish search index is stemmed in Python (library/spanish.py).
        connection_created.connect(register_sqlite_functions, dispatch_uid="library_spanish")

        # Every model of the library shows on public pages.
        page_cache.invalidate_on_changes(self)
