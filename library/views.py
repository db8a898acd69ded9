"""Public library pages: home, collection, topic, resource (and its file), search.

Only published resources are public; staff may preview an unpublished resource's page and
file. Every page runs a fixed number of queries, whatever the number of resources.
"""

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from .forms import SearchForm, SortOrder
from .models import Audience, Collection, Resource, ResourceType, Topic

PAGE_SIZE = 20
FEATURED_ON_HOME = 6
RELATED_LIMIT = 5


def published_count():
    return Count("resources", filter=Q(resources__is_published=True), distinct=True)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Both collections, the featured resources and the topics, with a search box."""
    context = {
        "collections": Collection.objects.annotate(resource_count=published_count()).order_by(
            *Collection._meta.ordering
        ),
        "featured": Resource.objects.published()
        .featured()
        .select_related("collection")
        .newest_first()[:FEATURED_ON_HOME],
        # Joining on published resources first counts the links once, and leaves out
        # topics with nothing published.
        "topics": Topic.objects.filter(resources__is_published=True)
        .annotate(resource_count=Count("resources"))
        .order_by(*Topic._meta.ordering),
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
        return resources.filter(topics=self.parent)

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
        related = (
            Resource.objects.published()
            .filter(topics__in=topic_ids)
            .exclude(pk=resource.pk)
            .annotate(shared_topics=Count("topics", distinct=True))
            .select_related("collection")
            .order_by("-shared_topics", "title")[:RELATED_LIMIT]
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
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return f"?{query.urlencode()}" if query else "?"


def page_range(page):
    if page is None or page.paginator.num_pages <= 1:
        return []
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


def facet_options(model, matching_ids, selected):
    """Facet values with how many of the matching resources carry each (one query)."""
    # Meta.ordering does not apply to aggregating queries, so order explicitly.
    # Filtering the join first lets the database match the results once (a semi-join), where
    # a filtered aggregate evaluated the matching subquery twice over every link row.
    options = (
        model.objects.filter(resources__in=matching_ids)
        .annotate(result_count=Count("resources"))
        .order_by(*model._meta.ordering)
    )
    return [
        {
            "value": obj.slug,
            "label": str(obj),
            "count": obj.result_count,
            "selected": obj == selected,
        }
        for obj in options
    ]


def type_options(matching_ids, selected):
    counts = (
        Resource.objects.filter(pk__in=matching_ids)
        .order_by()
        .values("resource_type")
        .annotate(result_count=Count("pk"))
    )
    by_type = {row["resource_type"]: row["result_count"] for row in counts}
    return [
        {"value": value, "label": label, "count": by_type[value], "selected": value == selected}
        for value, label in ResourceType.choices
        if by_type.get(value)
    ]


def apply_filters(resources, filters: dict, *, skip: str | None = None):
    """Filters combine: a resource must match every chosen facet (except `skip`)."""
    lookups = {"topic": "topics", "audience": "audiences", "collection": "collection"}
    for name, lookup in lookups.items():
        if name != skip and filters.get(name):
            resources = resources.filter(**{lookup: filters[name]})
    if skip != "type" and filters.get("type"):
        resources = resources.filter(resource_type=filters["type"])
    return resources


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search with facets. Each facet counts the results that picking its value would give:
    the query and every other chosen filter apply, the facet's own choice does not."""
    form = SearchForm(request.GET)
    params = form.search_params()
    q = params.get("q", "")
    filters = {name: params.get(name) for name in ("topic", "type", "audience", "collection")}

    matching = Resource.objects.published().search(q)
    results = apply_filters(matching, filters)
    if params.get("sort") == SortOrder.DATE or not q:
        results = results.newest_first()
    results = results.select_related("collection")

    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))

    def ids_without(facet):
        return apply_filters(matching, filters, skip=facet).order_by().values("pk")

    facets = [
        {
            "name": "topic",
            "label": _("Topic"),
            "options": facet_options(Topic, ids_without("topic"), filters["topic"]),
        },
        {
            "name": "type",
            "label": _("Type"),
            "options": type_options(ids_without("type"), filters["type"]),
        },
        {
            "name": "audience",
            "label": _("Audience"),
            "options": facet_options(Audience, ids_without("audience"), filters["audience"]),
        },
        {
            "name": "collection",
            "label": _("Library"),
            "options": facet_options(Collection, ids_without("collection"), filters["collection"]),
        },
    ]
    for facet in facets:
        for option in facet["options"]:
            value = None if option["selected"] else option["value"]
            option["url"] = changed_query(request, **{facet["name"]: value})
    active_filters = [
        {
            "label": ResourceType(value).label if name == "type" else str(value),
            "remove_url": changed_query(request, **{name: None}),
        }
        for name, value in filters.items()
        if value
    ]
    context = {
        "form": form,
        "q": q,
        "page_obj": page,
        "results": page.object_list,
        "page_range": page_range(page),
        "facets": facets,
        "active_filters": active_filters,
        "sort": params.get("sort"),
        "sort_choices": SortOrder.CHOICES,
        "filters": {
            name: (value if name == "type" else value.slug)
            for name, value in filters.items()
            if value
        },
    }
    return render(request, "library/search_results.html", context)
