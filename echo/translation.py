"""The public texts of series, sessions, questions and email wording in both languages
(django-modeltranslation). Session materials are library resources, translated there."""

from modeltranslation.translator import TranslationOptions, register

from .models import AttendanceSheet, EmailText, Question, Series, Session


@register(Series)
class SeriesTranslation(TranslationOptions):
    fields = ("title", "about", "learning_objectives", "audience", "schedule")


@register(Session)
class SessionTranslation(TranslationOptions):
    fields = ("title", "summary", "take_homes")


# A proxy of Session: registered so that its admin and manager know the same fields.
@register(AttendanceSheet)
class AttendanceSheetTranslation(TranslationOptions):
    fields = ()


@register(Question)
class QuestionTranslation(TranslationOptions):
    # `choices`: one per line; the Spanish lines label the English ones in the same order,
    # and answers store the English choice (Question.choice_options).
    fields = ("section", "label", "help_text", "choices")


@register(EmailText)
class EmailTextTranslation(TranslationOptions):
    fields = ("subject", "body")
