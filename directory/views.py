"""The public program directory: a map of the counties coloured by program status, the same
data as a table, and the tribes."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .county_map import county_map
from .models import Jurisdiction, ProgramStatus


@require_GET
def directory_home(request: HttpRequest) -> HttpResponse:
    rows = list(Jurisdiction.objects.order_by("name"))
    counties = [row for row in rows if row.kind == "county"]
    tribes = [row for row in rows if row.kind == "tribe"]
    by_fips = {row.fips: row for row in counties if row.fips}
    shapes = county_map()
    regions = [
        {"shape": shape, "county": by_fips.get(shape.fips)}
        for shape in shapes.shapes
        if shape.fips in by_fips
    ]
    counts = {
        status: sum(1 for row in counties if row.status == status)
        for status in ProgramStatus.values
    }
    context = {
        "counties": counties,
        "tribes": tribes,
        "regions": regions,
        "view_box": shapes.view_box,
        "statuses": [(value, label, counts[value]) for value, label in ProgramStatus.choices],
        "last_updated": max((row.updated_at for row in rows), default=None),
    }
    return render(request, "directory/directory.html", context)
