"""Registration questions on the Spanish form: Spanish labels, help and choices where staff
wrote them, English stand-ins marked lang="en", and answers stored as the English choice."""

import pytest
from django.urls import reverse
from django.utils import translation

from echo.forms import RegistrationForm
from echo.models import QuestionKind
from tests.factories import make_question, make_series

pytestmark = pytest.mark.django_db


def spanish_form(series) -> RegistrationForm:
    with translation.override("es"):
        return RegistrationForm(series=series)


def test_choices_keep_english_values_with_spanish_labels():
    question = make_question(
        kind=QuestionKind.SINGLE_CHOICE,
        label="Stage?",
        label_es="¿Etapa?",
        choices="Planning\nOperating",
        choices_es="Planeando\nFuncionando",
    )
    with translation.override("es"):
        assert question.choice_options() == [
            ("Planning", "Planeando"),
            ("Operating", "Funcionando"),
        ]
    assert question.choice_options() == [("Planning", "Planning"), ("Operating", "Operating")]


def test_spanish_choices_of_another_length_are_not_used():
    question = make_question(
        kind=QuestionKind.SINGLE_CHOICE, choices="Planning\nOperating", choices_es="Planeando"
    )
    with translation.override("es"):
        assert question.choice_options() == [("Planning", "Planning"), ("Operating", "Operating")]


def test_spanish_form_labels_and_stand_ins(client):
    series = make_series()
    translated = make_question(
        series=series,
        kind=QuestionKind.SINGLE_CHOICE,
        label="Stage?",
        label_es="¿Etapa?",
        choices="Planning\nOperating",
        choices_es="Planeando\nFuncionando",
    )
    untranslated = make_question(series=series, label="Tell us more.", help_text="Be brief.")
    form = spanish_form(series)
    field = form.fields[form.question_field_name(translated)]
    assert field.label == "¿Etapa?"
    assert field.choices == [("Planning", "Planeando"), ("Operating", "Funcionando")]
    other = form.fields[form.question_field_name(untranslated)]
    assert other.label == '<span lang="en">Tell us more.</span>'
    assert other.help_text == '<span lang="en">Be brief.</span>'

    with translation.override("es"):
        url = reverse("echo:request", kwargs={"slug": series.slug})
    html = client.get(url).content.decode()
    assert '<span lang="en">Tell us more.</span>' in html
    assert "Planeando" in html and 'value="Planning"' in html


def test_english_form_is_unmarked():
    series = make_series()
    question = make_question(series=series, label="Tell us more.")
    form = RegistrationForm(series=series)
    assert form.fields[form.question_field_name(question)].label == "Tell us more."


def test_section_legend_in_spanish():
    series = make_series()
    make_question(series=series, section="Your team", section_es="Su equipo")
    with translation.override("es"):
        legends = [fieldset.legend for fieldset in RegistrationForm(series=series).fieldsets()]
    assert "Su equipo" in legends


def test_a_new_question_has_no_spanish_section_until_staff_write_one():
    # The model's default section is English; it must not land in the Spanish column.
    question = make_question()
    assert question.section_en == "About your program"
    assert question.section_es is None
    with translation.override("es"):
        legends = [str(f.legend) for f in RegistrationForm(series=question.series).fieldsets()]
    assert '<span lang="en">About your program</span>' in legends
