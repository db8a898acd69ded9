"""English stand-ins for missing Spanish are marked lang="en" (deflection_portal/
content_language.py and the `translated` / `fallback_lang` template filters), on the pages
that show staff-written content; English pages are never marked."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from deflection_portal.content_language import falls_back, translated_html
from tests.factories import make_collection, make_resource, make_series, make_topic

pytestmark = pytest.mark.django_db


def render(template: str, **context) -> str:
    return Template("{% load portal_i18n %}" + template).render(Context(context))


def spanish(name: str, **kwargs) -> str:
    with translation.override("es"):
        return reverse(name, kwargs=kwargs)


def test_missing_spanish_is_marked_english():
    resource = make_resource(title="Deflection guide")
    with translation.override("es"):
        assert falls_back(resource, "title")
        assert translated_html(resource, "title") == '<span lang="en">Deflection guide</span>'
        assert render('<div{{ r|fallback_lang:"title" }}>', r=resource) == '<div lang="en">'


def test_spanish_that_is_written_is_not_marked():
    resource = make_resource(title="Deflection guide", title_es="Guía de desviación")
    with translation.override("es"):
        assert not falls_back(resource, "title")
        assert render('{{ r|translated:"title" }}', r=resource) == "Guía de desviación"
        assert render('<div{{ r|fallback_lang:"title" }}>', r=resource) == "<div>"


def test_spanish_identical_to_the_english_is_marked_english():
    resource = make_resource(title="LEAD", title_es="LEAD")
    with translation.override("es"):
        assert falls_back(resource, "title")


def test_english_pages_are_never_marked():
    resource = make_resource(title="Deflection guide")
    with translation.override("en"):
        assert not falls_back(resource, "title")
        assert render('{{ r|translated:"title" }}', r=resource) == "Deflection guide"


def test_the_stand_in_is_escaped():
    resource = make_resource(title="Rules <b>& tools</b>")
    with translation.override("es"):
        assert render('{{ r|translated:"title" }}', r=resource) == (
            '<span lang="en">Rules &lt;b&gt;&amp; tools&lt;/b&gt;</span>'
        )
    assert (
        render('{{ r|translated:"title" }}', r=resource) == "Rules &lt;b&gt;&amp; tools&lt;/b&gt;"
    )


def test_resource_page_marks_only_what_is_untranslated(client):
    topic = make_topic(name="Treatment", name_es="Tratamiento")
    resource = make_resource(
        title="Deflection guide",
        title_es="Guía de desviación",
        summary="How it works.",
        collection=make_collection(title="Deflection library"),
        topics=[topic],
    )
    english_url = resource.get_absolute_url()
    html = client.get(spanish("library:resource", slug=resource.slug)).content.decode()
    assert "<h1>Guía de desviación</h1>" in html
    assert '<p class="lead"><span lang="en">How it works.</span></p>' in html
    assert '<span lang="en">Deflection library</span>' in html
    assert ">Tratamiento</a>" in html
    assert "<title>Guía de desviación" in html

    english = client.get(english_url).content.decode()
    assert "<h1>Deflection guide</h1>" in english
    assert '<span lang="en">' not in english


def test_series_page_marks_the_untranslated_description_as_a_block(client):
    series = make_series(title="Leadership ECHO", title_es="ECHO de liderazgo")
    html = client.get(spanish("echo:series", slug=series.slug)).content.decode()
    assert "<h1>ECHO de liderazgo</h1>" in html
    assert '<div class="series-about" lang="en">' in html


def test_search_results_in_spanish_show_the_spanish_summary_or_mark_the_english_extract(client):
    collection = make_collection(title="Library")
    make_resource(
        title="Naloxone in the field",
        summary="Officers carry naloxone on every shift.",
        summary_es="La policía lleva naloxona en cada turno.",
        collection=collection,
    )
    make_resource(
        title="Naloxone follow-up",
        summary="Responders visit after an overdose with naloxone.",
        collection=collection,
    )
    html = client.get(spanish("library:search") + "?q=naloxone").content.decode()
    assert "La policía lleva naloxona en cada turno." in html
    assert "Officers carry" not in html
    # No Spanish summary: the English text (an extract on PostgreSQL, the summary on SQLite)
    # sits inside an element marked English.
    start = html.index("Responders visit")
    assert html.rfind('lang="en"', 0, start) > html.rfind("<article", 0, start)
