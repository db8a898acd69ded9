"""The latest check of each library resource's outbound links (its external and video links)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from library.models import Resource


class LinkCheckQuerySet(models.QuerySet):
    def broken(self):
        return self.filter(ok=False)


class LinkCheck(models.Model):
    """What the last `manage.py check_links` found at one outbound address of a resource."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="link_checks", verbose_name=_("resource")
    )
    url = models.URLField(_("address"), max_length=500)
    ok = models.BooleanField(_("works"), default=False)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    final_url = models.URLField(
        _("ends at"),
        max_length=2000,
        blank=True,
        help_text=_("Where the address redirects to, when it does: consider linking there."),
    )
    error = models.CharField(_("problem"), max_length=300, blank=True)
    checked_at = models.DateTimeField(_("checked"))

    objects = LinkCheckQuerySet.as_manager()

    class Meta:
        ordering = ["ok", "-checked_at"]
        verbose_name = _("link check")
        verbose_name_plural = _("link checks")
        constraints = [
            models.UniqueConstraint(fields=["resource", "url"], name="one_check_per_resource_url")
        ]

    def __str__(self) -> str:
        return self.url
