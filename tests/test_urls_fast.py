"""slug_url gives what reverse() gives, in both languages, and falls back to it."""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from deflection_portal.urls_fast import slug_url


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("library:topic", {"slug": "harm-reduction"}),
        ("library:resource", {"slug": "a_b-9"}),
        ("library:resource-file", {"slug": "guide"}),
        ("library:collection", {"slug": "x"}),
        ("echo:series", {"slug": "fall-2026"}),
        ("echo:session", {"slug": "fall-2026", "number": 3}),
        ("echo:session", {"slug": "fall-2026", "number": 12}),
    ],
)
def test_slug_url_equals_reverse(name, kwargs, language):
    with translation.override(language):
        expected = reverse(name, kwargs=kwargs)
        assert slug_url(name, **kwargs) == expected
        assert slug_url(name, **kwargs) == expected  # the stored pattern too
    if language == "es":
        assert expected.startswith("/es/")


def test_each_language_keeps_its_own_prefix():
    with translation.override("es"):
        spanish = slug_url("library:topic", slug="t")
    with translation.override("en"):
        english = slug_url("library:topic", slug="t")
    assert (english, spanish) == ("/library/topics/t/", "/es/library/topics/t/")


def test_values_a_slug_converter_refuses_still_raise():
    with pytest.raises(NoReverseMatch):
        slug_url("library:topic", slug="two words")
    with pytest.raises(NoReverseMatch):
        slug_url("library:topic", slug="")
