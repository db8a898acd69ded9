"""The worker beside the web tier: lets lapsed seat offers go (offering each freed seat on)
and delivers the stored emails; once, or in a loop."""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from echo.mail import deliver_due
from echo.services import expire_due_offers


class Command(BaseCommand):
    help = (
        "Let seat offers past their deadline lapse (offering each freed seat to the next "
        "person waiting), then send queued emails that are due, retrying failed ones with "
        "back-off. Runs until stopped; with --once, does one round and exits. Safe to run "
        "in several processes at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Send what is due, then exit.")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between rounds (default 5)."
        )

    def handle(self, *args, once: bool, interval: float, **options):
        while True:
            if not once:  # a long-running worker drops connections the database has closed
                close_old_connections()
            try:
                lapsed = expire_due_offers()
                report = deliver_due()
            except Exception as exc:  # e.g. the database is restarting: wait and try again
                if once:
                    raise
                self.stderr.write(f"Mail worker round failed, retrying: {exc}")
                time.sleep(interval)
                continue
            if lapsed or report.sent or report.retrying or report.failed or once:
                self.stdout.write(
                    f"offers lapsed {lapsed}; sent {report.sent}, retrying {report.retrying}, "
                    f"gave up {report.failed}"
                )
            if once:
                return
            time.sleep(interval)
