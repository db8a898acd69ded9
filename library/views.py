"""Public library pages: home, collection, topic, resource (and its file), search.

Only published resources are public; staff may preview an unpublished resource's page and
file. Every page runs a fixed number of queries, whatever the number of resources.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from .forms import SearchForm, SortOrder
from .models import Collection, Resource, Topic
from .search import PAGE_SIZE, resource_search

FEATURED_ON_HOME = 6
RELATED_LIMIT = 5
# Related resources are chosen among this many of the newest that share a topic: a bounded
# read (an index scan that stops early), whatever the size of the topics.
RELATED_CANDIDATES = 50


class StoredCountPaginator(Paginator):
    """A paginator told the total (a stored count) instead of counting the rows."""

    def __init__(self, object_list, per_page, *, total: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.__dict__["count"] = total


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Both collections, the featured resources and the topics, with a search box."""
    context = {
        # The stored counts (migration 0005): no counting of the library per visit.
        "collections": Collection.objects.annotate(resource_count=F("published_count")),
        "featured": Resource.objects.published()
        .featured()
        .select_related("collection")
        .newest_first()[:FEATURED_ON_HOME],
        # Topics with nothing published are left out.
        "topics": Topic.objects.filter(published_count__gt=0).annotate(
            resource_count=F("published_count")
        ),
        "form": SearchForm(),
    }
    return render(request, "library/library_home.html", context)


class PublishedResourceListView(ListView):
    """Published resources of one collection or topic, newest first, a page at a time."""

    paginate_by = PAGE_SIZE
    parent_model = None
    context_object_name = "resources"

    def get_parent(self):
        return get_object_or_404(self.parent_model, slug=self.kwargs["slug"])

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kw):
        # The parent's stored count of published resources (migration 0005) is the total.
        return StoredCountPaginator(
            queryset,
            per_page,
            total=self.parent.published_count,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            **kw,
        )

    def get_queryset(self):
        self.parent = self.get_parent()
        return self.filter_resources(
            Resource.objects.published().select_related("collection").newest_first()
        )

    def filter_resources(self, resources):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            parent=self.parent, page_range=page_range(kwargs.get("page_obj")), **kwargs
        )


class CollectionView(PublishedResourceListView):
    parent_model = Collection
    template_name = "library/collection_detail.html"

    def filter_resources(self, resources):
        return resources.filter(collection=self.parent)

    def get_context_data(self, **kwargs):
        # The other libraries, so each links to the rest ("clinical resources instead?").
        others = Collection.objects.exclude(pk=self.parent.pk)
        return super().get_context_data(
            collection=self.parent,
            other_collections=others,
            form=SearchForm(),
            search_filters={"collection": self.parent.slug},
            **kwargs,
        )


class TopicView(PublishedResourceListView):
    parent_model = Topic
    template_name = "library/topic_detail.html"

    def filter_resources(self, resources):
        # A semi-join: each resource once, tested by the link table's index.
        links = Resource.topics.through.objects.filter(topic=self.parent)
        return resources.filter(Exists(links.filter(resource_id=OuterRef("pk"))))

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.parent, **kwargs)


def visible_resources(request: HttpRequest):
    """Published resources, or every resource for staff (who preview before publishing)."""
    if request.user.is_staff:
        return Resource.objects.all()
    return Resource.objects.published()


def echo_sessions_prefetch() -> Prefetch:
    """Sessions of published ECHO series that use the resource. The library never imports
    the ECHO app: the session model is found through the reverse relation."""
    session_model = Resource._meta.get_field("echo_sessions").related_model
    sessions = (
        session_model._default_manager.filter(series__is_published=True)
        .select_related("series")
        .order_by("starts_at", "pk")
    )
    return Prefetch("echo_sessions", queryset=sessions)


class ResourceView(DetailView):
    template_name = "library/resource_detail.html"
    context_object_name = "resource"

    def get_queryset(self):
        return (
            visible_resources(self.request)
            .select_related("collection")
            .prefetch_related("topics", "audiences", echo_sessions_prefetch())
        )

    def get_context_data(self, **kwargs):
        resource = self.object
        topic_ids = [topic.pk for topic in resource.topics.all()]
        links = Resource.topics.through.objects.filter(topic_id__in=topic_ids)
        candidates = (
            Resource.objects.published()
            .filter(Exists(links.filter(resource_id=OuterRef("pk"))))
            .exclude(pk=resource.pk)
            .newest_first()
            .values("pk")[:RELATED_CANDIDATES]
        )
        related = (
            Resource.objects.filter(pk__in=candidates)
            .annotate(shared_topics=Count("topics", filter=Q(topics__in=topic_ids)))
            .select_related("collection")
            .order_by("-shared_topics", "title", "pk")[:RELATED_LIMIT]
            if topic_ids
            else Resource.objects.none()
        )
        return super().get_context_data(related=related, **kwargs)


@require_GET
def resource_file(request: HttpRequest, slug: str) -> FileResponse:
    """The uploaded file, always as a download with the allow-listed type, never sniffed or
    rendered as a page on our origin."""
    resource = get_object_or_404(visible_resources(request), slug=slug)
    kind = resource.file_kind
    if not resource.file or kind is None:
        raise Http404("This resource has no file.")
    try:
        handle = resource.file.storage.open(resource.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{resource.slug}.{kind.extensions[0]}",
        content_type=kind.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if not resource.is_published:
        response["Cache-Control"] = "private, no-store"
    return response


def changed_query(request: HttpRequest, **changes) -> str:
    """The current query string with some parameters set (or removed, with None), back to
    the first page: what `{% querystring %}` does, for parameter names held in variables."""
    return QueryChanger(request)(**changes)


class QueryChanger:
    """`changed_query` for many changes of one request (each facet option's link): the
    request's parameters are read and encoded once, each link encodes only what it
    changes."""

    def __init__(self, request: HttpRequest):
        self.pairs = [
            (name, value)
            for name, values in request.GET.lists()
            if name != "page"
            for value in values
        ]
        self.encoded = [(name, urlencode({name: value})) for name, value in self.pairs]

    def __call__(self, **changes) -> str:
        parts = [part for name, part in self.encoded if name not in changes]
        parts += [urlencode({name: value}) for name, value in changes.items() if value is not None]
        return "?" + "&".join(parts) if parts else "?"


def page_range(page):
    if page is None or page.paginator.num_pages <= 1:
        return []
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


FACET_LABELS = {
    "topic": _("Topic"),
    "type": _("Type"),
    "audience": _("Audience"),
    "collection": _("Library"),
}


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search with facets (library/search.py finds; this view only renders). Each facet
    counts the results that picking its value would give: the query and every other chosen
    filter apply, the facet's own choice does not."""
    form = SearchForm(request.GET)
    params = form.search_params()
    found = resource_search(
        query=params.get("q"),
        filters={name: params.get(name) for name in FACET_LABELS},
        page=request.GET.get("page"),
        sort=params.get("sort"),
    )
    changed = QueryChanger(request)
    for facet in found.facets:
        facet["label"] = FACET_LABELS[facet["name"]]
        for option in facet["options"]:
            value = None if option["selected"] else option["value"]
            option["url"] = changed(**{facet["name"]: value})
    active = [
        {**item, "remove_url": changed(**{item["name"]: None})} for item in found.active_filters
    ]
    context = {
        "form": form,
        "q": found.query,
        "page_obj": found.page,
        "results": found.results,
        "total": found.total,
        "page_range": page_range(found.page),
        "facets": found.facets,
        "active_filters": active,
        "suggestion": found.suggestion,
        "suggestion_url": changed(q=found.suggestion) if found.suggestion else "",
        "ignored_everything": found.ignored_everything,
        "estimated": found.estimated,
        "total_is_estimate": found.total_is_estimate,
        "window": found.window,
        "sort": params.get("sort"),
        "sort_choices": SortOrder.CHOICES,
        "filters": {item["name"]: item["value"] for item in found.active_filters},
    }
    return render(request, "library/search_results.html", context)
