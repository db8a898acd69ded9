from deflection_portal.sitemaps import PortalSitemap

from .models import Collection, Resource, Topic


class ResourceSitemap(PortalSitemap):
    changefreq = "monthly"

    def items(self):
        return Resource.objects.published().order_by("slug")

    def lastmod(self, resource: Resource):
        return resource.updated_at


class CollectionSitemap(PortalSitemap):
    def items(self):
        return Collection.objects.order_by("slug")


class TopicSitemap(PortalSitemap):
    def items(self):
        return Topic.objects.order_by("slug")
