"""The funder report: how many people asked, were approved, waited or withdrew, attended and
completed, by county or tribe and by sector, for a series and a date range. No personal data,
and every count from 1 to 4 is shown as "<5" so that no one can be picked out."""

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .models import (
    COUNTY_CHOICES,
    Attendance,
    Certificate,
    RegistrationRequest,
    RequestState,
    Sector,
    Series,
)

SMALLEST_SHOWN = 5
SUPPRESSED = "<5"

METRICS = (
    ("requests", _("Requests"), Q()),
    ("approved", _("Approved"), Q(state=RequestState.APPROVED)),
    ("waitlisted", _("Waitlisted"), Q(state=RequestState.WAITLISTED)),
    ("withdrawn", _("Withdrawn"), Q(state=RequestState.WITHDRAWN)),
    # People, not sessions: attended at least one session (as the attendance rules count it).
    (
        "attended",
        _("Attended"),
        Q(Exists(Attendance.objects.attended().filter(request=OuterRef("pk")))),
    ),
    # Completed: holds a certificate that was not revoked.
    (
        "completed",
        _("Completed"),
        Q(Exists(Certificate.objects.filter(request=OuterRef("pk"), revoked_at__isnull=True))),
    ),
)


def shown(count: int) -> str:
    """A count as published: 0, "<5" for 1 to 4, or the number."""
    return SUPPRESSED if 0 < count < SMALLEST_SHOWN else str(count)


@dataclass
class Row:
    label: str
    counts: dict[str, int]

    def cells(self) -> list[str]:
        return [shown(self.counts[key]) for key, _label, _q in METRICS]


@dataclass
class Report:
    series: Series | None
    start: date | None
    end: date | None
    total: Row
    by_county: list[Row]
    by_sector: list[Row]

    @property
    def headings(self) -> list[str]:
        return [str(label) for _key, label, _q in METRICS]


def _labels(choices) -> dict[str, str]:
    flat = {}
    for value, label in choices:
        if isinstance(label, list | tuple):
            flat.update({v: str(lab) for v, lab in label})
        else:
            flat[value] = str(label)
    return flat


def funder_report(*, series: Series | None = None, start: date | None = None,
                  end: date | None = None) -> Report:  # fmt: skip
    """Counts for one series (or all) and requests submitted between start and end (inclusive);
    three queries whatever the size."""
    requests = RegistrationRequest.objects.all()
    if series is not None:
        requests = requests.filter(series=series)
    if start is not None:
        requests = requests.filter(submitted_at__date__gte=start)
    if end is not None:
        requests = requests.filter(submitted_at__date__lte=end)
    aggregates = {key: Count("pk", filter=q) for key, _label, q in METRICS}
    total = requests.aggregate(**aggregates)

    def grouped(field: str, labels: dict[str, str]) -> list[Row]:
        rows = requests.order_by().values(field).annotate(**aggregates).order_by(field)
        found = [Row(labels.get(row[field], row[field]), row) for row in rows]
        return sorted(found, key=lambda row: row.label)

    return Report(
        series=series,
        start=start,
        end=end,
        total=Row(str(_("All")), total),
        by_county=grouped("county", _labels(COUNTY_CHOICES)),
        by_sector=grouped("sector", _labels(Sector.choices)),
    )


def report_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(_("Breakdown")), str(_("Group")), *report.headings])
    writer.writerow([str(_("Total")), report.total.label, *report.total.cells()])
    for name, rows in ((_("County or tribe"), report.by_county), (_("Sector"), report.by_sector)):
        for row in rows:
            writer.writerow([str(name), row.label, *row.cells()])
    return out.getvalue()


BAR_HEIGHT, GAP, LABEL_WIDTH, CHART_WIDTH = 22, 6, 260, 320


def bar_chart(rows: list[Row], metric: str, title: str) -> dict:
    """What the SVG template needs: one bar per row for one metric. Suppressed counts are
    drawn as no bar, labelled "<5"."""
    largest = max((row.counts[metric] for row in rows), default=0) or 1
    bars = []
    for n, row in enumerate(rows):
        count = row.counts[metric]
        visible = count >= SMALLEST_SHOWN
        width = round(CHART_WIDTH * count / largest) if visible else 0
        bars.append({
            "y": n * (BAR_HEIGHT + GAP),
            "text_y": n * (BAR_HEIGHT + GAP) + BAR_HEIGHT * 0.7,
            "width": width,
            "label": row.label,
            "value": shown(count),
            "value_x": LABEL_WIDTH + width + 6,
        })  # fmt: skip
    return {
        "title": title,
        "bars": bars,
        "height": max(len(rows), 1) * (BAR_HEIGHT + GAP),
        "width": LABEL_WIDTH + CHART_WIDTH + 60,
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
    }
