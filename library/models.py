"""The resource library: collections, topics, audiences and resources."""

import re
from functools import cached_property

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection, models
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from deflection_portal.markup import render_markdown
from deflection_portal.urls_fast import slug_url

from .uploads import file_kind_for_name, validate_resource_file

# Longer queries are cut to this many characters before they reach the database.
SEARCH_QUERY_MAX_LENGTH = 200
# Text-search configuration; the PostgreSQL trigger (migration 0002) uses the same one.
SEARCH_CONFIG = "english"
# The Spanish one (migration 0007): unaccent, then Spanish stems; not in pg_catalog.
SEARCH_CONFIG_ES = "library_spanish"
# Highlighted words in search snippets are wrapped in these private-use characters, which
# the `highlight` filter turns into <mark> after escaping everything else.
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_STOP = "\ue001"

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")


def normalize_query(q: str | None) -> str:
    """A query safe to hand to the database: no control characters, trimmed and capped."""
    cleaned = _CONTROL_CHARACTERS.sub(" ", q or "")
    return " ".join(cleaned.split())[:SEARCH_QUERY_MAX_LENGTH].strip()


def published_resource_count() -> models.Count:
    """How many published resources a collection, topic or audience has: the one
    definition of the count. Collections and topics also store it (`published_count`, kept
    by the triggers of migration 0005 and tested against this), so that public pages read
    a number instead of counting the library on every visit."""
    return models.Count("resources", filter=Q(resources__is_published=True), distinct=True)


class Collection(models.Model):
    """A library: the Deflection Resources Library or the Clinical Resources Library."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Lower numbers are listed first.")
    )
    # Kept by database triggers (migration 0005); never written from Python.
    published_count = models.PositiveIntegerField(
        _("published resources"), default=0, editable=False
    )

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("collection")
        verbose_name_plural = _("collections")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return slug_url("library:collection", slug=self.slug)


class Topic(models.Model):
    """What a resource is about: a model, a pathway, policy, evaluation, treatment…"""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Lower numbers are listed first.")
    )
    # Kept by database triggers (migration 0005); never written from Python.
    published_count = models.PositiveIntegerField(
        _("published resources"), default=0, editable=False
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_url("library:topic", slug=self.slug)


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
        """Resources matching `q` in the library's search language (library/query.py), on
        either database; a blank query filters nothing, a query of only common words or
        punctuation matches nothing. Ranking, facets and pages: library/search.py."""
        from .query import parse, to_fts5_negative, to_fts5_positive, to_tsquery_text

        q = normalize_query(q)
        if not q:
            return self
        parsed = parse(q)
        if not parsed:
            return self.none()
        if connection.vendor == "postgresql":
            query = SearchQuery(to_tsquery_text(parsed), search_type="raw", config=SEARCH_CONFIG)
            return self.filter(search_vector=query)
        positive = to_fts5_positive(parsed)
        if positive:
            return self.filter(pk__in=RawSQL(FTS_MATCH_SQL, [positive]))
        return self.exclude(pk__in=RawSQL(FTS_MATCH_SQL, [to_fts5_negative(parsed)]))


# SQLite: the FTS5 index of title, summary, body and source (migration 0004).
FTS_TABLE = "library_resource_fts"
# SQLite: the Spanish titles and summaries, stemmed in Python (library/spanish.py).
FTS_TABLE_ES = "library_resource_fts_es"
FTS_MATCH_SQL = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"


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
    # Filled by a database trigger on PostgreSQL (migrations 0002 and 0004); unused
    # elsewhere (SQLite searches its FTS5 table). search_vector: title A, summary B, body C,
    # source D, for matching; head_vector: title A and summary B only, small enough to stay
    # in the row, for ranking without reading every match's whole vector.
    search_vector = SearchVectorField(null=True, editable=False)
    head_vector = SearchVectorField(null=True, editable=False)
    # The Spanish title (A) and summary (B), stemmed in Spanish (migration 0007); the
    # vectors above read the English columns. SQLite: the library_resource_fts_es table.
    search_vector_es = SearchVectorField(null=True, editable=False)

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
        return slug_url("library:resource", slug=self.slug)

    def get_file_url(self) -> str:
        return slug_url("library:resource-file", slug=self.slug)

    def get_resource_type_display(self) -> str:
        """The type's label in the page's language. Django's own version hashes every
        choice's (lazily translated) label on each call, a list page's most frequent cost."""
        try:
            return str(ResourceType(self.resource_type).label)
        except ValueError:
            return self.resource_type

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


class SearchWord(models.Model):
    """A word seen in a published resource's title or summary: the vocabulary that spelling
    suggestions come from on PostgreSQL (filled by a trigger, migration 0004; matched with
    pg_trgm). SQLite reads its FTS5 vocabulary instead."""

    word = models.CharField(max_length=60, primary_key=True)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")

    def __str__(self) -> str:
        return self.word
