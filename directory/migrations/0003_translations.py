"""The directory's public note in English and Spanish (django-modeltranslation).

The English columns are filled from the existing ones, so nothing stored is lost."""

from django.db import migrations, models
from django.db.models import F


TRANSLATED = {
    "jurisdiction": ('notes',),
}


def copy_to_english(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("directory", model_name)
        model.objects.update(**{f"{field}_en": F(field) for field in fields})


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0002_counties_and_tribes'),
    ]

    operations = [
        migrations.AddField(
            model_name='jurisdiction',
            name='notes_en',
            field=models.TextField(blank=True, help_text='One or two sentences, shown in the table.', null=True, verbose_name='public note'),
        ),
        migrations.AddField(
            model_name='jurisdiction',
            name='notes_es',
            field=models.TextField(blank=True, help_text='One or two sentences, shown in the table.', null=True, verbose_name='public note'),
        ),
        migrations.RunPython(copy_to_english, migrations.RunPython.noop),
    ]
