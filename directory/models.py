"""The program directory: each Oregon county and federally recognized tribe, and where its
deflection program stands. Staff edit it in the admin; the public page shows it as a map and a
table."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ProgramStatus(models.TextChoices):
    NONE = "none", _("No program yet")
    PLANNING = "planning", _("Planning")
    OPERATING = "operating", _("Operating")


class JurisdictionKind(models.TextChoices):
    COUNTY = "county", _("County")
    TRIBE = "tribe", _("Tribe")


class JurisdictionQuerySet(models.QuerySet):
    def counties(self):
        return self.filter(kind=JurisdictionKind.COUNTY).order_by("name")

    def tribes(self):
        return self.filter(kind=JurisdictionKind.TRIBE).order_by("name")


class Jurisdiction(models.Model):
    """A county or a tribe, with its deflection program's status and public contact.

    Counties carry their Census FIPS code, which ties each row to its shape on the map.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=JurisdictionKind.choices)
    name = models.CharField(
        _("name"), max_length=200, help_text=_("“Baker County”, “Burns Paiute Tribe”.")
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    fips = models.CharField(
        _("FIPS code"),
        max_length=5,
        blank=True,
        help_text=_("Counties only: the Census code (41001-41071) that places it on the map."),
    )
    status = models.CharField(
        _("program status"),
        max_length=12,
        choices=ProgramStatus.choices,
        default=ProgramStatus.NONE,
    )
    lead_agency = models.CharField(
        _("lead agency"),
        max_length=200,
        blank=True,
        help_text=_("The agency leading the deflection program, e.g. the sheriff's office."),
    )
    contact_name = models.CharField(_("public contact"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    grant_cycle = models.CharField(
        _("grant cycle"),
        max_length=100,
        blank=True,
        help_text=_("The state grant cycle that funds it, e.g. “2025-2027”."),
    )
    notes = models.TextField(
        _("public note"), blank=True, help_text=_("One or two sentences, shown in the table.")
    )
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    objects = JurisdictionQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("county or tribe")
        verbose_name_plural = _("counties and tribes")
        constraints = [
            models.UniqueConstraint(
                fields=["fips"], condition=~models.Q(fips=""), name="one_row_per_fips"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ProgramStatus.values),
                name="jurisdiction_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:home") + f"#{self.slug}"
