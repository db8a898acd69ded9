"""Give a staff member a second factor: fresh backup codes and an authenticator app link."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from .ensure_local_staff import backup_codes_for


class Command(BaseCommand):
    help = (
        "Print new one-time backup codes for a staff member (replacing the old ones) and, with "
        "--authenticator, a new authenticator-app link (otpauth://) to add to their phone."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--authenticator", action="store_true", help="Also create an authenticator device."
        )

    def handle(self, *args, username: str, authenticator: bool, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"There is no user named {username!r}.") from None
        if not user.is_staff:
            raise CommandError(f"{username!r} is not staff; only staff use the admin.")
        codes = backup_codes_for(user)
        self.stdout.write(f"Backup codes for {username} (each works once): {' '.join(codes)}")
        if authenticator:
            device = TOTPDevice.objects.create(user=user, name="Authenticator app")
            self.stdout.write(f"Authenticator app link: {device.config_url}")
