from deflection_portal.sitemaps import PortalSitemap

from .models import Series, Session


class SeriesSitemap(PortalSitemap):
    changefreq = "weekly"

    def items(self):
        return Series.objects.published().order_by("slug")


class SessionSitemap(PortalSitemap):
    def items(self):
        return (
            Session.objects.filter(series__is_published=True)
            .select_related("series")
            .order_by("series__slug", "number")
        )
