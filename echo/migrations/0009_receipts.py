"""Receipts: a reference number on every request, and when its answers last changed."""

import echo.models
from django.db import migrations, models


def give_references(apps, schema_editor):
    import secrets

    RegistrationRequest = apps.get_model("echo", "RegistrationRequest")
    used = set()
    for request in RegistrationRequest.objects.filter(reference__isnull=True).only("pk"):
        while True:
            code = "".join(secrets.choice(echo.models.REFERENCE_ALPHABET) for _ in range(6))
            reference = f"ECHO-{code[:4]}-{code[4:]}"
            if reference not in used:
                break
        used.add(reference)
        RegistrationRequest.objects.filter(pk=request.pk).update(reference=reference)


class Migration(migrations.Migration):

    dependencies = [
        ('echo', '0008_email_kinds_of_participation'),
    ]

    operations = [
        migrations.AddField(
            model_name='registrationrequest',
            name='answers_edited_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='answers last changed'),
        ),
        # Added empty, filled with a distinct reference per existing request, then made unique.
        migrations.AddField(
            model_name='registrationrequest',
            name='reference',
            field=models.CharField(editable=False, max_length=16, null=True, verbose_name='reference'),
        ),
        migrations.RunPython(give_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='registrationrequest',
            name='reference',
            field=models.CharField(default=echo.models.new_reference, editable=False, help_text='Given to the applicant on the confirmation page and in every email.', max_length=16, unique=True, verbose_name='reference'),
        ),
    ]
