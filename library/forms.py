"""The library's search form (GET).

Every input is forgiving: whatever arrives in the URL (unknown facet values, garbage, overly
long or hostile queries), the form cleans it to something safe and never becomes invalid,
so the search page always answers with a normal page.
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    SEARCH_QUERY_MAX_LENGTH,
    Audience,
    Collection,
    ResourceType,
    Topic,
    normalize_query,
)

_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,120}$")


class SortOrder:
    RELEVANCE = "relevance"
    DATE = "date"
    CHOICES = [(RELEVANCE, _("Best match")), (DATE, _("Newest first"))]


class SearchQueryField(forms.CharField):
    """A query, cut to the maximum length and stripped of control characters (a NUL byte
    would otherwise make the form invalid on every database and fail on PostgreSQL)."""

    def to_python(self, value):
        return normalize_query(value if isinstance(value, str) else "")


class SearchForm(forms.Form):
    q = SearchQueryField(
        label=_("Search the library"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "maxlength": SEARCH_QUERY_MAX_LENGTH,
                "class": "form-control",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
        help_text=_(
            'Use quotes for a phrase ("warm handoff"), OR between words for either one, and '
            "a minus sign to leave a word out (-naloxone)."
        ),
    )
    sort = forms.CharField(
        label=_("Sort by"),
        required=False,
        widget=forms.Select(choices=SortOrder.CHOICES, attrs={"class": "form-select"}),
    )
    topic = forms.CharField(required=False, widget=forms.HiddenInput)
    type = forms.CharField(required=False, widget=forms.HiddenInput)
    audience = forms.CharField(required=False, widget=forms.HiddenInput)
    collection = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_sort(self) -> str:
        value = self.cleaned_data.get("sort")
        return value if value in dict(SortOrder.CHOICES) else SortOrder.RELEVANCE

    def _slug(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        return value if _SLUG.match(value) else ""

    def clean_topic(self) -> Topic | None:
        slug = self._slug("topic")
        return Topic.objects.filter(slug=slug).first() if slug else None

    def clean_audience(self) -> Audience | None:
        slug = self._slug("audience")
        return Audience.objects.filter(slug=slug).first() if slug else None

    def clean_collection(self) -> Collection | None:
        slug = self._slug("collection")
        return Collection.objects.filter(slug=slug).first() if slug else None

    def clean_type(self) -> str:
        value = self.cleaned_data.get("type") or ""
        return value if value in ResourceType.values else ""

    def search_params(self) -> dict:
        """The cleaned query, sort order and filters (None or "" where none applies)."""
        if not self.is_valid():  # pragma: no cover - every field cleans to a value
            return {"q": "", "sort": SortOrder.RELEVANCE}
        return self.cleaned_data
