"""The resource library: collections, topics, audiences and resources."""

import re
from functools import cached_property

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connection, models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from deflection_portal.markup import render_markdown

from .uploads import file_kind_for_name, validate_resource_file

# Longer queries are cut to this many characters before they reach the database.
SEARCH_QUERY_MAX_LENGTH = 200
# The SQLite fallback matches at most this many words of a query.
SEARCH_MAX_TERMS = 8
# Text-search configuration; the PostgreSQL trigger (migration 0002) uses the same one.
SEARCH_CONFIG = "english"
# Highlighted words in search snippets are wrapped in these private-use characters, which
# the `highlight` filter turns into <mark> after escaping everything else.
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_STOP = "\ue001"

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")


def normalize_query(q: str | None) -> str:
    """A query safe to hand to the database: no control characters, trimmed and capped."""
    cleaned = _CONTROL_CHARACTERS.sub(" ", q or "")
    return " ".join(cleaned.split())[:SEARCH_QUERY_MAX_LENGTH].strip()


class Collection(models.Model):
    """A library: the Deflection Resources Library or the Clinical Resources Library."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Lower numbers are listed first.")
    )

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("collection")
        verbose_name_plural = _("collections")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:collection", kwargs={"slug": self.slug})


class Topic(models.Model):
    """What a resource is about: a model, a pathway, policy, evaluation, treatment…"""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Lower numbers are listed first.")
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("library:topic", kwargs={"slug": self.slug})


class Audience(models.Model):
    """Who a resource is written for: law enforcement, behavioral health, peers, counties…"""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")

    def __str__(self) -> str:
        return self.name


class ResourceType(models.TextChoices):
    GUIDE = "guide", _("Guide or toolkit")
    PRESENTATION = "presentation", _("Presentation")
    RECORDING = "recording", _("Recording")
    REPORT = "report", _("Report or article")
    POLICY = "policy", _("Policy or legislation")
    WEBSITE = "website", _("Website")
    TEMPLATE = "template", _("Template or form")


class ResourceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def featured(self):
        return self.filter(is_featured=True)

    def newest_first(self):
        return self.order_by(F("published_on").desc(nulls_last=True), "title", "pk")

    def search(self, q: str | None):
        """Resources matching `q`, annotated with `rank` and a `headline` snippet and ordered
        by relevance. A blank query filters nothing (rank 0, the summary as headline).

        PostgreSQL: full-text search over the stored, weighted `search_vector` (title A,
        summary B, body C, source D) with web-search syntax ("quoted phrases", or, -not).
        Other databases: every word must appear in the title, summary, body or source."""
        q = normalize_query(q)
        if not q:
            return self.annotate(rank=Value(0.0), headline=F("summary"))
        if connection.vendor == "postgresql":
            return self._search_postgresql(q)
        return self._search_fallback(q)

    def _search_postgresql(self, q: str):
        query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
        return (
            self.filter(search_vector=query)
            .annotate(
                rank=SearchRank(F("search_vector"), query),
                headline=SearchHeadline(
                    Concat("summary", Value(" "), "body", output_field=models.TextField()),
                    query,
                    config=SEARCH_CONFIG,
                    start_sel=HIGHLIGHT_START,
                    stop_sel=HIGHLIGHT_STOP,
                    max_words=40,
                    min_words=20,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                ),
            )
            .order_by("-rank", F("published_on").desc(nulls_last=True), "title", "pk")
        )

    def _search_fallback(self, q: str):
        terms = re.findall(r"\w+", q)[:SEARCH_MAX_TERMS]
        if not terms:
            return self.none().annotate(rank=Value(0.0), headline=F("summary"))
        matches = Q()
        for term in terms:
            matches &= (
                Q(title__icontains=term)
                | Q(summary__icontains=term)
                | Q(body__icontains=term)
                | Q(source__icontains=term)
            )
        # A whole word in the title beats part of a word ("LEAD" before "leadership").
        weights = []
        for term in terms:
            word = rf"\b{re.escape(term)}\b"
            weights += [
                Case(When(title__iregex=word, then=8), default=0, output_field=IntegerField()),
                Case(When(title__icontains=term, then=4), default=0, output_field=IntegerField()),
                Case(When(summary__iregex=word, then=2), default=0, output_field=IntegerField()),
                Case(When(body__icontains=term, then=1), default=0, output_field=IntegerField()),
            ]
        rank = sum(weights[1:], weights[0])
        return (
            self.filter(matches)
            .annotate(rank=rank, headline=F("summary"))
            .order_by("-rank", F("published_on").desc(nulls_last=True), "title", "pk")
        )


def resource_upload_path(instance: "Resource", filename: str) -> str:
    """Store uploads under a name we choose; the visitor's file name is never trusted."""
    from .uploads import safe_upload_name

    return safe_upload_name(filename)


class Resource(models.Model):
    """One item in a library, reachable as an uploaded file, an external link or a video."""

    title = models.CharField(_("title"), max_length=250)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary = models.TextField(
        _("summary"), max_length=1000, help_text=_("One or two plain sentences shown in lists.")
    )
    body = models.TextField(
        _("body"), blank=True, help_text=_("Optional longer description, in Markdown.")
    )
    resource_type = models.CharField(
        _("type"), max_length=20, choices=ResourceType.choices, default=ResourceType.GUIDE
    )
    collection = models.ForeignKey(
        Collection,
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("collection"),
    )
    topics = models.ManyToManyField(
        Topic, related_name="resources", blank=True, verbose_name=_("topics")
    )
    audiences = models.ManyToManyField(
        Audience, related_name="resources", blank=True, verbose_name=_("audiences")
    )
    source = models.CharField(
        _("source or publisher"), max_length=250, blank=True, help_text=_("Who published it.")
    )
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    last_reviewed_on = models.DateField(
        _("last reviewed"),
        null=True,
        blank=True,
        help_text=_("When staff last checked that it is current."),
    )
    file = models.FileField(
        _("file"),
        upload_to=resource_upload_path,
        blank=True,
        max_length=255,
        validators=[validate_resource_file],
        help_text=_(
            "PDF, PowerPoint (.pptx), Word (.docx), Excel (.xlsx) or an image (PNG, JPEG, GIF, "
            "WebP), checked by its content; the size limit is set by LIBRARY_UPLOAD_MAX_BYTES."
        ),
    )
    external_url = models.URLField(
        _("external link"), max_length=500, blank=True, help_text=_("A page on another site.")
    )
    video_url = models.URLField(
        _("video link"), max_length=500, blank=True, help_text=_("A recording on a video site.")
    )
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Only published resources are public.")
    )
    is_featured = models.BooleanField(
        _("featured"), default=False, help_text=_("Shown on the library's home page.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Filled by a database trigger on PostgreSQL (see migration 0002); unused elsewhere.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        constraints = [
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(external_url="") | ~Q(video_url=""),
                name="resource_has_content",
                violation_error_message=_(
                    "Give the resource a file, an external link or a video link."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["is_published", "-published_on"], name="resource_pub_date_idx"),
            models.Index(fields=["is_published", "is_featured"], name="resource_featured_idx"),
            models.Index(fields=["is_published", "title"], name="resource_pub_title_idx"),
            models.Index(fields=["resource_type", "is_published"], name="resource_type_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:resource", kwargs={"slug": self.slug})

    def get_file_url(self) -> str:
        return reverse("library:resource-file", kwargs={"slug": self.slug})

    @cached_property
    def body_html(self) -> SafeString:
        """The Markdown body as HTML, with anything outside the allow-list removed."""
        return render_markdown(self.body)

    @property
    def file_kind(self):
        return file_kind_for_name(self.file.name) if self.file else None

    @cached_property
    def file_size(self) -> int | None:
        """The stored file's size, or None when there is no file or storage cannot say."""
        if not self.file:
            return None
        try:
            return self.file.size
        except (OSError, ValueError):
            return None
