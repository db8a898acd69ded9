"""Independent rubric scoring: each reviewer scores a request on the series' criteria without
seeing anyone else's scores first. Scores inform decisions and never make them."""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.db import transaction
from django.db.models import (
    Avg,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
)
from django.utils.translation import gettext_lazy as _

from .models import Criterion, RegistrationRequest, Review, Score

SCALE = [(n, str(n)) for n in range(1, 6)]


def with_review_summary(queryset, *, viewer=None):
    """Annotate the number of reviews, the mean of the reviewers' means and their spread (the
    highest reviewer's mean less the lowest's). With a `viewer`, also whether that user has
    scored the request (`viewer_has_scored`): until then the mean and spread are not theirs
    to see."""
    spread = ExpressionWrapper(
        Max("reviews__mean") - Min("reviews__mean"),
        output_field=DecimalField(max_digits=3, decimal_places=2),
    )
    queryset = queryset.annotate(
        review_count=Count("reviews", distinct=True),
        review_mean=Avg("reviews__mean"),
        review_spread=spread,
    )
    if viewer is not None:
        mine = Review.objects.filter(request=OuterRef("pk"), reviewer=viewer.pk)
        queryset = queryset.annotate(viewer_has_scored=Exists(mine))
    return queryset


def needs_second_review_q() -> Q:
    """For a queryset annotated by `with_review_summary`."""
    return Q(review_count=1) | Q(review_spread__gt=F("series__second_review_spread"))


class ScoreForm(forms.Form):
    """One 1-5 choice per criterion of the series, and an optional note."""

    note = forms.CharField(
        label=_("Note for other reviewers (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def __init__(self, *args, criteria: list[Criterion], initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[self.field_name(criterion)] = forms.TypedChoiceField(
                label=criterion.name,
                help_text=criterion.description,
                choices=SCALE,
                coerce=int,
                widget=forms.RadioSelect,
                initial=(initial_scores or {}).get(criterion.pk),
            )
        self.order_fields([self.field_name(c) for c in criteria] + ["note"])

    @staticmethod
    def field_name(criterion: Criterion) -> str:
        return f"criterion_{criterion.pk}"

    def values(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[self.field_name(c)] for c in self.criteria}


def save_review(*, registration_request: RegistrationRequest, reviewer, values: dict[int, int],
                note: str = "") -> Review:  # fmt: skip
    """Store (or replace) this reviewer's scores for the request, all or nothing."""
    criteria = {c.pk for c in registration_request.series.criteria.all()}
    if set(values) != criteria or not all(1 <= v <= 5 for v in values.values()):
        raise ValueError("Scores must cover every criterion of the series, each from 1 to 5.")
    mean = (Decimal(sum(values.values())) / len(values)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    with transaction.atomic():
        review, _created = Review.objects.update_or_create(
            request=registration_request, reviewer=reviewer, defaults={"mean": mean, "note": note}
        )
        review.scores.all().delete()
        Score.objects.bulk_create(
            Score(review=review, criterion_id=pk, value=value) for pk, value in values.items()
        )
    return review


def has_scored(registration_request: RegistrationRequest, reviewer) -> bool:
    return Review.objects.filter(request=registration_request, reviewer=reviewer).exists()
