"""The program's own settings, edited by staff in the admin: its name and its contact."""

from django.db import DatabaseError, models
from django.utils.translation import gettext_lazy as _

DEFAULT_PROGRAM_NAME = "Deflection Portal"
SINGLETON_PK = 1


class ProgramSettings(models.Model):
    """One row: the name in the header, the line under it, and who the public can contact.

    The contact appears in the footer, on the contact page and in the privacy notice, and its
    email address is the Reply-To of every email the portal sends.
    """

    program_name = models.CharField(
        _("program name"),
        max_length=120,
        default=DEFAULT_PROGRAM_NAME,
        help_text=_("Shown in the header of every page and in page titles."),
    )
    official_line = models.CharField(
        _("official program line"),
        max_length=200,
        blank=True,
        default="Resources and training for Oregon's deflection programs",
        help_text=_(
            "The short line above the header, e.g. “An official program of the State of "
            "Oregon”. Leave empty to show none."
        ),
    )
    agency_name = models.CharField(
        _("agency"),
        max_length=200,
        blank=True,
        help_text=_("The agency that runs the program and keeps the applicants' data."),
    )
    contact_email = models.EmailField(
        _("contact email"),
        blank=True,
        help_text=_("Public address for questions; also the Reply-To of every email we send."),
    )
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_address = models.TextField(
        _("postal address"), blank=True, help_text=_("One line per line of the address.")
    )
    contact_hours = models.CharField(
        _("hours"),
        max_length=200,
        blank=True,
        help_text=_("When people can expect an answer, e.g. “Monday to Friday, 8 a.m. to 5 p.m.”"),
    )
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        verbose_name = _("program settings")
        verbose_name_plural = _("program settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pk=SINGLETON_PK), name="program_settings_singleton"
            )
        ]

    def __str__(self) -> str:
        return str(_("Program name and contact"))

    def save(self, *args, **kwargs):
        self.pk = SINGLETON_PK
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "ProgramSettings":
        """The settings row; an unsaved one with the defaults when staff never saved any, or
        when the database cannot be read (error pages, e.g. a 413 or the branded 503, still
        render their header and footer)."""
        try:
            return cls.objects.filter(pk=SINGLETON_PK).first() or cls(pk=SINGLETON_PK)
        except DatabaseError:
            return cls(pk=SINGLETON_PK)

    @property
    def agency(self) -> str:
        return self.agency_name or str(_("the program staff"))

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_email or self.contact_phone or self.contact_address)

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.contact_address.splitlines() if line.strip()]
