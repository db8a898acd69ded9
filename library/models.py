"""The resource library: collections, topics, audiences and resources."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


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
        help_text=_("PDF, PowerPoint, Word, Excel or an image."),
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
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:resource", kwargs={"slug": self.slug})
