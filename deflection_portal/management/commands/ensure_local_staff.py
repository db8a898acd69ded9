"""Create the local staff account for `make run`, and print its login once."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

LOCAL_USERNAME = "staff"


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
                f"The local staff account '{LOCAL_USERNAME}' already exists; its password was "
                "printed when it was created. To set a new one: "
                f".venv/bin/python manage.py changepassword {LOCAL_USERNAME}"
            )
            return
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(
            username=LOCAL_USERNAME, email="staff@localhost", password=password
        )
        self.stdout.write(
            self.style.SUCCESS(
                "\nLocal staff login (shown once):\n"
                f"  {options['url'].rstrip('/')}/admin/\n"
                f"  username: {LOCAL_USERNAME}\n"
                f"  password: {password}\n"
            )
        )
