from django.core.management.base import BaseCommand

from library.models import Resource
from links.checker import check_resources


class Command(BaseCommand):
    help = (
        "Check every outbound link of the library's resources (HEAD, then GET; bounded "
        "timeouts) and list the broken ones in the admin under Outbound links. Run by staff "
        "or from cron, e.g. weekly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--timeout", type=float, default=10.0, help="Seconds to wait for each server."
        )
        parser.add_argument(
            "--all", action="store_true", help="Unpublished resources too (default: published)."
        )

    def handle(self, *args, timeout: float, all: bool, **options):
        resources = Resource.objects.all() if all else Resource.objects.published()
        checks = check_resources(resources.order_by("pk"), timeout=timeout)
        broken = [check for check in checks if not check.ok]
        for check in broken:
            self.stdout.write(f"BROKEN {check.url} ({check.resource}): {check.error}")
        self.stdout.write(f"{len(checks)} links checked, {len(broken)} broken.")
