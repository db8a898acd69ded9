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
        ('echo', '0004_runs_offers_interest'),
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
        migrations.AlterField(
            model_name='outgoingemail',
            name='kind',
            field=models.CharField(choices=[('received', 'Request received (to the applicant)'), ('duplicate', 'Second request from one address (to the applicant)'), ('staff_request_edited', 'Answers changed (to staff, daily at most)'), ('staff_new_request', 'New request (to staff)'), ('staff_seat_freed', 'Seat freed (to staff)'), ('approved', 'Approved (to the applicant)'), ('waitlisted', 'Waitlisted (to the applicant)'), ('declined', 'Declined (to the applicant)'), ('withdrawn', 'Withdrawn (to the applicant)'), ('offered', 'Seat offered (to the applicant)'), ('offer_declined', 'Offer declined (to the applicant)'), ('offer_expired', 'Offer lapsed (to the applicant)'), ('interest_joined', 'Joined the interest list'), ('interest_invite', 'Next run invitation (interest list)')], max_length=40, verbose_name='kind'),
        ),
    ]
