"""Deliver the stored emails: once, or in a loop as the mail worker."""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from echo.mail import deliver_due


class Command(BaseCommand):
    help = (
        "Send queued emails that are due, retrying failed ones with back-off. Runs until "
        "stopped; with --once, sends what is due and exits."
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
                report = deliver_due()
            except Exception as exc:  # e.g. the database is restarting: wait and try again
                if once:
                    raise
                self.stderr.write(f"Mail worker round failed, retrying: {exc}")
                time.sleep(interval)
                continue
            if report.sent or report.retrying or report.failed or once:
                self.stdout.write(
                    f"sent {report.sent}, retrying {report.retrying}, gave up {report.failed}"
                )
            if once:
                return
            time.sleep(interval)
