"""Compile the portal's translation catalogues (locale/*/LC_MESSAGES/*.po) into .mo files."""

from django.core.management.base import BaseCommand

from deflection_portal.translations import compile_catalogues


class Command(BaseCommand):
    help = "Compile the translation catalogues that changed since they were last compiled."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Compile every catalogue.")

    def handle(self, *args, force=False, **options):
        written = compile_catalogues(force=force)
        for path in written:
            self.stdout.write(f"Compiled {path}")
        if not written:
            self.stdout.write("The compiled catalogues are up to date.")
