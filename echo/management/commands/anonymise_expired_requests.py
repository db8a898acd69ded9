"""Erase applicants' personal data once their series' retention period has ended."""

from django.core.management.base import BaseCommand

from echo.participation import erase_expired_reports
from echo.services import anonymise_expired_requests


class Command(BaseCommand):
    help = (
        "Anonymise the registration requests of every series whose retention period (counted "
        "from its last session) has ended: names, contact details, organization, free-text "
        "answers, stored emails and case presentations are erased, and the names in attendance "
        "reports; sector and county counts remain. Run daily."
    )

    def handle(self, *args, **options):
        counts = anonymise_expired_requests()
        for slug, count in sorted(counts.items()):
            self.stdout.write(f"{slug}: {count} request(s) anonymised")
        self.stdout.write(self.style.SUCCESS(f"{sum(counts.values())} request(s) anonymised."))
        rows = erase_expired_reports()
        self.stdout.write(f"{rows} attendance report row(s) cleared of names and emails.")
