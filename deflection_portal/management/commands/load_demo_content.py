"""Load the demo content of every app, idempotently."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Load the demo content (site pages, library, ECHO series). Safe to run again: it only "
        "adds what is missing and never overwrites what staff have edited."
    )

    def handle(self, *args, **options):
        for app_config in apps.get_app_configs():
            module_name = f"{app_config.name}.demo"
            if find_spec(module_name) is None:
                continue
            with transaction.atomic():
                import_module(module_name).load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
