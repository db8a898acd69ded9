"""Audiences' names in English and Spanish: the English column starts as the name staff
wrote; the Spanish one empty (the English shows, marked, until staff write it)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('library', '0007_translations'),
    ]

    operations = [
        migrations.AddField(
            model_name='audience',
            name='name_en',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='audience',
            name='name_es',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.RunSQL(
            "UPDATE library_audience SET name_en = name WHERE name_en IS NULL",
            migrations.RunSQL.noop,
        ),
    ]
