"""Search on the Spanish pages: Spanish titles and summaries matched with Spanish stemming,
accents optional, English matches kept; the English pages search English only. Runs on
both databases (PostgreSQL's library_spanish configuration; SQLite's FTS5 table of stems)."""

import pytest
from django.urls import reverse
from django.utils import translation

from library.spanish import stems
from tests.factories import make_collection, make_resource

pytestmark = pytest.mark.django_db


def spanish_search_url() -> str:
    with translation.override("es"):
        return reverse("library:search")


def found(client, url: str, q: str) -> set[str]:
    response = client.get(url, {"q": q})
    assert response.status_code == 200
    return {resource.slug for resource in response.context["results"]}


@pytest.fixture
def library():
    collection = make_collection()
    return {
        "deflection": make_resource(
            slug="deflection-guide",
            title="Deflection guide",
            title_es="Guía de desviación",
            summary="How deflection works.",
            summary_es="Cómo funciona la desviación hacia el tratamiento.",
            collection=collection,
        ),
        "naloxone": make_resource(
            slug="naloxone-basics",
            title="Naloxone basics",
            summary="Carry naloxone.",
            collection=collection,
        ),
    }


def test_spanish_url_is_prefixed():
    assert spanish_search_url().startswith("/es/")


@pytest.mark.parametrize("q", ["desviacion", "desviación", "DESVIACIÓN"])
def test_spanish_search_finds_spanish_title_with_or_without_accents(client, library, q):
    assert found(client, spanish_search_url(), q) == {"deflection-guide"}


def test_spanish_search_matches_by_stem(client, library):
    assert found(client, spanish_search_url(), "tratamientos") == {"deflection-guide"}


def test_spanish_search_keeps_english_matches(client, library):
    assert found(client, spanish_search_url(), "naloxone") == {"naloxone-basics"}
    assert found(client, spanish_search_url(), "deflection") == {"deflection-guide"}


def test_english_search_does_not_read_spanish_text(client, library):
    assert found(client, reverse("library:search"), "desviacion") == set()
    assert found(client, reverse("library:search"), "naloxone") == {"naloxone-basics"}


def test_spanish_exclusion_leaves_out_either_language(client, library):
    assert found(client, spanish_search_url(), "guide -desviacion") == set()
    assert found(client, spanish_search_url(), "-desviacion") == {"naloxone-basics"}


def test_spanish_phrase_and_or(client, library):
    url = spanish_search_url()
    assert found(client, url, '"guia de desviacion"') == {"deflection-guide"}
    assert found(client, url, "desviacion OR naloxone") == {"deflection-guide", "naloxone-basics"}


def test_editing_the_spanish_summary_updates_the_index(client, library):
    resource = library["naloxone"]
    resource.summary_es = "Lleve naloxona para tratamientos de sobredosis."
    resource.save()
    assert found(client, spanish_search_url(), "sobredosis") == {"naloxone-basics"}
    resource.summary_es = ""
    resource.save()
    assert found(client, spanish_search_url(), "sobredosis") == set()


def test_deleting_a_resource_removes_it_from_the_spanish_index(client, library):
    library["deflection"].delete()
    assert found(client, spanish_search_url(), "desviacion") == set()


def test_english_index_reads_the_english_columns_whatever_language_saved_the_row(client, library):
    # A save while Spanish is active writes the Spanish title into the original column;
    # the English index still holds the English title.
    resource = library["deflection"]
    with translation.override("es"):
        resource.title = "Guía de desviación, segunda edición"
        resource.save()
    resource.refresh_from_db()
    assert resource.title_en == "Deflection guide"
    assert found(client, reverse("library:search"), "guide") == {"deflection-guide"}
    assert found(client, reverse("library:search"), "segunda") == set()
    assert found(client, spanish_search_url(), "segunda") == {"deflection-guide"}


def test_stems_fold_accents_and_drop_common_words():
    assert stems("La Desviación de los tratamientos") == stems("desviacion tratamiento")
