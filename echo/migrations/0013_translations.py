"""Series, session, question and email-text wording in English and Spanish (django-modeltranslation).

The English columns are filled from the existing ones, so nothing stored is lost."""

from django.db import migrations, models
from django.db.models import F


TRANSLATED = {
    "series": ('title', 'about', 'learning_objectives', 'audience', 'schedule'),
    "session": ('title', 'summary', 'take_homes'),
    "question": ('section', 'label', 'help_text', 'choices'),
    "emailtext": ('subject', 'body'),
}


def copy_to_english(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("echo", model_name)
        # Adding a column with a default wrote the English default into the Spanish one;
        # nothing was translated before this migration, so every Spanish column starts empty.
        model.objects.update(
            **{f"{field}_en": F(field) for field in fields},
            **{f"{field}_es": None for field in fields},
        )


class Migration(migrations.Migration):

    dependencies = [
        ('echo', '0012_request_language'),
    ]

    operations = [
        migrations.AddField(
            model_name='emailtext',
            name='body_en',
            field=models.TextField(null=True, verbose_name='text'),
        ),
        migrations.AddField(
            model_name='emailtext',
            name='body_es',
            field=models.TextField(null=True, verbose_name='text'),
        ),
        migrations.AddField(
            model_name='emailtext',
            name='subject_en',
            field=models.CharField(max_length=300, null=True, verbose_name='subject'),
        ),
        migrations.AddField(
            model_name='emailtext',
            name='subject_es',
            field=models.CharField(max_length=300, null=True, verbose_name='subject'),
        ),
        migrations.AddField(
            model_name='question',
            name='choices_en',
            field=models.TextField(blank=True, help_text='For choice questions: one choice per line.', null=True, verbose_name='choices'),
        ),
        migrations.AddField(
            model_name='question',
            name='choices_es',
            field=models.TextField(blank=True, help_text='For choice questions: one choice per line.', null=True, verbose_name='choices'),
        ),
        migrations.AddField(
            model_name='question',
            name='help_text_en',
            field=models.TextField(blank=True, null=True, verbose_name='help text'),
        ),
        migrations.AddField(
            model_name='question',
            name='help_text_es',
            field=models.TextField(blank=True, null=True, verbose_name='help text'),
        ),
        migrations.AddField(
            model_name='question',
            name='label_en',
            field=models.CharField(max_length=300, null=True, verbose_name='question'),
        ),
        migrations.AddField(
            model_name='question',
            name='label_es',
            field=models.CharField(max_length=300, null=True, verbose_name='question'),
        ),
        migrations.AddField(
            model_name='question',
            name='section_en',
            field=models.CharField(default='About your program', help_text='Questions with the same section are grouped together on the form.', max_length=120, null=True, verbose_name='section'),
        ),
        migrations.AddField(
            model_name='question',
            name='section_es',
            field=models.CharField(default='About your program', help_text='Questions with the same section are grouped together on the form.', max_length=120, null=True, verbose_name='section'),
        ),
        migrations.AddField(
            model_name='series',
            name='about_en',
            field=models.TextField(help_text='What the series is, in Markdown.', null=True, verbose_name='about'),
        ),
        migrations.AddField(
            model_name='series',
            name='about_es',
            field=models.TextField(help_text='What the series is, in Markdown.', null=True, verbose_name='about'),
        ),
        migrations.AddField(
            model_name='series',
            name='audience_en',
            field=models.TextField(blank=True, null=True, verbose_name='who it is for'),
        ),
        migrations.AddField(
            model_name='series',
            name='audience_es',
            field=models.TextField(blank=True, null=True, verbose_name='who it is for'),
        ),
        migrations.AddField(
            model_name='series',
            name='learning_objectives_en',
            field=models.TextField(blank=True, help_text='One objective per line.', null=True, verbose_name='learning objectives'),
        ),
        migrations.AddField(
            model_name='series',
            name='learning_objectives_es',
            field=models.TextField(blank=True, help_text='One objective per line.', null=True, verbose_name='learning objectives'),
        ),
        migrations.AddField(
            model_name='series',
            name='schedule_en',
            field=models.CharField(blank=True, help_text='How the series meets, in words, e.g. “Fridays 1-2 p.m. Pacific”.', max_length=200, null=True, verbose_name='schedule'),
        ),
        migrations.AddField(
            model_name='series',
            name='schedule_es',
            field=models.CharField(blank=True, help_text='How the series meets, in words, e.g. “Fridays 1-2 p.m. Pacific”.', max_length=200, null=True, verbose_name='schedule'),
        ),
        migrations.AddField(
            model_name='series',
            name='title_en',
            field=models.CharField(max_length=200, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='series',
            name='title_es',
            field=models.CharField(max_length=200, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='session',
            name='summary_en',
            field=models.TextField(blank=True, null=True, verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='session',
            name='summary_es',
            field=models.TextField(blank=True, null=True, verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='session',
            name='take_homes_en',
            field=models.TextField(blank=True, help_text='One take-home per line.', null=True, verbose_name='key take-homes'),
        ),
        migrations.AddField(
            model_name='session',
            name='take_homes_es',
            field=models.TextField(blank=True, help_text='One take-home per line.', null=True, verbose_name='key take-homes'),
        ),
        migrations.AddField(
            model_name='session',
            name='title_en',
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='session',
            name='title_es',
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name='title'),
        ),
        migrations.RunPython(copy_to_english, migrations.RunPython.noop),
    ]
