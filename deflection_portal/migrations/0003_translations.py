"""The program's name, line, agency and hours in English and Spanish (django-modeltranslation).

The English columns are filled from the existing ones, so nothing stored is lost."""

from django.db import migrations, models
from django.db.models import F


TRANSLATED = {
    "programsettings": ('program_name', 'official_line', 'agency_name', 'contact_hours'),
}


def copy_to_english(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("deflection_portal", model_name)
        # Adding a column with a default wrote the English default into the Spanish one;
        # nothing was translated before this migration, so every Spanish column starts empty.
        model.objects.update(
            **{f"{field}_en": F(field) for field in fields},
            **{f"{field}_es": None for field in fields},
        )


class Migration(migrations.Migration):

    dependencies = [
        ('deflection_portal', '0002_program_settings'),
    ]

    operations = [
        migrations.AddField(
            model_name='programsettings',
            name='agency_name_en',
            field=models.CharField(blank=True, help_text="The agency that runs the program and keeps the applicants' data.", max_length=200, null=True, verbose_name='agency'),
        ),
        migrations.AddField(
            model_name='programsettings',
            name='agency_name_es',
            field=models.CharField(blank=True, help_text="The agency that runs the program and keeps the applicants' data.", max_length=200, null=True, verbose_name='agency'),
        ),
        migrations.AddField(
            model_name='programsettings',
            name='contact_hours_en',
            field=models.CharField(blank=True, help_text='When people can expect an answer, e.g. “Monday to Friday, 8 a.m. to 5 p.m.”', max_length=200, null=True, verbose_name='hours'),
        ),
        migrations.AddField(
            model_name='programsettings',
            name='contact_hours_es',
            field=models.CharField(blank=True, help_text='When people can expect an answer, e.g. “Monday to Friday, 8 a.m. to 5 p.m.”', max_length=200, null=True, verbose_name='hours'),
        ),
        migrations.AddField(
            model_name='programsettings',
            name='official_line_en',
            field=models.CharField(blank=True, default="Resources and training for Oregon's deflection programs", help_text='The short line above the header, e.g. “An official program of the State of Oregon”. Leave empty to show none.', max_length=200, null=True, verbose_name='official program line'),
        ),
        migrations.AddField(
            model_name='programsettings',
            name='official_line_es',
            field=models.CharField(blank=True, default="Resources and training for Oregon's deflection programs", help_text='The short line above the header, e.g. “An official program of the State of Oregon”. Leave empty to show none.', max_length=200, null=True, verbose_name='official program line'),
        ),
        migrations.AddField(
            model_name='programsettings',
            name='program_name_en',
            field=models.CharField(default='Deflection Portal', help_text='Shown in the header of every page and in page titles.', max_length=120, null=True, verbose_name='program name'),
        ),
        migrations.AddField(
            model_name='programsettings',
            name='program_name_es',
            field=models.CharField(default='Deflection Portal', help_text='Shown in the header of every page and in page titles.', max_length=120, null=True, verbose_name='program name'),
        ),
        migrations.RunPython(copy_to_english, migrations.RunPython.noop),
    ]
