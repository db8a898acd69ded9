"""Create the local staff account for `make run`, and print its login once."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

LOCAL_USERNAME = "staff"
BACKUP_CODE_COUNT = 10


def backup_codes_for(user) -> list[str]:
    """Give the user a fresh set of one-time backup codes for the second factor."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Backup codes")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    device.token_set.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


class Command(BaseCommand):
    help = (
        "Create a local superuser named 'staff' with a random password and print the login. "
        "Only with DJANGO_DEBUG on and the SQLite database; does nothing if the account exists."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000", help="Where the portal will be served."
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Refusing to create a local staff account with DJANGO_DEBUG off.")
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError("The local staff account is only for the local SQLite database.")
        user_model = get_user_model()
        if user_model.objects.filter(username=LOCAL_USERNAME).exists():
            self.stdout.write(
                f"The local staff account '{LOCAL_USERNAME}' already exists; its password and "
                "backup codes were printed when it was created. New ones: "
                f".venv/bin/python manage.py changepassword {LOCAL_USERNAME} and "
                f".venv/bin/python manage.py add_staff_second_factor {LOCAL_USERNAME}"
            )
            return
        password = secrets.token_urlsafe(12)
        user = user_model.objects.create_superuser(
            username=LOCAL_USERNAME, email="staff@localhost", password=password
        )
        codes = backup_codes_for(user)
        authenticator = TOTPDevice.objects.create(user=user, name="Authenticator app")
        self.stdout.write(
            self.style.SUCCESS(
                "\nLocal staff login (shown once):\n"
                f"  {options['url'].rstrip('/')}/admin/\n"
                f"  username: {LOCAL_USERNAME}\n"
                f"  password: {password}\n"
                "  One-time code: one of these backup codes (each works once):\n"
                f"    {' '.join(codes)}\n"
                "  or a code from an authenticator app set up with this address:\n"
                f"    {authenticator.config_url}\n"
            )
        )
